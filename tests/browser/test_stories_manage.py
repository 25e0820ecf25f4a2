"""Issue 25's stories 2 to 5 in a real browser, signed in through the real OpenID
Connect provider's own login page: the pages /manage/organisations/{slug},
/manage/groups/{slug} and /staff. Each story makes its own organisation, people
and groups with a staff key (tests/browser/stories/manage-data.mjs), so no story
depends on another or on the order they run in. Every page a story opens is
checked at both widths: screenshots kept, no serious or critical axe-core
violation, nothing scrolls sideways.
"""

from typing import Any

from datastore.records.vocabulary import Role
from story_kit import StoryKit


def users(stories: StoryKit, *names: str, role: str = Role.MEMBER.value) -> dict[str, dict[str, str]]:
    """Fresh provider users (e-mails no other story uses), as the story module wants them. The role
    claim carries the directory's own role names (staff, member): any other value counts as member."""
    made = {name: stories.provider.add_user(role=role) for name in names}
    return {name: {"email": user.email, "password": user.password} for name, user in made.items()}


def assert_clean(seen: dict[str, Any]) -> None:
    assert seen["blocked"] == [], "a page tried to reach beyond the server"
    assert seen["pageErrors"] == []
    assert seen["cspViolations"] == []


def assert_fits(checked: dict[str, Any], artifacts) -> None:
    """One page at laptop and phone widths: accessible, no sideways scroll, screenshots kept."""
    assert checked["axe"] == {"laptop": [], "phone": []}, checked["axe"]
    assert checked["overflow"]["laptop"] <= 0 and checked["overflow"]["phone"] <= 0, checked["overflow"]
    for shot in checked["shots"]:
        assert (artifacts / shot).stat().st_size > 10_000, shot


def test_story_2_primary_hands_over_and_can_no_longer_edit(stories: StoryKit, artifacts):
    seen = stories.run("primary-handover", staffKey=stories.staff_key,
                       users=users(stories, "primary", "colleague"))
    assert_clean(seen)
    assert seen["primaryBefore"]["controls"] > 10
    assert seen["chosenByKeyboard"]
    assert seen["colleague"] in seen["confirmation"]
    assert seen["holderAfter"] == seen["colleague"]
    # The header offered it, and no longer does: its viewer asked again, without reloading the page.
    assert seen["organisationName"] in seen["headerBefore"] and seen["organisationName"] not in seen["headerAfter"]
    assert seen["sameDocument"] is True
    # Read-only for the former Primary: no control left on the page, and the API refuses a forged edit.
    assert seen["primaryAfter"] == {"controls": 0, "profileInputs": 0}
    [refusal] = seen["forged"]["body"]["data"]["updateOrganisation"]["userErrors"]
    assert refusal["code"] == "FORBIDDEN"
    # The new Primary edits the profile.
    assert seen["after"]["city"] == "Lyon"
    primaries = [c["person"]["id"] for c in seen["after"]["contacts"] if c["role"] == "PRIMARY"]
    assert primaries == [seen["colleagueId"]]
    for checked in ("primaryBefore", "primaryAfterShots", "colleagueShots"):
        assert_fits(seen[checked], artifacts)


def test_story_3_communications_grid_recommendation_invitation_roster(stories: StoryKit, artifacts):
    seen = stories.run("communications-invite", staffKey=stories.staff_key,
                       users=users(stories, "administrator", "colleague", "chair"))
    assert_clean(seen)
    group, other = seen["groups"]
    assert sorted(seen["contacts"], key=lambda c: c["group"]) == sorted(
        [{"person": seen["colleagueId"], "group": group}, {"person": seen["administratorId"], "group": other}],
        key=lambda c: c["group"],
    )
    assert len(seen["recommendations"]) == 1 and "Cora" in seen["recommendations"][0]
    assert "Invited" in seen["invitationRow"]
    assert "Accepted" in seen["invitationAfter"]
    assert "Member" in seen["rosterRow"] and "serving" in seen["rosterRow"]
    for checked in ("adminShots", "chairShots", "rosterShots"):
        assert_fits(seen[checked], artifacts)


def test_story_4_second_session_sees_the_stale_version_and_reapplies(stories: StoryKit, artifacts):
    seen = stories.run("stale-version", staffKey=stories.staff_key,
                       users=users(stories, "primary", "administrator"))
    assert_clean(seen)
    rows = {row["field"]: row for row in seen["stale"]}
    assert rows["city"] == {"field": "city", "now": "Lyon", "mine": "(not edited)"}  # the first session's change
    assert rows["website"]["mine"] == "https://concurrent.example.org"
    assert seen["websiteKept"] == "https://concurrent.example.org"  # nothing lost from the form
    assert (seen["after"]["city"], seen["after"]["website"]) == ("Lyon", "https://concurrent.example.org")
    assert_fits(seen["staleShots"], artifacts)


def test_story_5_staff_approve_review_and_notice_from_the_queue(stories: StoryKit, artifacts):
    seen = stories.run("staff-queue", staffKey=stories.staff_key,
                       users={**users(stories, "primary"), **users(stories, "staff", role=Role.STAFF.value)})
    assert_clean(seen)
    assert seen["queueCounts"]["applications"] >= 1
    assert "missing: ADMINISTRATOR, SIGNER" in seen["refusal"]
    membership = seen["after"]["membership"]
    assert membership["status"] == "ACTIVE"
    assert seen["lastReviewed"] == membership["lastReviewedOn"] is not None
    assert seen["removalNotice"] == membership["removalNoticeOn"] is not None
    assert any("Removal notice" in line and "Priya" in line for line in seen["outbox"]), seen["outbox"]
    # The queues come from the API's filters: under notice, removable from the day the API says, not yet removable.
    assert membership["removableFrom"] > membership["removalNoticeOn"]
    assert f"removable from {membership['removableFrom']}" in seen["noticeItem"] and seen["inRemovable"] == 0
    for checked in ("queueShots", "refusalShots", "recordShots"):
        assert_fits(seen[checked], artifacts)
