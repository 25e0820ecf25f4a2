"""Helpers shared by every collection: batched reads by id, idempotent writes."""

import asyncio
from collections.abc import Iterable, Iterator, Sequence

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from datastore.client import traits_of

# FerretDB 1.24 stalls on an update command of more than about a hundred
# statements, so replacements go in small batches; inserts and reads of ids
# are cheap in large ones.
REPLACE_BATCH = 50
INSERT_BATCH = 5000
# Documents per reply when a query's whole result is wanted: one round trip
# instead of a first batch of 101 and then getMores (a reply still stops at 16 MiB).
WHOLE_RESULT = 100_000
# Documents per reply while streaming an export from one cursor, and rows per
# chunk whose related records are read together: few enough that memory stays
# flat however large the export, many enough for few commands. On FerretDB
# 1.24's SQLite backend each related read scans its collection (only a lone
# _id is pushed down), so chunks cost per chunk, not per row: measured, an
# `_id $in` of 50 and of 1000 ids take about as long.
STREAM_BATCH = 1000
# Marks the second and later parts of one `$in` read split for the engine
# (find_in), so command monitoring can tell parts of one read from separate reads.
MORE_OF_ONE_READ = "more of one read"


def _chunks(items: Sequence, size: int) -> Iterator[list]:
    return (list(items[start : start + size]) for start in range(0, len(items), size))


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


# A condition every document meets, for counting them all (see `count_matching`).
EVERY_DOCUMENT = {"_id": {"$exists": True}}


async def count_matching(collection: AsyncCollection, query: dict, hint: str | None = None) -> int:
    """How many documents match `query`, by the `count` command.

    pymongo's count_documents sends an aggregate ($match, then $group); the
    Rust server answers the count command 1.4 to 5 times sooner (scale 10:
    every person 100 ms against 20-50, the active organisations 26 against
    16). With a condition, MongoDB's count is exact except on a sharded
    cluster (orphaned documents), which the directory does not use; with
    none it reads the collection's metadata, which can be off after an
    unclean shutdown, so an empty query counts EVERY_DOCUMENT instead."""
    command: dict = {"count": collection.name, "query": query or EVERY_DOCUMENT}
    if hint is not None:
        command["hint"] = hint
    reply = await collection.database.command(command)
    return int(reply["n"])


def one_of(field: str, values: Sequence) -> dict:
    """The filter `field` in `values`; one value as plain equality, which every
    engine turns into an index lookup (FerretDB's SQLite backend only then)."""
    return {field: values[0]} if len(values) == 1 else {field: {"$in": list(values)}}


async def find_in(
    collection: AsyncCollection,
    field: str,
    values: Iterable,
    sort: list | None = None,
    projection: list[str] | None = None,
) -> list[dict]:
    """Every document whose `field` is one of `values`, in `sort` order: one
    command, or for an engine that takes `$in` lists badly (ServerTraits.in_batch),
    a few sent together."""
    wanted = list(set(values))
    if not wanted:
        return []
    size = traits_of(collection).in_batch or len(wanted)

    async def fetch(values: list, comment: str | None) -> list[dict]:
        cursor = collection.find(
            one_of(field, values), projection=projection, sort=sort, batch_size=WHOLE_RESULT, comment=comment
        )
        return await cursor.to_list()

    parts = await asyncio.gather(
        *(fetch(part, MORE_OF_ONE_READ if index else None) for index, part in enumerate(_chunks(wanted, size)))
    )
    if len(parts) == 1:
        return parts[0]
    found = [d for part in parts for d in part]
    for name, direction in reversed(sort or []):  # stable sorts, last key first
        found.sort(key=lambda d: d[name], reverse=direction < 0)
    return found
