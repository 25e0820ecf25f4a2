"""Relay-style pages with opaque keyset cursors.

A cursor is the sort key of the last row seen, tagged with what it pages
through, so it stays valid while rows are added or removed and cannot be
replayed against another list or order.
"""

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from datastore.keyset import SortKey
from resolvers.arguments import page_size
from resolvers.errors import BadArgument

T = TypeVar("T")
MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`first` rows after the sort key `after` of the list named `kind`."""

    kind: str
    first: int
    after: SortKey | None

    @classmethod
    def of(
        cls,
        kind: str,
        first: int | None,
        after: str | None,
        *,
        default: int,
        cap: int,
        key_types: Sequence[type],
    ) -> "PageRequest":
        """Checked arguments; `first: null` means the default page size."""
        size = default if first is None else page_size(first, cap)
        return cls(kind, size, decode_cursor(kind, after, key_types))

    def cursor(self, key: SortKey) -> str:
        return encode_cursor(self.kind, key)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    count: Callable[[], Awaitable[int]]
    # A row's cursor, worked out only for the rows whose cursor is asked for.
    cursor_of: Callable[[T], str]

    @property
    def end_cursor(self) -> str | None:
        return self.cursor_of(self.items[-1]) if self.items else None


def encode_cursor(kind: str, key: SortKey) -> str:
    raw = json.dumps([kind, list(key)], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, key_types: Sequence[type]) -> SortKey | None:
    if cursor is None:
        return None
    problem = "not a cursor from this list; use a pageInfo.endCursor or edge cursor you were given"
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadArgument("after", problem)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, key = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise BadArgument("after", problem) from None
    if (
        tag != kind
        or not isinstance(key, list)
        or len(key) != len(key_types)
        or not all(type(v) is t for v, t in zip(key, key_types))
    ):
        raise BadArgument("after", problem)
    return tuple(key)


async def page_from_query(
    request: PageRequest,
    fetch: Callable[[SortKey | None, int], Awaitable[list[T]]],
    key_of: Callable[[T], SortKey],
    count: Callable[[], Awaitable[int]],
    count_too: bool = False,
) -> Page[T]:
    """A page straight from the database: one row more than asked shows if
    there is a next. With `count_too` (its totalCount is asked for) the count
    is read beside the page, not after it."""
    if request.first == 0:
        return Page([], False, count, _no_cursor)
    if count_too:
        rows, total = await asyncio.gather(fetch(request.after, request.first + 1), count())
        count = partial(_known, total)
    else:
        rows = await fetch(request.after, request.first + 1)
    shown = rows[: request.first]
    return Page(shown, len(rows) > request.first, count, lambda row: request.cursor(key_of(row)))


def page_from_list(request: PageRequest, rows: Sequence[T], key_of: Callable[[T], SortKey]) -> Page[T]:
    """A page of rows a loader already fetched, sorted by `key_of` ascending."""
    after = request.after
    remaining = [r for r in rows if after is None or key_of(r) > after]
    shown = remaining[: request.first]

    async def count() -> int:
        return len(rows)

    return Page(shown, len(remaining) > len(shown), count, lambda row: request.cursor(key_of(row)))


async def _known(total: int) -> int:
    return total


def _no_cursor(row: object) -> str:
    raise AssertionError("an empty page has no rows to point at")
