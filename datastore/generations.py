"""The directory's generation: a token every write to its records replaces, so
answers computed over many records are kept until the records change.

How many organisations match a filter, and the statistics, cost a read of
every record they count (the Rust server counts 6,200 organisations in about
9 ms), yet change only when a record does. A request reads the generation
(one document, by `_id`) and answers from what an earlier request computed
under the same one.

Why a kept answer is never older than the records:
- Writers replace the token after their records are written: the write path
  before it marks a change applied (so recovery of a cut-off change replaces
  it too), bulk writes at their end, and every server at its start.
- A reader reads the token before computing, so what it keeps under a token
  includes every write that replaced the token before it.
- The token is random, never a counter: FerretDB 1.24 can lose one of two
  concurrent updates of a document, which loses a token but never brings back
  an earlier one.
- Bulk writes (seed, restore, derived fields) mark the generation unsettled
  while they run, and nothing is kept under an unsettled generation: one
  killed halfway leaves nothing kept until the next start or bulk write.
"""

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pymongo import WriteConcern

from datastore.client import Database

T = TypeVar("T")

_GENERATION_ID = "generation"
# Journaled like the records it follows: an engine restart must not bring back
# a token older than records it kept.
_DURABLE = WriteConcern(w="majority", j=True)


async def advance(db: Database, *, unsettled: bool | None = None) -> None:
    """Replace the token; `unsettled` True or False marks a bulk write's start or end."""
    fields: dict[str, Any] = {"token": uuid.uuid4().hex}
    if unsettled is not None:
        fields["unsettled"] = unsettled
    meta = db.meta.with_options(write_concern=_DURABLE)
    await meta.update_one({"_id": _GENERATION_ID}, {"$set": fields}, upsert=True)


@asynccontextmanager
async def bulk_write(db: Database) -> AsyncIterator[None]:
    """Around writes that bypass the write path: nothing is kept while they run."""
    await advance(db, unsettled=True)
    yield
    await advance(db, unsettled=False)


async def current(db: Database) -> str | None:
    """The token answers may be kept under; None while none may be (never
    advanced, or a bulk write running or cut off)."""
    found = await db.meta.find_one({"_id": _GENERATION_ID})
    if found is None or found.get("unsettled"):
        return None
    return found["token"]


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
            return _ABSENT
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


_ABSENT: Any = object()
KEPT = Kept()


class Generation:
    """One request's view: the token read at most once, answers kept under it."""

    def __init__(self, db: Database, kept: Kept = KEPT):
        self.db = db
        self.kept = kept
        self._token: asyncio.Future[str | None] | None = None

    async def token(self) -> str | None:
        if self._token is None:
            self._token = asyncio.ensure_future(current(self.db))
        return await asyncio.shield(self._token)

    def forget(self) -> None:
        """Read the token again before the next answer (the request wrote, or is answered)."""
        self._token = None

    async def answer(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """`compute()`, or what it gave under this generation before."""
        token = await self.token()
        if token is None:
            return await compute()
        found = self.kept.get(token, key)
        if found is not _ABSENT:
            return found
        answer = await compute()
        self.kept.put(token, key, answer)
        return answer
