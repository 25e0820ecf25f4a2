"""The issue's story, at the GraphQL level: the Administrator of Allele Genomics recommends a
colleague for the Data Security Work Stream, the chair invites, the colleague accepts and is on
the roster from that day; a second colleague declines; a third invitation expires unanswered.
Every step is in the audit log."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, invitations, outbox, rosters
from datastore.rosters import RosterEntry
from datastore.records.vocabulary import RosterRole
from memberdir.notifications.mail import render
from memberdir.notifications.recipients import Recipient
from tests.invitations.conftest import STAFF, person
from tests.notifications.conftest import deliver_until, smtp_server  # noqa: F401 (smtp_server: a fixture)

pytestmark = pytest.mark.database  # run on every engine (make test)

ERRORS = "userErrors { field message code }"
INVITATION = ("invitation { id status role version message expiresOn answeredAt createdAt "
              "group { id } person { id } recommendedBy { id } invitedBy { id } }")
RECOMMEND = f"mutation($input: RecommendForGroupInput!) {{ recommendForGroup(input: $input) {{ {INVITATION} {ERRORS} }} }}"
INVITE = f"mutation($input: InviteToGroupInput!) {{ inviteToGroup(input: $input) {{ {INVITATION} {ERRORS} }} }}"
ANSWER = f"mutation($input: AnswerInvitationInput!) {{ answerInvitation(input: $input) {{ {INVITATION} {ERRORS} }} }}"
WITHDRAW = (f"mutation($input: WithdrawInvitationInput!) {{ withdrawInvitation(input: $input) "
            f"{{ {INVITATION} {ERRORS} }} }}")
TODAY = datetime.now(UTC).date()


async def owed(run, invitation_id: str) -> list[tuple[str, str | None]]:
    """(kind, recipient) of each notification the invitation's changes owe, in the order written."""
    found = await outbox.page(run.db, outbox.NotificationFilter(record_id=invitation_id), None, 50)
    return [(n.kind.value, n.recipient_id) for n in reversed(found)]


def ok(data: dict) -> dict:
    [payload] = data.values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["invitation"]


async def test_recommended_invited_accepted_and_on_the_roster_from_that_day(run, story):
    colleague = story.colleagues[0]
    recommended = ok(await run.as_viewer(person(story.administrator))(RECOMMEND, input={
        "group": story.group, "person": colleague, "organisation": story.organisation,
        "message": "Leads our security audits.", "reason": "asked by the work stream"}))
    assert (recommended["status"], recommended["role"], recommended["version"]) == ("RECOMMENDED", "MEMBER", 1)
    assert recommended["recommendedBy"] == {"id": story.organisation} and recommended["invitedBy"] is None
    # The chairs are owed a notification, written with the recommendation.
    assert await owed(run, recommended["id"]) == [("RECOMMENDATION", story.chair)]

    # The chair sees it among the group's invitations; the colleague among their own.
    listed = await run.as_viewer(person(story.chair))(
        'query($id: ID!) { workingGroup(id: $id) { invitations { totalCount nodes { id status } } } }', id=story.group)
    assert listed["workingGroup"]["invitations"] == {"totalCount": 1,
                                                     "nodes": [{"id": recommended["id"], "status": "RECOMMENDED"}]}

    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={
        "group": story.group, "person": colleague, "recommendation": recommended["id"],
        "message": "Welcome: we meet on Tuesdays."}))
    assert (invited["id"], invited["status"], invited["version"]) == (recommended["id"], "INVITED", 2)
    assert invited["invitedBy"] == {"id": story.chair} and invited["recommendedBy"] == {"id": story.organisation}
    assert invited["expiresOn"] == (TODAY + timedelta(days=30)).isoformat()
    assert await owed(run, invited["id"]) == [("RECOMMENDATION", story.chair), ("INVITATION", colleague)]

    mine = await run.as_viewer(person(colleague))(
        'query($id: ID!) { person(id: $id) { invitations(statuses: [INVITED]) { nodes { id message } } } }',
        id=colleague)
    assert mine["person"]["invitations"]["nodes"] == [{"id": invited["id"], "message": "Welcome: we meet on Tuesdays."}]

    accepted = ok(await run.as_viewer(person(colleague))(ANSWER, input={
        "invitation": invited["id"], "accept": True, "expectedVersion": 2}))
    assert (accepted["status"], accepted["version"]) == ("ACCEPTED", 3) and accepted["answeredAt"]
    assert (await owed(run, invited["id"]))[-1] == ("INVITATION_ANSWERED", story.chair)

    entry_id = RosterEntry(story.group, colleague, RosterRole.MEMBER, TODAY).id
    [entry] = await rosters.by_ids(run.db, [entry_id])
    assert (entry.since, entry.until, entry.role) == (TODAY, None, RosterRole.MEMBER)
    roster = await run('query($id: ID!) { workingGroup(id: $id) { roster(activeOn: null, roles: [MEMBER]) '
                       '{ nodes { id since person { id } } } } }', id=story.group)
    assert {"id": entry_id, "since": TODAY.isoformat(), "person": {"id": colleague}} in \
        roster["workingGroup"]["roster"]["nodes"]

    # The audit log holds every step, each as whoever took it.
    log = await run.as_viewer(STAFF)('query($id: ID!) { auditLog(filter: {recordId: $id}) { nodes { action '
                                     'recordType actorRole actorPerson { id } fields { field before after } } } }',
                                     id=invited["id"])
    steps = list(reversed(log["auditLog"]["nodes"]))
    assert [(s["action"], s["actorRole"], s["actorPerson"]["id"]) for s in steps] == [
        ("RECOMMEND", "administrator", story.administrator), ("INVITE", "chair", story.chair),
        ("ACCEPT", "self", colleague)]
    assert {"field": "status", "before": "INVITED", "after": "ACCEPTED"} in steps[2]["fields"]
    assert {"field": "rosterEntry", "before": None, "after": entry_id} in steps[2]["fields"]
    [accepting] = await changes.audit_page(run.db, changes.AuditFilter(record_id=entry_id), None, 10)
    assert (accepting.action.value, accepting.owner_id, accepting.record_type.value) == (
        "ACCEPT", invited["id"], "ROSTER_ENTRY")


async def test_a_second_colleague_declines_and_joins_nothing(run, story):
    colleague = story.colleagues[1]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group, "person": colleague}))
    declined = ok(await run.as_viewer(person(colleague))(ANSWER, input={
        "invitation": invited["id"], "accept": False, "expectedVersion": invited["version"],
        "reason": "no time this year"}))
    assert declined["status"] == "DECLINED" and declined["answeredAt"]
    assert not [e for e in await rosters.by_people(run.db, [colleague]) if e.group_id == story.group]
    again = await run.as_viewer(person(colleague))(ANSWER, input={
        "invitation": invited["id"], "accept": True, "expectedVersion": declined["version"]})
    assert [e["code"] for e in again["answerInvitation"]["userErrors"]] == ["INVALID_TRANSITION"]


async def test_a_third_invitation_expires_unanswered(run, story):
    colleague = story.colleagues[2]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={
        "group": story.group, "person": colleague, "expiresOn": TODAY.isoformat()}))
    # Not yet: it is answerable to the end of today (UTC).
    assert await invitations.expire_due(run.db) == 0
    tomorrow = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    # Two sweepers at once (two server processes): the invitation expires once.
    assert sorted(await asyncio.gather(*(invitations.expire_due(run.db, tomorrow) for _ in range(3)))) == [0, 0, 1]
    assert await invitations.expire_due(run.db, tomorrow) == 0
    [expired] = await invitations.by_ids(run.db, [invited["id"]])
    assert expired.status.value == "EXPIRED" and expired.version == 2
    late = await run.as_viewer(person(colleague))(ANSWER, input={
        "invitation": invited["id"], "accept": True, "expectedVersion": 2})
    assert [e["code"] for e in late["answerInvitation"]["userErrors"]] == ["INVALID_TRANSITION"]
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id=invited["id"],
                                                                     actions=(changes.ChangeAction.EXPIRE,)), None, 5)
    assert logged.actor.role == "expiry"


async def test_the_invitation_mail_says_what_the_group_is_who_invited_and_the_message(run, story):
    colleague = story.colleagues[3]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={
        "group": story.group, "person": colleague, "message": "Join us <b>soon</b>.\nWe meet monthly."}))
    [notification] = await outbox.page(run.db, outbox.NotificationFilter(record_id=invited["id"]), None, 5)
    assert (notification.kind.value, notification.recipient_id) == ("INVITATION", colleague)
    chair = (await run(f'{{ person(id: "{story.chair}") {{ name }} }}'))["person"]["name"]
    text, html = render(notification, Recipient(colleague, "Dear Colleague", "colleague@example.org"),
                        "Member Directory <directory@example.org>")
    assert "Data Security Work Stream" in text and chair in text and "invites you" in text
    assert "Join us <b>soon</b>.\nWe meet monthly." in text and invited["expiresOn"] in text
    # The HTML alternative escapes the message: plain text, never markup.
    assert "Join us &lt;b&gt;soon&lt;/b&gt;." in html and "<b>soon</b>" not in html
    # Nothing a recipient may not see: no e-mail address of anyone in the values.
    assert "@" not in str(notification.values)


async def test_the_invited_colleague_gets_the_mail_through_a_real_smtp_server(run, story, smtp_server):  # noqa: F811
    """The outbox's delivery loop sends the invitation: to the colleague's address, in their name,
    saying what the group is and who invited them."""
    colleague = story.colleagues[4]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={
        "group": story.group, "person": colleague, "message": "We would value your audits."}))
    someone = (await run.as_viewer(STAFF)(f'{{ person(id: "{colleague}") {{ name email }} }}'))["person"]
    chair = (await run(f'{{ person(id: "{story.chair}") {{ name }} }}'))["person"]["name"]
    await deliver_until(run.db, smtp_server, lambda received: any(r.recipients == (someone["email"],) for r in received))
    [received] = [r for r in smtp_server.received if r.recipients == (someone["email"],)]
    text = received.part("plain")
    assert "Data Security Work Stream" in text and chair in text and "We would value your audits." in text
    assert someone["name"] in received.message["To"] and invited["expiresOn"] in text
