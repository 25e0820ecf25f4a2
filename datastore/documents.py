"""Helpers shared by every collection: batched reads by id, idempotent writes."""

from collections.abc import Iterable, Sequence

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

# How a count and a `$in` are read is the engine's (datastore/engines); they are
# named here too, beside the helpers that use them.
from datastore.engines import count as count_matching, find_in
from datastore.engines.reads import EVERY_DOCUMENT, MORE_OF_ONE_READ, WHOLE_RESULT, chunks as _chunks, one_of

__all__ = [
    "EVERY_DOCUMENT", "INSERT_BATCH", "MORE_OF_ONE_READ", "REPLACE_BATCH", "STREAM_BATCH", "WHOLE_RESULT",
    "count_matching", "existing_ids", "find_in", "one_of", "replace_many", "set_fields",
]

# Some engines stall on an update command of more than about a hundred
# statements (datastore/engines), so replacements go in small batches; inserts
# and reads of ids are cheap in large ones.
REPLACE_BATCH = 50
INSERT_BATCH = 5000
# Documents per reply while streaming an export from one cursor, and rows per
# chunk whose related records are read together: few enough that memory stays
# flat however large the export, many enough for few commands. Where an engine
# pushes down only a lone `_id` equality, each related read scans its
# collection, so chunks cost per chunk, not per row: measured, an `_id $in` of
# 50 and of 1000 ids take about as long.
STREAM_BATCH = 1000


async def replace_many(collection: AsyncCollection, documents: Sequence[dict]) -> int:
    """Insert new documents and replace changed ones, by `_id`; return how many
    were written. Unchanged documents are not written, so writing the same
    documents twice changes nothing and costs only the reads."""
    wanted = {d["_id"]: d for d in documents}
    stored = {d["_id"]: d for d in await find_in(collection, "_id", wanted)}
    new = [d for key, d in wanted.items() if key not in stored]
    changed = [d for key, d in wanted.items() if key in stored and stored[key] != d]
    for chunk in _chunks(new, INSERT_BATCH):
        await collection.insert_many(chunk, ordered=False)
    for chunk in _chunks(changed, REPLACE_BATCH):
        await collection.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk], ordered=False)
    return len(new) + len(changed)


async def set_fields(collection: AsyncCollection, changes: dict[str, dict]) -> int:
    """Set the given fields of each document (`_id` -> {field: value}), nothing
    else, in small batches; return how many documents were updated."""
    updates = [UpdateOne({"_id": key}, {"$set": fields}) for key, fields in changes.items() if fields]
    for chunk in _chunks(updates, REPLACE_BATCH):
        await collection.bulk_write(chunk, ordered=False)
    return len(updates)


async def existing_ids(collection: AsyncCollection, ids: Iterable[str]) -> set[str]:
    documents = await find_in(collection, "_id", ids, projection=["_id"])
    return {d["_id"] for d in documents}
