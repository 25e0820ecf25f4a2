"""The plain strategy: what production, on MongoDB, runs.

A page is a find with its sort and limit; a count is one `count` command; an
aggregate is one command; a `$in` is one find; a fenced write is one
conditional replace, which MongoDB applies atomically. Where the domain names
the index a read goes through (`index`), it is sent as a hint: MongoDB takes
it. The other engines' strategies (datastore/engines/) derive from this one
and change only what their engine needs.
"""

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, OperationFailure

from datastore.engines.reads import EVERY_DOCUMENT, MORE_OF_ONE_READ, WHOLE_RESULT, one_of
from datastore.keyset import Sort, SortKey, after_filter, both


@dataclass(frozen=True)
class MongoDB:
    """How MongoDB is read and written best; the base of every strategy."""

    # Whether a bulk load (datastore/restore.py) goes into collections without
    # their indexes, built once after, as MongoDB advises.
    indexes_after_load: bool = True

    async def read_page(
        self,
        collection: AsyncCollection,
        query: dict,
        sort: Sort,
        after: SortKey | None,
        limit: int,
        *,
        index: str | None = None,
        index_leads_with_sort: bool = True,
        leading_values: Sequence | None = None,
    ) -> list[dict]:
        """Up to `limit` documents matching `query`, in `sort` order, after `after`.

        The branches of `after_filter` go as separate finds, sent together and
        merged: each is an equality-and-range on the sort's index, which every
        engine scans as an index range, where one `$or` of them makes some
        engines read the whole collection. `index_leads_with_sort` and
        `leading_values` describe the page for strategies that read it in parts;
        one find needs neither.
        """
        branches = [{}] if after is None else after_filter(sort, after)["$or"]

        async def fetch(branch: dict, comment: str | None) -> list[dict]:
            cursor = collection.find(
                both(query, branch), sort=list(sort), limit=limit, batch_size=limit, comment=comment, hint=index
            )
            return await cursor.to_list()

        parts = await asyncio.gather(
            *(fetch(branch, MORE_OF_ONE_READ if number else None) for number, branch in enumerate(branches))
        )
        if len(parts) == 1:
            return parts[0]
        # Each branch covers a later stretch of the order than the one before it
        # (deepest tie first), so concatenating in reverse keeps the order.
        return [d for part in reversed(parts) for d in part][:limit]

    async def count(self, collection: AsyncCollection, query: dict, *, index: str | None = None) -> int:
        """How many documents match `query`, by the `count` command.

        pymongo's count_documents sends an aggregate ($match, then $group);
        SecantusDB's Rust server answers the count command 1.4 to 5 times
        sooner (scale 10: every person 100 ms against 20-50, the active
        organisations 26 against 16). With a condition, MongoDB's count is exact except on a
        sharded cluster (orphaned documents), which the directory does not use;
        with none it reads the collection's metadata, which can be off after an
        unclean shutdown, so an empty query counts EVERY_DOCUMENT instead."""
        command: dict = {"count": collection.name, "query": query or EVERY_DOCUMENT}
        if index is not None:
            command["hint"] = index
        reply = await collection.database.command(command)
        return int(reply["n"])

    async def aggregate(self, collection: AsyncCollection, pipeline: list[dict], *, index: str | None = None) -> list[dict]:
        """The whole result of `pipeline`, in one reply."""
        hinted = {"hint": index} if index else {}
        cursor = await collection.aggregate(pipeline, batchSize=WHOLE_RESULT, **hinted)
        # One list, not an await per document: a cursor's `async for` costs more than a group.
        return await cursor.to_list()

    async def find_in(
        self,
        collection: AsyncCollection,
        field: str,
        values: Iterable,
        sort: list | None = None,
        projection: list[str] | None = None,
    ) -> list[dict]:
        """Every document whose `field` is one of `values`, in `sort` order."""
        wanted = list(set(values))
        if not wanted:
            return []
        return await self.find_listed(collection, field, wanted, sort, projection)

    async def find_listed(
        self, collection: AsyncCollection, field: str, wanted: list, sort: list | None, projection: list[str] | None
    ) -> list[dict]:
        """find_in for `wanted`, distinct values, at least one: one find."""
        cursor = collection.find(one_of(field, wanted), projection=projection, sort=sort, batch_size=WHOLE_RESULT)
        return await cursor.to_list()

    async def fenced_replace(self, collection: AsyncCollection, fence: dict, document: dict) -> bool:
        """Replace the document matching `fence` (its `_id` and the state the
        writer planned against) by `document`; False when none matches. One
        conditional replace, atomic here: of two writers fenced on the same
        state, one matches. The write path claims each version first anyway
        (datastore/writes.py), so writers are ordered on every engine."""
        return bool((await collection.replace_one(fence, document)).matched_count)

    def unique_key_taken(self, failed: OperationFailure) -> bool:
        """Whether a unique index refused the write."""
        return isinstance(failed, DuplicateKeyError)
