"""The SecantusDB strategy: its Python server (0.7) and its Rust server (0.5.3).

Both fetch and decode every document of the index range a find names before
applying `limit`, so a keyset page is read by page windows
(datastore/engines/page_windows.py), and a page whose sort starts with a
field of a few values (a roster in role order) stretch by stretch, one value
of that field at a time, each stretch by page windows. SecantusDB uses no
index at all for a filter on several fields unless told which, so the index
the domain names is hinted, except on a window: it walks a hinted index
whole, and reads through the index of the first condition it can serve,
which is the window's, put first in the filter. The Python server checks each
fetched document against the whole `$in` list, so its cost grows with the
square of the list: smaller lists (`in_batch`), sent together, keep it linear
(1,000 ids take 3.5 s in one list, 0.2 s as twenty lists of 50).
Everything else is read and written as on MongoDB (datastore/engines/mongodb.py).

What the domain modules keep to, because of this engine (they say "an
engine"): it reads a filter of several conditions through the index of the
first condition it can serve, in key order, so a search's gram goes first in
its filter (datastore/text.py); SecantusDB 0.7 serves `$all` and `$in`
through an index only with exactly one value.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection

from datastore.engines import page_windows
from datastore.engines.mongodb import MongoDB
from datastore.engines.reads import MORE_OF_ONE_READ, WHOLE_RESULT, chunks, one_of
from datastore.keyset import Sort, SortKey


@dataclass(frozen=True)
class SecantusDB(MongoDB):
    """How SecantusDB is read best; it is written as MongoDB is."""

    # Most values it takes well in one `$in` (None: any number).
    in_batch: int | None = None
    # A bulk load keeping the indexes was measured quicker on the Rust server:
    # restore at scale 3 took 22 s keeping them and 27 s building after (at
    # scale 10: 69 s, and not done after 4 min).
    indexes_after_load: bool = False

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
        """By stretches when the sort's first field takes `leading_values`; by page
        windows when an index leads with the sort (a window goes first in the
        filter, and SecantusDB reads through the index of the first condition it
        can serve) and the page can be read so; else as on MongoDB."""
        if leading_values is not None:
            return await _by_stretches(collection, query, sort, after, limit, leading_values)
        if index_leads_with_sort and page_windows.windowable(query, sort, after):
            # A window goes unhinted: SecantusDB walks the whole of a hinted index.
            # The one unbounded read keeps the hint for two or more conditions,
            # where SecantusDB's plan (explain) names no index without it.
            find = one_read(collection, sort, hint_for=lambda where: index if where is query and len(query) > 1 else None)
            return await page_windows.read(find, collection.full_name, query, sort, after, limit)
        return await super().read_page(collection, query, sort, after, limit, index=index)

    async def find_listed(
        self, collection: AsyncCollection, field: str, wanted: list, sort: list | None, projection: list[str] | None
    ) -> list[dict]:
        """One find, or for more than `in_batch` values a few sent together and merged."""
        if self.in_batch is None or len(wanted) <= self.in_batch:
            return await super().find_listed(collection, field, wanted, sort, projection)

        async def fetch(values: list, comment: str | None) -> list[dict]:
            cursor = collection.find(
                one_of(field, values), projection=projection, sort=sort, batch_size=WHOLE_RESULT, comment=comment
            )
            return await cursor.to_list()

        parts = await asyncio.gather(
            *(fetch(part, MORE_OF_ONE_READ if number else None) for number, part in enumerate(chunks(wanted, self.in_batch)))
        )
        found = [d for part in parts for d in part]
        for name, direction in reversed(sort or []):  # stable sorts, last key first
            found.sort(key=lambda d: d[name], reverse=direction < 0)
        return found


async def _by_stretches(
    collection: AsyncCollection, query: dict, sort: Sort, after: SortKey | None, limit: int, leading_values: Sequence
) -> list[dict]:
    """Each value's stretch of the index in turn (the sort's first field at that
    value), read by page windows of the rest of the sort, until the page is
    full. At scale 10 a work stream's first 501 tenures in role order read all
    2,818 in one find (21 ms); its 1,940 members are one stretch, which page
    windows of `since` read a few hundred at a time. Every stretch can be read
    so when the rest of the sort is (a text field, `_id`) and only a range
    bounds that field, as for a roster."""
    (field, direction), rest = sort[0], sort[1:]
    rows: list[dict] = []
    find = one_read(collection, sort)  # every stretch's windows are parts of one read
    for value in leading_values:
        if after is not None and (value < after[0] if direction > 0 else value > after[0]):
            continue
        stretch = {**query, field: value}
        resumed = after[1:] if after is not None and value == after[0] else None
        rows += await page_windows.read(find, collection.full_name, stretch, rest, resumed, limit - len(rows))
        if len(rows) >= limit:
            break
    return rows


def one_read(
    collection: AsyncCollection, sort: Sort, hint_for: Callable[[dict], str | None] = lambda where: None
) -> page_windows.Find:
    """The `find` of page_windows.read for one read in parts: each find after
    the first is marked a part of it (MORE_OF_ONE_READ), however many windows,
    or stretches of windows, the read takes."""
    sent = 0

    async def find(where: dict, size: int) -> list[dict]:
        nonlocal sent
        cursor = collection.find(where, sort=list(sort), limit=size, batch_size=size, hint=hint_for(where),
                                 comment=MORE_OF_ONE_READ if sent else None)
        sent += 1
        return await cursor.to_list()

    return find
