"""Page windows: a keyset page read as ranges of its first sort key, for an
engine that reads the whole index range a find names before applying `limit`
(used by datastore/engines/secantusdb.py).

SecantusDB 0.7 fetches and decodes every document of the range its index
lookup finds, then filters, sorts and cuts (storage.py `find_matching`): a
first page cost the whole collection. Its Rust server (0.5.3) reads the whole
range too (20 people up to "ab": 4 ms; up to "z": 96 ms). So the rows after a key are read window
by window, each a bounded range on the sort's index: first the rest of the
key's longest prefix, then of ever shorter prefixes, until the page is full.
The windows are contiguous and in order, so the rows are exactly those of one
unbounded read, on every engine; the cost follows the page, not the collection.

For sorts of (a field that always holds a string, `_id`): every sort the
datastore pages by. A first page starts at the empty string and reads up to
the last key of the same list's first page read before (its reach, kept in
this process's memory: only how much is read depends on it, never which rows
are returned); with no reach yet it is one unbounded read, as before. A window
beside other conditions goes first in the filter: SecantusDB reads through
the index of the first condition one can serve (though its explain reports
such a filter of several conditions as a COLLSCAN).
"""

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from itertools import chain

from datastore.keyset import Sort, SortKey

Find = Callable[[dict, int], Awaitable[list[dict]]]

_RANGE = {"$gt", "$gte", "$lt", "$lte"}
_REACHES: OrderedDict[tuple, str] = OrderedDict()
_REACHES_KEPT = 1024


def _successor(prefix: str) -> str | None:
    """The least string above every string starting with `prefix`."""
    code = ord(prefix[-1]) + 1
    if code > 0x10FFFF:
        return None
    if 0xD800 <= code < 0xE000:  # surrogates are not characters: no string sorts among them
        code = 0xE000
    return prefix[:-1] + chr(code)


def _ranges(key: str, direction: int) -> Iterator[dict]:
    """Ranges that together hold every string after `key` in `direction`, in order."""
    if direction > 0:
        low = ("$gt", key)
        for end in filter(None, (_successor(key[:p]) for p in range(len(key), 0, -1))):
            yield {low[0]: low[1], "$lt": end}
            low = ("$gte", end)
        yield {low[0]: low[1]}
    else:
        high = ("$lt", key)
        for p in range(len(key) - 1, -1, -1):  # down to "", below which no string sorts
            yield {"$gte": key[:p], high[0]: high[1]}
            high = ("$lt", key[:p])


def _narrowest(first: dict, second: dict) -> dict:
    """One range for both string ranges: the higher low end, the lower high end."""
    bounds = {}
    for ops, pick in ((("$gt", "$gte"), max), (("$lt", "$lte"), min)):
        ends = [(v, op) for r in (first, second) for op, v in r.items() if op in ops]
        if ends:
            value = pick(v for v, _ in ends)
            # At the same value the strict bound is the narrower.
            bounds[ops[0] if (value, ops[0]) in ends else ops[1]] = value
    return bounds


def windowable(query: dict, sort: Sort, after: SortKey | None) -> bool:
    """Whether the page can be read by windows: a sort of a string field and
    `_id`, and a query whose condition on that field, if any, is a range."""
    if len(sort) != 2 or sort[1][0] != "_id" or "_id" in query:
        return False
    if after is not None and not isinstance(after[0], str):
        return False
    if any(isinstance(c, dict) and "$regex" in c for c in query.values()):
        return False  # a search reads through its gram's index (datastore/text.py); a window, first in the filter, would read through the sort's
    clause = query.get(sort[0][0])
    return clause is None or (
        isinstance(clause, dict)
        and bool(clause)
        and set(clause) <= _RANGE
        and all(isinstance(v, str) for v in clause.values())
    )


def _within(query: dict, field: str, bounds: dict) -> dict:
    """`query` with `field` also in `bounds`. The range comes first: SecantusDB
    reads through the index of the first condition one can serve."""
    clause = query.get(field)
    if isinstance(clause, dict):
        bounds = _narrowest(clause, bounds)
    return {field: bounds, **{k: v for k, v in query.items() if k != field}}


def _ties(query: dict, sort: Sort, after: SortKey) -> dict:
    """The rows with the first key of `after` and a later `_id`."""
    (field, _), (last, direction) = sort
    later = {last: {"$gt" if direction > 0 else "$lt": after[1]}}
    if field in query:
        return {**_within(query, field, {"$gte": after[0], "$lte": after[0]}), **later}
    return {field: after[0], **later, **query}


async def read(find: Find, namespace: str, query: dict, sort: Sort, after: SortKey | None, limit: int) -> list[dict]:
    """Up to `limit` rows of `query` after `after` in `sort`, by windows; `find`
    sends one filter with a limit. Check `windowable` first."""
    field, direction = sort[0]
    # Per page size too: a reach from pages of 5 would leave pages of 100 to widen.
    reach_key = (namespace, tuple(sort), repr(query), limit)
    if after is None:
        reach = _REACHES.get(reach_key)
        if reach is None:
            filters = iter([query])  # one unbounded read, the once
        else:
            first = [{"$gte": "", "$lte": reach} if direction > 0 else {"$gte": reach}]
            filters = (_within(query, field, r) for r in chain(first, _ranges(reach, direction)))
    else:
        rest = (_within(query, field, r) for r in _ranges(after[0], direction))
        filters = chain([_ties(query, sort, after)], rest)
    rows: list[dict] = []
    for where in filters:
        rows += await find(where, limit - len(rows))
        if len(rows) >= limit:
            break
    if after is None:
        _remember(reach_key, rows[-1][field] if len(rows) == limit else None)
    return rows


def _remember(key: tuple, reach: str | None) -> None:
    """The reach of a full first page; none for a list shorter than a page,
    whose next first page is one unbounded read (through the index of its
    most telling condition, which SecantusDB picks itself)."""
    _REACHES.pop(key, None)
    if reach is not None:
        _REACHES[key] = reach
        if len(_REACHES) > _REACHES_KEPT:
            _REACHES.popitem(last=False)
