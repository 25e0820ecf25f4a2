"""Single-document updates are atomic on the engine: of concurrent conditional
updates exactly one wins, and concurrent increments are all counted.

The coordinator's write path relies on this (`update_one({_id, version}, …)`
as an optimistic lock). FerretDB 1.24 fails it (README, "Database engines"),
which is why it is not the default. `$inc` appears only here, as the plainest
probe of lost updates; the directory's code does not use it.
"""

import asyncio

from pymongo import AsyncMongoClient


async def test_of_four_concurrent_conditional_updates_exactly_one_wins(engine):
    client: AsyncMongoClient = AsyncMongoClient(engine.uri, maxPoolSize=4)
    things = client.test_concurrency.conditional
    await things.drop()
    try:
        for trial in range(10):
            await things.insert_one({"_id": trial, "version": 0})
            results = await asyncio.gather(*(
                things.update_one({"_id": trial, "version": 0}, {"$set": {"version": 1, "by": writer}})
                for writer in range(4)
            ))
            winners = [writer for writer, result in enumerate(results) if result.modified_count]
            assert len(winners) == 1, f"trial {trial}: {winners} all modified version 0"
            assert (await things.find_one({"_id": trial}))["by"] == winners[0]
    finally:
        await client.close()


async def test_a_hundred_concurrent_increments_all_count(engine):
    client: AsyncMongoClient = AsyncMongoClient(engine.uri, maxPoolSize=100)
    counter = client.test_concurrency.counter
    await counter.drop()
    try:
        await counter.insert_one({"_id": "n", "n": 0})
        await asyncio.gather(*(counter.update_one({"_id": "n"}, {"$inc": {"n": 1}}) for _ in range(100)))
        assert (await counter.find_one({"_id": "n"}))["n"] == 100
    finally:
        await client.close()
