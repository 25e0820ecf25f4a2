"""The outbox core: a change and the notifications it owes are written both or neither.

A writer is cut off (datastore.faults `raise`: the database is left exactly as a
kill at that instant leaves it) between each two of its writes; until the
change is completed nothing it owes is due for delivery, and once recovery
completes it, every notification is there, once, with the id it was planned
with. A change that is refused (a rule spanning records, a unique value taken
meanwhile) leaves no notification behind.
"""

from dataclasses import replace
from datetime import timedelta

import pytest

from datastore import changes, edits, faults, organisations, outbox, writes
from datastore.records.changes import Actor, ChangeState
from datastore.client import Database
from datastore.records.outbox import Owed
from datastore.records.vocabulary import ChangeAction, DeliveryChannel, DeliveryState, NotificationKind, RecordType
from tests.conftest import fresh_database, load_directory

pytestmark = pytest.mark.database  # run on every engine (make test)
STAFF = Actor(role="staff", key_id="key_test")
FAR_FUTURE = timedelta(days=3650)


@pytest.fixture
async def db(ferretdb) -> Database:
    database = await fresh_database(ferretdb, "test_outbox_core")
    await load_directory(database)
    yield database
    faults.configure(None)
    await database.close()


def _owed(recipient: str, n: int, key: str | None = None) -> Owed:
    return Owed(
        kind=NotificationKind.REVIEW_RECORDED, channel=DeliveryChannel.EMAIL, recipient_id=recipient,
        subject=f"Notice {n}", record_type=RecordType.ORGANISATION, record_id="org_helix",
        template="removal_notice", values={"n": n, "organisation": {"name": "Helix"}}, key=key,
    )


async def _organisation(db: Database, org_id: str = "org_helix"):
    return (await organisations.by_ids(db, [org_id]))[0]


async def _write(db: Database, city: str, *owed: Owed, **patch) -> tuple[writes.Write, int]:
    current = await _organisation(db)
    after = edits.merged("organisations", current, {"city": city, **patch})
    write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
    return replace(write, notifications=owed), current.version


async def _notifications(db: Database) -> list[dict]:
    return [d async for d in db.notifications.find({}, sort=[("_id", 1)])]


async def _due(db: Database) -> list[outbox.Notification]:
    return await outbox.due(db, outbox.datetime.now(outbox.UTC) + FAR_FUTURE, 100)


async def test_a_change_writes_its_notifications_with_ids_from_its_claim(db):
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1), _owed("per_tom", 2))
    committed = await writes.commit(db, write, expected_version=version, actor=STAFF)
    stored = await _notifications(db)
    expected_ids = sorted(outbox.notification_id(committed.change.id, n) for n in range(2))
    assert [d["_id"] for d in stored] == expected_ids
    assert {d["recipient_id"] for d in stored} == {"per_priya", "per_tom"}
    assert all(d["change_id"] == committed.change.id and d["state"] == "PENDING" and d["attempts"] == 0
               for d in stored)
    assert sorted(n.id for n in await _due(db)) == expected_ids
    # The change feed names the record, never the outbox.
    assert [n.record_id for n in committed.change.notices] == ["org_helix"]


@pytest.mark.parametrize("point", ["after_claim", "after_effect_1", "after_effect_2", "after_record",
                                   "before_mark_applied"])
async def test_a_writer_cut_off_anywhere_leaves_the_change_and_its_notifications_both_or_neither(db, point):
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1), _owed("per_tom", 2))
    faults.configure(f"{point}=raise")
    with pytest.raises(faults.FaultInjected):
        await writes.commit(db, write, expected_version=version, actor=STAFF)
    faults.configure(None)
    [claimed] = await changes.in_flight(db)
    # Written or not yet, nothing of a change in flight is due for delivery.
    assert await _due(db) == []
    assert (await _organisation(db)).version == version or point in {"after_record", "before_mark_applied"}
    assert await writes.recover(db, lease=timedelta(0)) == 1
    assert (await changes.by_id(db, claimed.id)).state is ChangeState.APPLIED
    record = await _organisation(db)
    assert record.city == "Hinxton" and record.version == version + 1
    stored = await _notifications(db)
    assert sorted(d["_id"] for d in stored) == sorted(outbox.notification_id(claimed.id, n) for n in range(2))
    assert len(await _due(db)) == 2


async def test_a_change_refused_by_a_rule_leaves_no_notification(db):
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1))

    async def refuse(change):
        raise writes.RuleBroken("no")

    with pytest.raises(writes.RuleBroken):
        await writes.commit(db, write, expected_version=version, actor=STAFF, checked=refuse)
    assert await _notifications(db) == []
    assert (await _organisation(db)).version == version


async def test_a_change_rejected_after_writing_its_notifications_takes_them_back(db):
    """The record's slug was taken meanwhile: the notifications already inserted are undone."""
    other = await _organisation(db, "org_montreal")
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1), _owed("per_tom", 2), slug=other.slug)
    with pytest.raises(writes.Rejected):
        await writes.commit(db, write, expected_version=version, actor=STAFF)
    assert await _notifications(db) == []
    rejected = await db.changes.find_one({"owner_id": "org_helix", "state": ChangeState.REJECTED.value})
    assert rejected is not None
    assert (await _organisation(db)).version == version


async def test_a_keyed_notice_is_owed_once_whatever_changes_owe_it(db):
    key = "ops:org_helix:review_due:2026-12"
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1, key=key))
    await writes.commit(db, write, expected_version=version, actor=STAFF)
    write, version = await _write(db, "Oxford", _owed("per_priya", 2, key=key), _owed("per_tom", 3))
    second = await writes.commit(db, write, expected_version=version, actor=STAFF)
    stored = await _notifications(db)
    assert len(stored) == 2
    keyed = [d for d in stored if d["key"] == key]
    assert [d["_id"] for d in keyed] == [outbox.notification_id("", 0, key)]
    assert keyed[0]["values"]["n"] == 1  # the first change's, untouched
    assert any(d["change_id"] == second.change.id and d["recipient_id"] == "per_tom" for d in stored)


async def test_a_delivery_attempt_has_one_claimant_and_is_taken_over_after_its_lease(db):
    write, version = await _write(db, "Hinxton", _owed("per_priya", 1))
    await writes.commit(db, write, expected_version=version, actor=STAFF)
    [notification] = await _due(db)
    lease = timedelta(minutes=5)
    first = await outbox.claim(db, notification, lease, "a")
    assert first is not None and first.attempt == 1
    assert await outbox.claim(db, notification, lease, "b") is None  # held
    taken = await outbox.claim(db, notification, timedelta(0), "b")  # the lease ran out: its sender was cut off
    assert taken is not None and taken.attempt == 1 and taken.id != first.id
    assert await outbox.record_attempt(db, taken, sent=True, error=None, next_at=None, give_up=False)
    # The cut-off sender's late record does not count the attempt twice.
    assert not await outbox.record_attempt(db, first, sent=False, error="late", next_at=None, give_up=True)
    stored = await outbox.by_id(db, notification.id)
    assert stored.state is DeliveryState.SENT and stored.attempts == 1 and stored.last_error is None
    assert await outbox.claim(db, notification, timedelta(0), "c") is None  # made and recorded


async def test_bounces_are_recorded_per_canonical_address(db):
    assert not await outbox.bounced(db, "priya@helix.example")
    await outbox.record_bounce(db, "Priya@Helix.example", "550 no such user")
    assert await outbox.bounced(db, "priya@helix.example")
    await outbox.clear_bounce(db, "priya@helix.example")
    assert not await outbox.bounced(db, "Priya@Helix.example")
