"""Generations of the directory's collections: a token per collection that
every write to it replaces, so answers computed over many records are kept
until those records change.

How many organisations match a filter, and the statistics, cost a read of
every record they count (the Rust server counts 6,200 organisations in about
9 ms), yet change only when a record does. A request reads the generations
(a few small documents, in one command) and answers from what an earlier
request computed under the same tokens of the collections the answer reads:
a person's edit leaves the organisations' statistics kept.

Why a kept answer is never older than the records:
- Writers replace a collection's token after writing to it: the write path
  before it marks a change applied (so recovery of a cut-off change replaces
  it too), bulk writes at their end, and every server at its start.
- A reader reads the tokens before computing, so what it keeps under a token
  includes every write that replaced the token before it.
- Tokens are random, never counters, and each collection's is a document of
  its own: an engine can lose one of two concurrent updates of a document
  (datastore/engines), which loses a token but never brings back an earlier one.
- Bulk writes (seed, restore, derived fields) mark their collections
  unsettled while they run, and nothing is kept under an unsettled one: a
  bulk write killed halfway leaves nothing kept until the next start.
"""

import asyncio
import uuid
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pymongo import UpdateOne, WriteConcern

from datastore import reads as recorded
from datastore.client import Database

T = TypeVar("T")

# A collection's generation is the meta document "generation:<collection>".
_PREFIX = "generation:"
# Journaled like the records it follows: an engine restart must not bring back
# a token older than records it kept.
_DURABLE = WriteConcern(w="majority", j=True)

Tokens = dict[str, str | None]


async def advance(db: Database, collections: Collection[str], *, unsettled: bool | None = None) -> None:
    """Replace the tokens of `collections`; `unsettled` True or False marks a bulk write's start or end."""
    updates = []
    for collection in sorted(set(collections)):
        fields: dict[str, Any] = {"token": uuid.uuid4().hex}
        if unsettled is not None:
            fields["unsettled"] = unsettled
        updates.append(UpdateOne({"_id": _PREFIX + collection}, {"$set": fields}, upsert=True))
    if updates:
        await db.meta.with_options(write_concern=_DURABLE).bulk_write(updates, ordered=False)


@asynccontextmanager
async def bulk_write(db: Database, collections: Collection[str]) -> AsyncIterator[None]:
    """Around writes to `collections` that bypass the write path: nothing is kept while they run."""
    await advance(db, collections, unsettled=True)
    try:
        yield
    finally:  # a write that failed halfway still wrote its first half
        await advance(db, collections, unsettled=False)


async def current(db: Database) -> Tokens:
    """Every collection's token, None where nothing may be kept (a bulk write
    running or cut off); a collection never written has none."""
    # `_id` from the prefix up to the character after its colon: the generations alone.
    found = db.meta.find({"_id": {"$gte": _PREFIX, "$lt": _PREFIX[:-1] + ";"}})
    return {
        document["_id"].removeprefix(_PREFIX): None if document.get("unsettled") else document["token"]
        for document in await found.to_list()
    }


class SharedReads:
    """`current(db)`, one read at a time shared by every request that asked for it
    before it was sent: a request waits for a read sent after it asked (never
    one already under way, which may have been answered before a write the
    request must see), so concurrent requests share one read instead of each
    sending its own."""

    def __init__(self) -> None:
        self._waiting: asyncio.Future[Tokens] | None = None  # asked for, not yet sent
        self._sent: asyncio.Future[Tokens] | None = None

    async def read(self, db: Database) -> Tokens:
        loop = asyncio.get_running_loop()
        if self._sent is not None and self._sent.get_loop() is not loop:  # left by a loop since closed
            self._sent = self._waiting = None
        answer = self._waiting
        if answer is None:
            answer = self._waiting = loop.create_future()
            if self._sent is None:
                self._send(db)
        return await asyncio.shield(answer)

    def _send(self, db: Database) -> None:
        answers, self._waiting = self._waiting, None
        assert answers is not None
        self._sent = asyncio.ensure_future(current(db))

        def settle(sent: asyncio.Future[Tokens]) -> None:
            self._sent = None
            if sent.cancelled():
                answers.cancel()
            elif (error := sent.exception()) is not None:
                answers.set_exception(error)
            else:
                answers.set_result(sent.result())
            if self._waiting is not None:  # asked for while this one was under way
                self._send(db)

        self._sent.add_done_callback(settle)


# By client, then database name: gone with the client.
_SHARED: "weakref.WeakKeyDictionary[Any, dict[str, SharedReads]]" = weakref.WeakKeyDictionary()


async def shared_current(db: Database) -> Tokens:
    """current(db) as of after the call, shared with concurrent callers (SharedReads)."""
    reads = _SHARED.setdefault(db.client, {}).get(db.name)
    if reads is None:
        reads = _SHARED[db.client][db.name] = SharedReads()
    return await reads.read(db)


# What Kept.get gives for an answer it does not hold (None may be an answer).
ABSENT: Any = object()


class Kept:
    """Answers by (token, key), the least recently used dropped once they hold
    more than `capacity` rows (a list counts its length, anything else one).
    One per process: tokens are random, so databases never share one."""

    def __init__(self, capacity: int = 50_000):
        self.capacity = capacity
        self._answers: OrderedDict[tuple[str, Hashable], tuple[Any, int]] = OrderedDict()
        self._rows = 0

    def get(self, token: str, key: Hashable) -> Any:
        found = self._answers.get((token, key))
        if found is None:
            return ABSENT
        self._answers.move_to_end((token, key))
        return found[0]

    def put(self, token: str, key: Hashable, answer: Any) -> None:
        rows = len(answer) if isinstance(answer, list | tuple) else 1
        if rows > self.capacity:
            return
        if (old := self._answers.pop((token, key), None)) is not None:
            self._rows -= old[1]
        self._answers[(token, key)] = (answer, rows)
        self._rows += rows
        while self._rows > self.capacity:
            _, (_, dropped) = self._answers.popitem(last=False)
            self._rows -= dropped

    def clear(self) -> None:
        self._answers.clear()
        self._rows = 0


KEPT = Kept()


class Generation:
    """One request's view: the tokens read at most once, answers kept under them."""

    def __init__(self, db: Database, kept: Kept = KEPT):
        self.db = db
        self.kept = kept
        self._tokens: asyncio.Future[Tokens] | None = None

    async def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = asyncio.ensure_future(shared_current(self.db))
        return await asyncio.shield(self._tokens)

    def start_from(self, tokens: Tokens) -> None:
        """Tokens the caller has just read (before anything was computed): not read again."""
        if self._tokens is None:
            self._tokens = asyncio.get_running_loop().create_future()
            self._tokens.set_result(tokens)

    def forget(self) -> None:
        """Read the tokens again before the next answer (the request wrote, or is answered)."""
        self._tokens = None

    async def answer(self, reads: Collection[str], key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """`compute()`, which reads the collections `reads`, or what it gave while they stayed as now."""
        recorded.note(*reads)  # also when the answer is kept: it stands for those reads
        tokens = await self.tokens()
        under = tuple(tokens.get(collection) for collection in sorted(reads))
        if None in under:
            return await compute()
        token = "/".join(under)  # type: ignore[arg-type]
        found = self.kept.get(token, key)
        if found is not ABSENT:
            return found
        answer = await compute()
        self.kept.put(token, key, answer)
        return answer
