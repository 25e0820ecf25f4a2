"""What invitations refuse, and to whom they are visible: each refusal changes nothing."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, invitations, rosters
from datastore.client import Database
from resolvers.viewer import ANONYMOUS
from tests.conftest import Run
from tests.invitations.conftest import STAFF, person
from tests.invitations.test_invitations_story import ANSWER, INVITE, RECOMMEND, WITHDRAW, ok

pytestmark = pytest.mark.database  # run on every engine (make test)

END = ("mutation($input: EndRosterEntryInput!) { endRosterEntry(input: $input) "
       "{ entry { id until } userErrors { field message code } } }")

TODAY = datetime.now(UTC).date()


def codes(data: dict) -> list[tuple[list[str], str]]:
    [payload] = data.values()
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def stored(db: Database) -> list:
    return [d async for d in db.invitations.find({}, sort=[("_id", 1)])]


async def test_only_the_organisations_primary_or_administrator_recommend(run, story):
    given = {"group": story.group, "person": story.colleagues[0], "organisation": story.organisation}
    for viewer in (ANONYMOUS, person(story.colleagues[1]), person(story.chair), person(story.outsider), STAFF):
        assert codes(await run.as_viewer(viewer)(RECOMMEND, input=given)) == [(["input"], "FORBIDDEN")]
    assert await stored(run.db) == []
    assert ok(await run.as_viewer(person(story.primary))(RECOMMEND, input=given))["status"] == "RECOMMENDED"


async def test_a_recommendation_is_for_a_person_affiliated_and_not_on_the_roster(run, story):
    admin = run.as_viewer(person(story.administrator))
    outsider = {"group": story.group, "person": story.outsider, "organisation": story.organisation}
    assert codes(await admin(RECOMMEND, input=outsider)) == [(["input", "person"], "INVALID")]
    # A colleague who accepted an invitation is on the roster: not recommended again.
    member = story.colleagues[2]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group, "person": member}))
    ok(await run.as_viewer(person(member))(ANSWER, input={"invitation": invited["id"], "accept": True,
                                                          "expectedVersion": 1}))
    on_it = {"group": story.group, "person": member, "organisation": story.organisation}
    [error] = (await admin(RECOMMEND, input=on_it))["recommendForGroup"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "person"], "CONFLICT") and "roster" in error["message"]
    first = {"group": story.group, "person": story.colleagues[0], "organisation": story.organisation}
    ok(await admin(RECOMMEND, input=first))
    assert codes(await admin(RECOMMEND, input=first)) == [(["input", "person"], "CONFLICT")]
    assert len(await stored(run.db)) == 2


async def test_only_the_groups_chairs_and_staff_invite_and_chairs_only_to_member_roles(run, story):
    given = {"group": story.group, "person": story.colleagues[0]}
    for viewer in (ANONYMOUS, person(story.colleagues[1]), person(story.administrator)):
        assert codes(await run.as_viewer(viewer)(INVITE, input=given)) == [(["input"], "FORBIDDEN")]
    # A chair of this group does not chair another.
    elsewhere = {"group": story.other_group, "person": story.colleagues[0]}
    assert codes(await run.as_viewer(person(story.chair))(INVITE, input=elsewhere)) == [(["input"], "FORBIDDEN")]
    officer = {**given, "role": "CO_CHAIR"}
    assert codes(await run.as_viewer(person(story.chair))(INVITE, input=officer)) == [(["input", "role"], "FORBIDDEN")]
    assert await stored(run.db) == []
    assert ok(await run.as_viewer(STAFF)(INVITE, input=officer))["role"] == "CO_CHAIR"


async def test_someone_already_on_the_roster_is_not_invited_again(run, story):
    chair = run.as_viewer(person(story.chair))
    colleague = story.colleagues[0]
    invited = ok(await chair(INVITE, input={"group": story.group, "person": colleague}))
    assert codes(await chair(INVITE, input={"group": story.group, "person": colleague})) == [
        (["input", "person"], "CONFLICT")]
    ok(await run.as_viewer(person(colleague))(ANSWER, input={"invitation": invited["id"], "accept": True,
                                                              "expectedVersion": 1}))
    assert codes(await chair(INVITE, input={"group": story.group, "person": colleague})) == [
        (["input", "person"], "CONFLICT")]


async def test_only_the_person_answers_and_an_answer_after_expires_on_is_refused_without_any_sweep(run, story):
    colleague = story.colleagues[0]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group, "person": colleague}))
    answer = {"invitation": invited["id"], "accept": True, "expectedVersion": 1}
    for viewer in (person(story.chair), person(story.administrator), STAFF, ANONYMOUS):
        assert codes(await run.as_viewer(viewer)(ANSWER, input=answer)) == [(["input"], "FORBIDDEN")]
    stale = {**answer, "expectedVersion": 7}
    assert codes(await run.as_viewer(person(colleague))(ANSWER, input=stale)) == [
        (["input", "expectedVersion"], "STALE_VERSION")]
    # Its last day was yesterday (UTC): nothing has marked it EXPIRED, and still it cannot be accepted.
    await run.db.invitations.update_one({"_id": invited["id"]},
                                        {"$set": {"expires_on": (TODAY - timedelta(days=1)).isoformat()}})
    late = await run.as_viewer(person(colleague))(ANSWER, input=answer)
    [error] = late["answerInvitation"]["userErrors"]
    assert error["code"] == "INVALID_TRANSITION" and "expired" in error["message"]
    assert await run.db.roster.count_documents({"person_id": colleague, "group_id": story.group}) == 0


async def test_withdrawn_once_by_whoever_made_it_and_not_twice(run, story):
    recommended = ok(await run.as_viewer(person(story.administrator))(RECOMMEND, input={
        "group": story.group, "person": story.colleagues[0], "organisation": story.organisation}))
    withdraw = {"invitation": recommended["id"], "expectedVersion": 1}
    # Not the chair: a recommendation is its organisation's to withdraw (its Primary too), or staff's.
    assert codes(await run.as_viewer(person(story.chair))(WITHDRAW, input=withdraw)) == [(["input"], "FORBIDDEN")]
    withdrawn = ok(await run.as_viewer(person(story.primary))(WITHDRAW, input=withdraw))
    assert (withdrawn["status"], withdrawn["version"]) == ("WITHDRAWN", 2)
    twice = await run.as_viewer(person(story.primary))(WITHDRAW, input={**withdraw, "expectedVersion": 2})
    assert codes(twice) == [(["input"], "INVALID_TRANSITION")]

    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group,
                                                                          "person": story.colleagues[1]}))
    withdraw = {"invitation": invited["id"], "expectedVersion": 1}
    for viewer in (person(story.administrator), person(story.colleagues[1])):
        assert codes(await run.as_viewer(viewer)(WITHDRAW, input=withdraw)) == [(["input"], "FORBIDDEN")]
    assert ok(await run.as_viewer(person(story.chair))(WITHDRAW, input=withdraw))["status"] == "WITHDRAWN"
    assert codes(await run.as_viewer(STAFF)(WITHDRAW, input={**withdraw, "expectedVersion": 2})) == [
        (["input"], "INVALID_TRANSITION")]
    late = await run.as_viewer(person(story.colleagues[1]))(ANSWER, input={"invitation": invited["id"],
                                                                            "accept": True, "expectedVersion": 2})
    assert codes(late) == [(["input"], "INVALID_TRANSITION")]


async def test_a_message_is_plain_text_of_at_most_1000_characters(run, story):
    chair = run.as_viewer(person(story.chair))
    given = {"group": story.group, "person": story.colleagues[0]}
    long = await chair(INVITE, input={**given, "message": "x" * 1001})
    assert long["inviteToGroup"]["userErrors"] == [
        {"field": ["input", "message"], "message": "at most 1000 characters (got 1001)", "code": "INVALID"}]
    assert codes(await chair(INVITE, input={**given, "message": "hello\x1b[31m"})) == [
        (["input", "message"], "INVALID")]
    assert await stored(run.db) == []
    assert ok(await chair(INVITE, input={**given, "message": "x" * 1000}))["message"] == "x" * 1000


class Limited(Run):
    """A server configured with MEMBERDIR_INVITATIONS_PER_DAY=2."""

    def as_viewer(self, viewer):
        return Limited(self.schema, self.db, viewer)

    def _context(self):
        context = super()._context()
        context.invitations_per_day = 2
        return context


async def test_a_sender_makes_at_most_the_daily_limit_even_all_at_once(schema, story_db, story):
    chair = Limited(schema, story_db).as_viewer(person(story.chair))
    staff = Limited(schema, story_db).as_viewer(STAFF)
    # Another sender's invitation first: it counts against theirs alone. (It also writes the first
    # generation tokens of the collections involved: FerretDB 1.24 answers concurrent first upserts
    # of one meta document without nModified, which PyMongo's bulk_write cannot read.)
    assert ok(await staff(INVITE, input={"group": story.group, "person": story.outsider}))["status"] == "INVITED"
    sent = await asyncio.gather(*(chair(INVITE, input={"group": story.group, "person": p})
                                  for p in story.colleagues[:4]))
    refused = [e for data in sent for e in data["inviteToGroup"]["userErrors"]]
    assert {e["code"] for e in refused} == {"RATE_LIMITED"} and "today" in refused[0]["message"]
    # Never past the limit (sends checking at once may all see each other's claims and all be refused).
    assert len(await stored(story_db)) - 1 <= 2 and len(refused) >= 2
    # One at a time, up to the limit exactly.
    while len(await stored(story_db)) - 1 < 2:
        ok(await chair(INVITE, input={"group": story.group, "person": story.colleagues[4]}))
    assert codes(await chair(INVITE, input={"group": story.group, "person": story.colleagues[5]})) == [
        (["input"], "RATE_LIMITED")]


NODE = 'query($id: ID!) { node(id: $id) { ... on Invitation { id status } } }'


@pytest.mark.parametrize("who, sees", [
    ("colleague", True), ("chair", True), ("administrator", True), ("primary", True), ("staff", True),
    ("outsider", False), ("other colleague", False), ("anonymous", False),
])
async def test_an_invitation_is_seen_by_those_it_concerns(run, story, who, sees):
    recommended = ok(await run.as_viewer(person(story.administrator))(RECOMMEND, input={
        "group": story.group, "person": story.colleagues[0], "organisation": story.organisation}))
    viewer = {"colleague": person(story.colleagues[0]), "chair": person(story.chair),
              "administrator": person(story.administrator), "primary": person(story.primary), "staff": STAFF,
              "outsider": person(story.outsider), "other colleague": person(story.colleagues[1]),
              "anonymous": ANONYMOUS}[who]
    found = (await run.as_viewer(viewer)(NODE, id=recommended["id"]))["node"]
    assert (found is not None) is sees
    group_list = (await run.as_viewer(viewer)('query($id: ID!) { workingGroup(id: $id) { invitations '
                                              '{ totalCount } } }', id=story.group))["workingGroup"]["invitations"]
    assert (group_list is not None) is (who in ("chair", "staff"))
    person_list = (await run.as_viewer(viewer)('query($id: ID!) { person(id: $id) { invitations { totalCount } } }',
                                               id=story.colleagues[0]))["person"]["invitations"]
    assert (person_list is not None) is (who in ("colleague", "staff"))


async def test_the_chair_who_sent_an_invitation_withdraws_it_after_handing_over_the_chair(run, story):
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group,
                                                                          "person": story.colleagues[0]}))
    [tenure] = [e for e in await rosters.by_people(run.db, [story.chair])
                if e.group_id == story.group and e.role.value == "CHAIR" and e.until is None]
    ended = await run.as_viewer(STAFF)(END, input={"entryId": tenure.id, "expectedVersion": tenure.version,
                                                   "until": (TODAY - timedelta(days=1)).isoformat()})
    assert ended["endRosterEntry"]["userErrors"] == []
    # No longer a chair: no new invitation, but theirs is still theirs to withdraw.
    again = await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group,
                                                                     "person": story.colleagues[1]})
    assert codes(again) == [(["input"], "FORBIDDEN")]
    withdrawn = ok(await run.as_viewer(person(story.chair))(WITHDRAW, input={"invitation": invited["id"],
                                                                              "expectedVersion": 1}))
    # Done; the payload shows nothing: a former chair is no longer among those who see the group's invitations.
    assert withdrawn is None
    [stored_one] = await invitations.by_ids(run.db, [invited["id"]])
    assert stored_one.status.value == "WITHDRAWN"
    [logged] = [c for c in await changes.audit_page(run.db, changes.AuditFilter(record_id=invited["id"]), None, 5)
                if c.action.value == "WITHDRAW"]
    assert logged.actor.role == "inviter"
