"""Accepting is one claimed change: the invitation's ACCEPTED, the roster entry and the
inviter's notification are written both or neither, wherever the writer is cut off."""

from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, faults, invitations, outbox, rosters, writes
from datastore.changes import ChangeState
from datastore.rosters import RosterEntry
from datastore.records.vocabulary import RosterRole
from tests.invitations.conftest import person
from tests.invitations.test_invitations_story import ANSWER, INVITE, ok

pytestmark = pytest.mark.database  # run on every engine (make test)


@pytest.fixture(autouse=True)
def _no_faults():
    yield
    faults.configure(None)


@pytest.mark.parametrize("point", ["after_claim", "after_effect_1", "after_effect_2", "after_record",
                                   "before_mark_applied"])
async def test_an_acceptance_cut_off_anywhere_is_completed_whole_by_recovery(run, story, point):
    colleague = story.colleagues[0]
    invited = ok(await run.as_viewer(person(story.chair))(INVITE, input={"group": story.group, "person": colleague}))
    faults.configure(f"{point}=raise")
    await run.as_viewer(person(colleague)).errors(ANSWER, input={"invitation": invited["id"], "accept": True,
                                                                 "expectedVersion": 1})
    faults.configure(None)
    [claimed] = await changes.in_flight(run.db)
    # Nothing of it is owed for delivery while it is in flight.
    assert not [n for n in await outbox.due(run.db, datetime.now(UTC) + timedelta(days=3650), 100)
                if n.kind.value == "INVITATION_ANSWERED"]
    assert await writes.recover(run.db, lease=timedelta(0)) == 1
    assert (await changes.by_id(run.db, claimed.id)).state is ChangeState.APPLIED
    [accepted] = await invitations.by_ids(run.db, [invited["id"]])
    entry_id = RosterEntry(story.group, colleague, RosterRole.MEMBER, claimed.at.date()).id
    assert (accepted.status.value, accepted.version, accepted.roster_entry_id) == ("ACCEPTED", 2, entry_id)
    assert [e.id for e in await rosters.by_ids(run.db, [entry_id])] == [entry_id]
    answered = await outbox.page(run.db, outbox.NotificationFilter(record_id=invited["id"]), None, 10)
    assert [(n.kind.value, n.recipient_id) for n in answered if n.kind.value == "INVITATION_ANSWERED"] == [
        ("INVITATION_ANSWERED", story.chair)]
