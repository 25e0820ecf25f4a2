"""Candidates of records written outside mutations (a seed, an import, a restore) are built at
start-up in one pass, and that pass agrees with the per-record refresh that mutations run."""

import pytest

from datastore import dataset, demo, duplicates
from datastore.records.vocabulary import RecordType
from tests.conftest import fresh_database

pytestmark = pytest.mark.database  # run on every engine (make test)


async def _pairs(db, record_id: str) -> list[dict]:
    return sorted(await db.duplicate_candidates.find({"ids": record_id}).to_list(), key=lambda d: d["_id"])


async def test_start_up_builds_missing_candidates_as_refresh_would(engine):
    db = await fresh_database(engine, "candidates_build")
    try:
        await dataset.write(db, demo.generate(1))
        assert await duplicates.build_missing(db) == [RecordType.PERSON, RecordType.ORGANISATION]
        assert await duplicates.build_missing(db) == []  # all keyed: nothing to do
        people = await db.people.count_documents({})
        assert await db.duplicate_keys.count_documents({"record_type": "PERSON"}) == people
        sample = await db.duplicate_candidates.find({}).sort("order_key", 1).to_list(5)
        for pair in sample:
            for record_id in pair["ids"]:
                before = await _pairs(db, record_id)
                await duplicates.refresh(db, RecordType(pair["record_type"]), record_id)
                assert await _pairs(db, record_id) == before
    finally:
        await db.drop()
        await db.close()
