"""serve's sweep marks unanswered invitations EXPIRED once their last day (UTC) is over."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, invitations
from memberdir.invitation_expiry import expiring
from tests.invitations.conftest import person
from tests.invitations.test_invitations_story import INVITE, ok

pytestmark = pytest.mark.database  # run on every engine (make test)

TODAY = datetime.now(UTC).date()


async def test_the_sweep_in_serve_expires_what_is_past_its_day_and_nothing_else(run, story):
    chair = run.as_viewer(person(story.chair))
    past = ok(await chair(INVITE, input={"group": story.group, "person": story.colleagues[0]}))
    current = ok(await chair(INVITE, input={"group": story.group, "person": story.colleagues[1],
                                            "expiresOn": TODAY.isoformat()}))
    # Its last day was yesterday (what a month of waiting would have made of it).
    await run.db.invitations.update_one({"_id": past["id"]},
                                        {"$set": {"expires_on": (TODAY - timedelta(days=1)).isoformat()}})
    async with expiring(lambda: run.db, 0.05, timedelta(seconds=30)):
        for _ in range(1200):  # up to 60 s, until the expiry is in the audit log (its change applied)
            logged = await changes.audit_page(run.db, changes.AuditFilter(record_id=past["id"]), None, 10)
            if len(logged) == 2:
                break
            await asyncio.sleep(0.05)
    [found] = await invitations.by_ids(run.db, [past["id"]])
    assert found.status.value == "EXPIRED" and found.version == 2
    [still] = await invitations.by_ids(run.db, [current["id"]])
    assert still.status.value == "INVITED" and still.version == 1
    assert [c.action.value for c in logged] == ["EXPIRE", "INVITE"]
    assert await changes.in_flight(run.db) == []
