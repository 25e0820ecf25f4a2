"""Helpers shared by every collection: batched reads by id, idempotent writes."""

from collections.abc import Iterable, Sequence

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection


async def replace_many(collection: AsyncCollection, documents: Sequence[dict]) -> None:
    """Insert or replace each document by `_id`: writing twice changes nothing."""
    if documents:
        await collection.bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents],
            ordered=False,
        )


async def existing_ids(collection: AsyncCollection, ids: Iterable[str]) -> set[str]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    cursor = collection.find({"_id": {"$in": wanted}}, projection=["_id"])
    return {d["_id"] async for d in cursor}


async def find_in(
    collection: AsyncCollection, field: str, values: Iterable, sort: list | None = None
) -> list[dict]:
    """Every document whose `field` is one of `values`: one command, however many."""
    wanted = list(set(values))
    if not wanted:
        return []
    cursor = collection.find({field: {"$in": wanted}}, sort=sort)
    return [d async for d in cursor]
