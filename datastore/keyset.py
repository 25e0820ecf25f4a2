"""Keyset pagination: 'the rows after this sort key', never an offset.

A sort is a list of (field, direction) ending with `_id`, so every row has a
distinct key and a page boundary stays put while rows are added or removed.
A page is read by datastore.engines.read_page, as the engine takes it best.
"""

from collections.abc import Sequence
from typing import Any

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


def sort_key(document: dict, sort: Sort) -> SortKey:
    return tuple(document[field] for field, _ in sort)
