"""Issue 25's stories 1, 6 and 7 in a real browser, signed in through a real
OpenID Connect provider's own login page (tests/oidc_provider.py), against
one app shared by every story; each story makes its own data as staff. Also
/apply by keyboard, a stale version on /me, and the development key sign-in.
Screenshots at laptop and phone widths go to test-artifacts/browser/.
"""

import secrets

import httpx

from datastore.records.vocabulary import Role
from memberdir import api_keys
from story_kit import CREATE_PERSON as STORY_PERSON
from story_kit import ASSIGN, StoryKit
from tests.conftest import ACCEPTED_AGREEMENTS

APPLY_INDIVIDUAL = """mutation StoryApplyIndividual($input: ApplyForIndividualMembershipInput!) {
  applyForIndividualMembership(input: $input) { person { id } userErrors { field message code } } }"""
DECIDE_INDIVIDUAL = """mutation StoryDecideIndividual($input: DecideIndividualMembershipInput!) {
  decideIndividualMembership(input: $input) { person { id } userErrors { field message code } } }"""
SUBSCRIBE = """mutation StorySubscribe($input: SetCommunicationsInput!) {
  setCommunications(input: $input) { person { id } userErrors { field message code } } }"""
ADD_TENURE = """mutation StoryAddTenure($input: AddRosterEntryInput!) {
  addRosterEntry(input: $input) { entry { id } userErrors { field message code } } }"""
PERSON = """query StoryPerson($id: ID!) { person(id: $id) {
  contactVisibility communications { id } subscriptions { id } roles { role workingGroup { id } }
  individualMembership { status history { status } } } }"""
INVITE = """mutation StoryInvite($input: InviteToGroupInput!) {
  inviteToGroup(input: $input) { invitation { id } userErrors { field message code } } }"""
ROSTER = "query StoryRoster($slug: String!) { workingGroup(slug: $slug) { roster { nodes { person { id } } } } }"
ORGANISATION = "query StoryOrganisation($id: ID!) { organisation(id: $id) { website version } }"


def assert_clean(seen: dict) -> None:
    assert seen["blocked"] == [], "a page tried to reach beyond the server"
    assert seen["pageErrors"] == []
    assert seen["cspViolations"] == []


def assert_accessible(seen: dict, artifacts) -> None:
    assert seen["axe"] == {"laptop": [], "phone": []}, seen["axe"]
    assert seen["overflow"]["phone"] <= 0, "the page scrolls sideways at 390 px"
    for shot in seen["shots"]:
        assert (artifacts / shot).stat().st_size > 5_000, shot


def test_story_1_a_member_keeps_their_privacy_communications_and_membership_on_me(stories: StoryKit, artifacts):
    member = stories.member("Mina", orcid="0000-0002-1825-0097", contactVisibility="PUBLIC")
    group = stories.group()
    # Her organisation assigns her two groups; one of them she subscribed to herself as well.
    assigned_too, assigned_only = stories.group(), stories.group()
    employer = stories.organisation(stories.member("Osei"))
    stories.affiliate(member, employer["id"])
    version = employer["version"]
    for assigned in (assigned_too, assigned_only):
        version = stories.ok(ASSIGN, {"organisationId": employer["id"], "expectedVersion": version,
                                      "role": "COMMUNICATIONS", "personId": member.id,
                                      "workingGroupId": assigned["id"]})["organisation"]["version"]
    stories.ok(SUBSCRIBE, {"personId": member.id, "expectedVersion": stories.version(member.id),
                           "workingGroupIds": [group["id"], assigned_too["id"]]})
    stories.ok(APPLY_INDIVIDUAL, {"personId": member.id, "expectedVersion": stories.version(member.id),
                                  "acceptedAgreements": ACCEPTED_AGREEMENTS})
    stories.ok(DECIDE_INDIVIDUAL, {"personId": member.id, "expectedVersion": stories.version(member.id),
                                   "decision": "APPROVE"})

    inviting = stories.group()
    stories.ok(INVITE, {"group": inviting["id"], "person": member.id, "message": "Join us, Mina."})

    seen = stories.run("member-profile", user=member.user(), personId=member.id, groupId=group["id"],
                       invitingGroupSlug=inviting["slug"])

    assert_clean(seen)
    assert seen["landed"] == f"{stories.base}/me"
    assert member.name in seen["header"]
    # The preview is the API's: ORCID shown to anyone, then to staff only.
    assert seen["before"]["ANONYMOUS"]["orcid"] == "0000-0002-1825-0097"
    assert seen["before"]["MEMBER"]["email"] == member.email
    assert seen["keyboard"] == {"reachedChoice": True, "chosenByKeyboard": True, "reachedSave": True}
    assert seen["after"]["ANONYMOUS"]["orcid"] == "hidden"
    assert seen["after"]["MEMBER"] == {"email": "hidden", "orcid": "hidden"}
    assert seen["after"]["STAFF"] == {"email": member.email, "orcid": "0000-0002-1825-0097"}
    assert "Saved" in seen["savedStatus"]
    # An anonymous request, outside the browser, confirms it.
    assert seen["anonymousBefore"]["data"]["person"]["orcid"] == "0000-0002-1825-0097"
    assert seen["anonymousAfter"]["data"]["person"] == {"orcid": None, "hiddenContactDetails": ["EMAIL", "ORCID"]}
    # Unsubscribed, and cancelled after a confirmation that names what happens.
    assert (seen["subscribedBefore"], seen["subscribedAfter"]) == (True, False)
    assert seen["statusBefore"] == "ACTIVE" and seen["statusAfter"] == "CANCELLED"
    assert "Cancelled" in seen["confirmation"] and "apply again" in seen["confirmation"]
    stored = stories.api(PERSON, {"id": member.id})["data"]["person"]
    assert stored["contactVisibility"] == "STAFF"
    # Saving her subscriptions dropped only the one she unticked: not the one also assigned, nor any assignment.
    assert stored["subscriptions"] == [{"id": assigned_too["id"]}]
    assert {c["id"] for c in stored["communications"]} == {assigned_too["id"], assigned_only["id"]}
    assert sorted(r["workingGroup"]["id"] for r in stored["roles"] if r["role"] == "COMMUNICATIONS") == sorted(
        [assigned_too["id"], assigned_only["id"]])
    assert [c["status"] for c in stored["individualMembership"]["history"]] == ["APPLICANT", "ACTIVE", "CANCELLED"]
    # The invitation, accepted in /me, puts them on the roster; the notifications are theirs.
    assert "Join us, Mina." in seen["invitedMessage"]
    roster = stories.api(ROSTER, {"slug": inviting["slug"]})["data"]["workingGroup"]["roster"]["nodes"]
    assert [entry["person"]["id"] for entry in roster] == [member.id]
    assert "INVITATION" in seen["notifications"]
    assert_accessible(seen, artifacts)


def test_story_6_a_person_who_is_not_primary_sees_no_edit_controls_and_a_forged_mutation_is_refused(stories: StoryKit, artifacts):
    primary = stories.member("Priya")
    name = f"Read Only Genomics {stories.tag()}"
    organisation = stories.organisation(primary, name=name, website="https://before.example.org")
    colleague = stories.member("Colm")
    stories.affiliate(colleague, organisation["id"])
    forged_website = "https://forged.example.org"

    seen = stories.run("not-primary", user=colleague.user(), slug=organisation["slug"],
                       organisationId=organisation["id"], version=organisation["version"], forgedWebsite=forged_website)

    assert_clean(seen)
    assert seen["landed"] == f"{stories.base}/manage/organisations/{organisation['slug']}"
    assert seen["heading"] == name  # the read-only page names the organisation
    assert seen["editControls"] == []
    assert not {"input[text]", "select[select-one]", "textarea[textarea]", "button[submit]"} & set(seen["keyboardStops"])
    # The page's own session, a forged request: the API refuses it as it would any caller's.
    assert seen["forged"]["status"] == 200, seen["forged"]
    payload = seen["forged"]["body"]["data"]["updateOrganisation"]
    assert payload["organisation"] is None
    assert [error["code"] for error in payload["userErrors"]] == ["FORBIDDEN"]
    assert stories.api(ORGANISATION, {"id": organisation["id"]})["data"]["organisation"]["website"] == "https://before.example.org"
    assert_accessible(seen, artifacts)


def test_story_7_every_page_passes_axe_at_both_widths_and_works_by_keyboard(stories: StoryKit, artifacts):
    member = stories.member("Kofi")
    organisation = stories.organisation(member)
    group = stories.group()
    stories.ok(ADD_TENURE, {"groupId": group["id"], "expectedVersion": group["version"], "personId": member.id,
                            "role": "CHAIR"})
    staff_user = stories.provider.add_user(f"staff.{stories.tag()}@example.org", role="STAFF")

    seen = stories.run("every-page", member=member.user(), staff={"email": staff_user.email, "password": staff_user.password},
                       organisationSlug=organisation["slug"], groupSlug=group["slug"])

    assert_clean(seen)
    pages = seen["checked"]
    assert {"/", "/me", "/apply", "/dashboard", "/staff"} <= {page["path"] for page in pages.values()}
    # Signed in with the role claim "STAFF" (its case as the issuer spells it), /staff shows the queues.
    assert staff_user.role == "STAFF"
    assert seen["staffView"]["refused"] is False
    # No person in the directory goes with this staff sign-in: the header says who the issuer said it is.
    assert seen["staffView"]["who"] == f"Signed in as staff ({staff_user.email})"
    assert {"applications", "individuals", "reviews", "notices", "removable", "needing-primary", "failed"} <= set(
        seen["staffView"]["queues"])
    assert any(page["path"].startswith("/manage/organisations/") for page in pages.values())
    assert any(page["path"].startswith("/manage/groups/") for page in pages.values())
    for name, page in pages.items():
        assert page["axe"] == {"laptop": [], "phone": []}, (name, page["axe"])
        assert page["overflow"]["phone"] <= 0, f"{name} scrolls sideways at 390 px"
        for shot in page["shots"]:
            assert (artifacts / shot).stat().st_size > 5_000, shot
    keyboard = seen["keyboard"]
    assert keyboard["skipLinkFirst"] and keyboard["skippedToMain"] and keyboard["reachedSignOut"]
    assert keyboard["afterSignOut"] == "false" and keyboard["session"]["signedIn"] is False


APPLICATION = """query StoryApplication($slug: String!) { organisation(slug: $slug) {
  kind country { code } website sectors membership { status } contacts { role person { id name } } } }"""


def test_apply_a_person_applies_by_keyboard_becomes_primary_and_names_an_administrator(stories: StoryKit, artifacts):
    member = stories.member("Wanjiru")
    tag = stories.tag()
    colleague = {"givenName": "Otieno", "familyName": f"Colleague-{tag}", "email": f"otieno.{tag}@example.org"}

    seen = stories.run("apply", user=member.user(), organisationName=f"Kenya Genomics {tag}", colleague=colleague)

    assert_clean(seen)
    assert seen["chosen"] == {"kind": "ACADEMIC", "country": "KE"}
    assert member.name in seen["afterApplying"]
    assert seen["contacts"]["ADMINISTRATOR"] == f"Otieno Colleague-{tag}"
    stored = stories.api(APPLICATION, {"slug": seen["slug"]})["data"]["organisation"]
    assert stored["membership"]["status"] == "APPLICANT" and stored["kind"] == "ACADEMIC"
    assert stored["country"]["code"] == "KE" and stored["sectors"] == ["RESEARCH"]
    contacts = {c["role"]: c["person"]["name"] for c in stored["contacts"]}
    assert contacts == {"PRIMARY": member.name, "ADMINISTRATOR": f"Otieno Colleague-{tag}"}
    # Applying affiliated the applicant with the organisation: nothing was asked of staff.
    affiliation = stories.api("query StoryAffiliation($id: ID!) { person(id: $id) { affiliation { slug } } }",
                              {"id": member.id})["data"]["person"]["affiliation"]
    assert affiliation == {"slug": seen["slug"]}
    assert_accessible(seen, artifacts)


def test_me_shows_a_stale_version_with_what_changed_and_reapplies_the_edit(stories: StoryKit, artifacts):
    member = stories.member("Lea")
    seen = stories.run("me-stale", user=member.user(), personId=member.id, staffKey=stories.staff_key,
                       staffFamilyName="Changed-By-Staff", myGivenName="Leah")

    assert_clean(seen)
    assert seen["renamed"]["userErrors"] == []
    assert {"field": "familyName", "now": "Changed-By-Staff", "mine": "(not edited)"} in seen["rows"]
    assert {"field": "givenName", "now": "Lea", "mine": "Leah"} in seen["rows"]
    assert seen["kept"] == "Leah"
    assert seen["afterReapply"] == {"givenName": "Leah", "familyName": "Changed-By-Staff"}
    stored = stories.api("query StoryName($id: ID!) { person(id: $id) { givenName familyName } }", {"id": member.id})
    assert stored["data"]["person"] == {"givenName": "Leah", "familyName": "Changed-By-Staff"}
    assert (artifacts / seen["shots"][0]).stat().st_size > 5_000


async def test_me_in_development_signs_in_with_a_key_and_shows_field_errors_and_the_pending_address(browser, page_server, demo_db):
    """The app without an issuer (page_server): the header's development key field."""
    staff = (await api_keys.issue(demo_db, "browser me dev key staff", Role.STAFF)).secret_key
    tag = secrets.token_hex(3)
    made = httpx.post(f"{page_server}/graphql", headers={"Authorization": f"Bearer {staff}"}, timeout=60, json={
        "query": STORY_PERSON, "variables": {"input": {"givenName": "Ines", "familyName": f"Dev-{tag}",
                                                       "email": f"ines.{tag}@example.org"}}}).json()
    person = made["data"]["createPerson"]["person"]["id"]
    key = (await api_keys.issue(demo_db, "browser me dev key", Role.MEMBER, person_id=person)).secret_key

    seen = browser.story("me-dev-key", key=key, newEmail=f"ines.new.{tag}@example.org")

    assert_clean(seen)
    assert "Sign in" in seen["beforeText"]
    assert f"Ines Dev-{tag}" in seen["who"]
    assert seen["orcidErrors"] and seen["orcidDescribed"] and seen["kept"] == "1234"
    assert seen["pending"] == f"ines.new.{tag}@example.org"
    assert seen["emailField"] == f"ines.{tag}@example.org"  # unchanged until the link is followed
    assert "accept the Constitution and the Member Agreement" in seen["unaccepted"]
    # The versions in force are the server's (page_server's settings), read from the API, and recorded as accepted.
    assert seen["labels"] == ["I accept the Constitution (version 2025-09).", "I accept the Member Agreement (version 2025-10)."]
    recorded = httpx.post(f"{page_server}/graphql", headers={"Authorization": f"Bearer {staff}"}, timeout=60, json={
        "query": "query StoryHistory($id: ID!) { person(id: $id) { individualMembership { status history { "
                 "reason acceptedAgreements { constitution memberAgreement } } } } }",
        "variables": {"id": person}}).json()["data"]["person"]["individualMembership"]
    assert recorded["status"] == "APPLICANT"
    assert recorded["history"][-1] == {"reason": None,
                                       "acceptedAgreements": {"constitution": "2025-09", "memberAgreement": "2025-10"}}
    assert "Accepted the Constitution (version 2025-09) and the Member Agreement (version 2025-10)." in seen["history"]
