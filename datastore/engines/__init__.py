"""How each engine is read and written: the one place that knows engines apart.

The domain modules (organisations, people, rosters, writes...) state what
they read: a query, a sort, a cursor, a limit, and facts of the domain such
as the index a filter reads through best. They call the functions below,
which hand the read (or the fenced write) to the traits of the server behind
the collection: a strategy object carried by the client (datastore/client.py
`connect(..., traits=...)`; each embedded engine names its own, a plain
client gets MongoDB's).

- mongodb.py: the plain strategy, what production runs; the base of the others.
- secantusdb.py: page windows, stretches, hints and `$in` batches for
  SecantusDB, which reads a whole index range before its limit.
- ferretdb.py: FerretDB 1.24's writes, and what the domain keeps to for it.
- page_windows.py: the range arithmetic of page windows.
- reads.py: what every strategy's reads share.
"""

from collections.abc import Iterable, Sequence
from typing import Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure

from datastore.engines.ferretdb import FerretDB
from datastore.engines.mongodb import MongoDB
from datastore.engines.secantusdb import SecantusDB
from datastore.keyset import Sort, SortKey

__all__ = [
    "FerretDB", "MongoDB", "SecantusDB", "ServerTraits", "aggregate", "count", "fenced_replace", "find_in",
    "indexes_after_load", "read_page", "traits_of", "unique_key_taken",
]


class ServerTraits(Protocol):
    """How one server is read and written best (MongoDB, SecantusDB, FerretDB)."""

    indexes_after_load: bool

    async def read_page(
        self, collection: AsyncCollection, query: dict, sort: Sort, after: SortKey | None, limit: int, *,
        index: str | None = None, index_leads_with_sort: bool = True, leading_values: Sequence | None = None,
    ) -> list[dict]: ...

    async def count(self, collection: AsyncCollection, query: dict, *, index: str | None = None) -> int: ...

    async def aggregate(
        self, collection: AsyncCollection, pipeline: list[dict], *, index: str | None = None
    ) -> list[dict]: ...

    async def find_in(
        self, collection: AsyncCollection, field: str, values: Iterable,
        sort: list | None = None, projection: list[str] | None = None,
    ) -> list[dict]: ...

    async def fenced_replace(self, collection: AsyncCollection, fence: dict, document: dict) -> bool: ...

    def unique_key_taken(self, failed: OperationFailure) -> bool: ...


_PLAIN = MongoDB()


def traits_of(collection: AsyncCollection) -> ServerTraits:
    """The traits of the server behind `collection` (MongoDB's for a plain client)."""
    return getattr(collection.database.client, "traits", _PLAIN)


async def read_page(
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
    """Up to `limit` documents matching `query`, in `sort` order, after the sort
    key `after`. `index`: the index the domain reads the filter through best;
    `index_leads_with_sort`: whether an index leads with the sort's first field;
    `leading_values`: the few values that field takes, in sort order, when it
    is a vocabulary (a roster's roles). Whether and how to use them is the
    strategy's."""
    return await traits_of(collection).read_page(
        collection, query, sort, after, limit,
        index=index, index_leads_with_sort=index_leads_with_sort, leading_values=leading_values,
    )


async def count(collection: AsyncCollection, query: dict, *, index: str | None = None) -> int:
    """How many documents match `query` (`index`: as for read_page)."""
    return await traits_of(collection).count(collection, query, index=index)


async def aggregate(collection: AsyncCollection, pipeline: list[dict], *, index: str | None = None) -> list[dict]:
    """The whole result of `pipeline` (`index`: as for read_page)."""
    return await traits_of(collection).aggregate(collection, pipeline, index=index)


async def find_in(
    collection: AsyncCollection,
    field: str,
    values: Iterable,
    sort: list | None = None,
    projection: list[str] | None = None,
) -> list[dict]:
    """Every document whose `field` is one of `values`, in `sort` order."""
    return await traits_of(collection).find_in(collection, field, values, sort, projection)


async def fenced_replace(collection: AsyncCollection, fence: dict, document: dict) -> bool:
    """Replace the document matching `fence` by `document`; False when none matches."""
    return await traits_of(collection).fenced_replace(collection, fence, document)


def unique_key_taken(collection: AsyncCollection, failed: OperationFailure) -> bool:
    """Whether a unique index of `collection` refused the write that failed so."""
    return traits_of(collection).unique_key_taken(failed)


def indexes_after_load(collection: AsyncCollection) -> bool:
    """Whether a bulk load goes into collections without their indexes, built once after."""
    return traits_of(collection).indexes_after_load
