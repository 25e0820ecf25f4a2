"""Keyset pagination: 'the rows after this sort key', never an offset.

A sort is a list of (field, direction) ending with `_id`, so every row has a
distinct key and a page boundary stays put while rows are added or removed.
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from datastore import windows
from datastore.client import traits_of
from datastore.documents import MORE_OF_ONE_READ

Sort = Sequence[tuple[str, int]]
SortKey = tuple[Any, ...]


def after_filter(sort: Sort, after: SortKey) -> dict:
    """A MongoDB filter for rows strictly after `after` in `sort` order.

    For a sort (a, b, _id) that is: a > A, or a = A and b > B, or
    a = A and b = B and _id > I (with < for descending fields).
    """
    if len(after) != len(sort):
        raise ValueError("sort key does not match the sort")
    branches = []
    for depth, (field, direction) in enumerate(sort):
        branch = {f: v for (f, _), v in zip(sort[:depth], after[:depth])}
        branch[field] = {"$gt" if direction > 0 else "$lt": after[depth]}
        branches.append(branch)
    return {"$or": branches}


def both(query: dict, branch: dict) -> dict:
    """`query` and `branch` as one filter: one document of conditions when they
    name different fields, which every engine plans as well as MongoDB does
    (an `$and` of two makes some give up the index); an `$and` when they share one."""
    if query.keys().isdisjoint(branch.keys()):
        return query | branch
    return {"$and": [query, branch]}


async def find_page(
    collection: AsyncCollection,
    query: dict,
    sort: Sort,
    after: SortKey | None,
    limit: int,
    hint: str | None = None,
    by_windows: bool = True,
) -> list[dict]:
    """Up to `limit` documents matching `query`, in `sort` order, after `after`.

    The branches of `after_filter` go as separate finds, sent together and
    merged: each is an equality-and-range on the sort's index, which every
    engine scans as an index range, where one `$or` of them makes some engines
    (SecantusDB) read the whole collection. An engine that reads a whole range
    before the limit (ServerTraits.windows) gets the page by windows, unless
    `by_windows` is False: for a sort no index leads with (a window goes first
    in the filter, and SecantusDB reads through the index of the first
    condition it can serve).
    """
    if by_windows and traits_of(collection).windows and windows.windowable(query, sort, after):
        return await _by_windows(collection, query, sort, after, limit, hint)
    branches = [{}] if after is None else after_filter(sort, after)["$or"]

    async def fetch(branch: dict, comment: str | None) -> list[dict]:
        where = both(query, branch)
        cursor = collection.find(
            where, sort=list(sort), limit=limit, batch_size=limit, comment=comment, hint=hint
        )
        return await cursor.to_list()

    parts = await asyncio.gather(
        *(fetch(branch, MORE_OF_ONE_READ if index else None) for index, branch in enumerate(branches))
    )
    if len(parts) == 1:
        return parts[0]
    # Each branch covers a later stretch of the order than the one before it
    # (deepest tie first), so concatenating in reverse keeps the order.
    return [d for part in reversed(parts) for d in part][:limit]


async def _by_windows(
    collection: AsyncCollection, query: dict, sort: Sort, after: SortKey | None, limit: int, hint: str | None
) -> list[dict]:
    # A window goes unhinted: SecantusDB walks the whole of a hinted index.
    # The one unbounded read keeps the hint for two or more conditions,
    # where SecantusDB's plan (explain) names no index without it.
    find = one_read(collection, sort, hint_for=lambda where: hint if where is query and len(query) > 1 else None)
    return await windows.read(find, collection.full_name, query, sort, after, limit)


def one_read(
    collection: AsyncCollection, sort: Sort, hint_for: Callable[[dict], str | None] = lambda where: None
) -> windows.Find:
    """The `find` of windows.read for one read in parts: each find after the
    first is marked a part of it (MORE_OF_ONE_READ), however many windows,
    or stretches of windows, the read takes."""
    sent = 0

    async def find(where: dict, size: int) -> list[dict]:
        nonlocal sent
        cursor = collection.find(where, sort=list(sort), limit=size, batch_size=size, hint=hint_for(where),
                                 comment=MORE_OF_ONE_READ if sent else None)
        sent += 1
        return await cursor.to_list()

    return find


def sort_key(document: dict, sort: Sort) -> SortKey:
    return tuple(document[field] for field, _ in sort)
