"""The exact response cache: query answers kept per process, served again while
nothing they were computed from has changed (README, "Response cache").

An answer is kept by (document, operation name, variables, the caller): the
caller is `anonymous` for everyone without credentials, otherwise its role,
person and credential, so two callers never share an answer unless both are
anonymous. It is kept with the generation token (datastore/generations.py) of
every collection it read, as they were before it ran, and with the date when
it read today's date; it is served only while each of those tokens, read
again by the request, is the same (and the date too). Every write replaces the
tokens of what it wrote before its acknowledgement returns, so a kept answer
is never older than an acknowledged write.

Only answers over the directory's records are kept (`KEPT_OVER`): their every
writer replaces the tokens (the write path, the bulk writes, erasure). Answers
that read another collection (the audit log, invitations, deliveries...) or
the time of day, and answers with errors, are computed every time.

Bounded by the bytes of what it keeps (MEMBERDIR_RESPONSE_CACHE_BYTES), the
least recently used dropped first. Emptied when this process applies an
erasure (datastore.erasure): a kept answer may quote the erased person.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from datastore import erasure
from datastore.dataset import COLLECTIONS
from resolvers.viewer import Viewer

# The collections whose every writer replaces their generation token.
KEPT_OVER = frozenset(COLLECTIONS)
# What each kept answer costs besides its body and key (the entry, its tuples).
_OVERHEAD = 400


def caller_of(viewer: Viewer) -> str:
    """Whose answer it is: one shared class for anonymous callers, else role, person and credential."""
    if viewer.credential is None and viewer.person_id is None and viewer.role.value == "anonymous":
        return "anonymous"
    return f"{viewer.role.value}|{viewer.person_id or ''}|{viewer.credential or ''}"


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    data: bytes  # the answer's `data`, as JSON
    under: tuple[tuple[str, str], ...]  # (collection, token) of each collection it read
    day: date | None  # the date it read, if it did
    etag: str

    def holds(self, tokens: Mapping[str, str | None], today: date) -> bool:
        return (self.day is None or self.day == today) and all(tokens.get(c) == t for c, t in self.under)


class AnswerCache:
    def __init__(self, capacity_bytes: int):
        self.capacity_bytes = capacity_bytes
        self._answers: OrderedDict[Hashable, tuple[KeptAnswer, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # /metrics reads the counters from another thread
        self.hits = self.misses = self.evictions = 0
        erasure.forget_on_erasure(self)

    @property
    def enabled(self) -> bool:
        return self.capacity_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable, tokens: Mapping[str, str | None], today: date) -> KeptAnswer | None:
        """The answer kept for `key` if it still holds under the current `tokens`; counts a hit or a miss."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None and found[0].holds(tokens, today):
                self._answers.move_to_end(key)
                self.hits += 1
                return found[0]
            if found is not None:  # computed under tokens since replaced: never served again
                self._drop(key)
            self.misses += 1
            return None

    def put(self, key: Hashable, answer: KeptAnswer, key_bytes: int) -> None:
        size = len(answer.data) + key_bytes + _OVERHEAD
        if size > self.capacity_bytes:
            return
        with self._lock:
            if key in self._answers:
                self._drop(key)
            self._answers[key] = (answer, size)
            self._bytes += size
            while self._bytes > self.capacity_bytes:
                _, (_, dropped) = self._answers.popitem(last=False)
                self._bytes -= dropped
                self.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    def _drop(self, key: Hashable) -> None:
        _, size = self._answers.pop(key)
        self._bytes -= size
