"""The write path: claims, versions, retries, recovery — on the real engine."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from datastore import changes, edits, organisations, write_invariants, writes
from datastore.client import Database
from datastore.records.changes import Actor, ChangeState
from datastore.records.vocabulary import ChangeAction
from tests.conftest import fresh_database, load_directory

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Actor(role="staff", key_id="key_test")


@pytest.fixture
async def db(ferretdb) -> Database:
    database = await fresh_database(ferretdb, "test_writes")
    await load_directory(database)
    yield database
    await database.close()


async def _organisation(db: Database, org_id: str = "org_helix"):
    return (await organisations.by_ids(db, [org_id]))[0]


async def _set_city(db: Database, city: str, expected: int, actor: Actor = STAFF, cmid: str | None = None):
    current = await _organisation(db)
    after = edits.merged("organisations", current, {"city": city})
    write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
    return await writes.commit(db, write, expected_version=expected, actor=actor, client_mutation_id=cmid)


async def test_an_update_bumps_the_version_and_is_logged_with_its_fields(db):
    before = await _organisation(db)
    committed = await _set_city(db, "Hinxton", before.version)
    after = await _organisation(db)
    assert after.version == before.version + 1 and after.city == "Hinxton"
    assert after.name == before.name and after.sectors == before.sectors  # untouched fields stay
    logged = await changes.by_id(db, committed.change.id)
    assert logged.state is ChangeState.APPLIED and logged.plan is None
    assert [(f.field, f.before, f.after) for f in logged.fields] == [("city", "Cambridge", "Hinxton")]


async def test_a_stale_version_is_refused_and_changes_nothing(db):
    version = (await _organisation(db)).version
    await _set_city(db, "Hinxton", version)
    with pytest.raises(writes.StaleVersion):
        await _set_city(db, "Oxford", version)
    assert (await _organisation(db)).city == "Hinxton"


async def test_racing_writers_never_lose_an_update(db):
    """Many rounds of several writers on one record: each round exactly one wins."""
    for round_ in range(15):
        version = (await _organisation(db)).version
        results = await asyncio.gather(
            *(_set_city(db, f"City {round_}-{w}", version) for w in range(4)), return_exceptions=True
        )
        won = [r for r in results if isinstance(r, writes.Committed)]
        assert len(won) == 1, results
        assert all(isinstance(r, writes.StaleVersion) for r in results if r not in won)
        after = await _organisation(db)
        assert after.version == version + 1
        assert after.city == won[0].change.fields[0].after
    applied = await db.changes.count_documents({"owner_id": "org_helix", "state": "applied"})
    assert applied == (await _organisation(db)).version - 1


async def test_a_claim_cut_off_before_applying_is_completed_by_recovery(db):
    current = await _organisation(db)
    after = edits.merged("organisations", current, {"website": "https://helix.example/new"})
    write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
    committed_before = await db.changes.count_documents({"state": "applied"})
    result = await writes.commit(db, write, expected_version=current.version, actor=STAFF)
    # Put back what a process killed right after claiming leaves: the claim alone.
    await db.organisations.replace_one({"_id": current.id}, organisations.to_document(current))
    await db.changes.update_one(
        {"_id": result.change.id},
        {"$set": {"state": "claimed", "plan": writes._plan(write, {**write.document, "version": current.version + 1,
                                                                   "updated_at": result.change.at})}},
    )
    assert await writes.recover(db, lease=timedelta(hours=1)) == 0  # too young: maybe still in flight
    assert (await _organisation(db)).website == current.website
    assert await writes.recover(db, lease=timedelta(0)) == 1
    assert (await _organisation(db)).website == "https://helix.example/new"
    assert await db.changes.count_documents({"state": "applied"}) == committed_before + 1
    assert (await changes.by_id(db, result.change.id)).plan is None


async def test_recovery_does_not_roll_back_a_record_already_past_the_claim(db):
    version = (await _organisation(db)).version
    first = await _set_city(db, "Hinxton", version)
    await _set_city(db, "Oxford", version + 1)
    # The first change's mark was lost: recovery must not write its older document back.
    await db.changes.update_one({"_id": first.change.id}, {"$set": {"state": "claimed", "plan": {
        "collection": "organisations",
        "document": {**organisations.to_document(replace(await _organisation(db), city="Hinxton")),
                     "version": version + 1},
        "effects": [], "erase_history_of": None}}})
    await writes.recover(db, lease=timedelta(0))
    assert (await _organisation(db)).city == "Oxford"


async def test_a_hundred_concurrent_writers_never_leave_a_record_behind_its_audit_log(db):
    """The FerretDB report (version 5, audit at 7): 100 writers on three records at once,
    each reading and writing a few times; every record agrees with its audit log."""
    targets = ("org_helix", "org_montreal", "org_lagos")

    async def writer(number: int) -> int:
        applied = 0
        for step in range(3):
            organisation_id = targets[(number + step) % len(targets)]
            current = await _organisation(db, organisation_id)
            after = edits.merged("organisations", current, {"city": f"W{number}-{step}"})
            write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
            try:
                await writes.commit(db, write, expected_version=current.version, actor=STAFF)
                applied += 1
            except writes.StaleVersion:
                pass
        return applied

    applied = sum(await asyncio.gather(*(writer(n) for n in range(100))))
    assert applied >= len(targets)
    assert await write_invariants.audit_problems(db, lease=timedelta(0)) == []
    for organisation_id in targets:
        record = await _organisation(db, organisation_id)
        last = await changes.by_id(db, changes.claim_id(organisation_id, record.version))
        assert last.state is ChangeState.APPLIED
        assert record.city == next(f.after for f in last.fields if f.field == "city")
