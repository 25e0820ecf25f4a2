"""What a piece of work read: the collections and whether it read the clock.

An answer kept for later (memberdir/edge/answer_cache.py) stays right only
while what it was computed from stays as it was. The work records it here as
it goes: every database command notes its collection (PyMongo's command
monitoring, memberdir/edge/database_commands.py), an answer served from
`generations.Kept` notes the collections it stood for, and reading today's
date, the time or anything else that changes without a write (the caller's
rate budget) notes that. Nothing is noted outside `recording()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class Reads:
    collections: set[str] = field(default_factory=set)
    date: bool = False  # read today's date: right until midnight UTC
    moment: bool = False  # read what changes without a write (the time, a rate budget): right for no later moment


# A mutable record in the variable: tasks started by the work share it.
_current: ContextVar[Reads | None] = ContextVar("datastore_reads", default=None)


@contextmanager
def recording() -> Iterator[Reads]:
    reads = Reads()
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)


def note(*collections: str) -> None:
    reads = _current.get()
    if reads is not None:
        reads.collections.update(collections)


def noted_date_read() -> None:
    """A date fixed earlier (one per request) is read now."""
    if (reads := _current.get()) is not None:
        reads.date = True


def noted_moment_read() -> None:
    """Something that changes without any write (a rate budget) is read now."""
    if (reads := _current.get()) is not None:
        reads.moment = True


def now() -> datetime:
    """The time (UTC), noted as read."""
    noted_moment_read()
    return datetime.now(UTC)
