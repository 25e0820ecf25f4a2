"""The execution deadline: work cancelled at its deadline, and the request answered.

The work runs as a task of its own. At the deadline it is cancelled and given
a short grace to wind down (its clean-up gives pool connections and locks
back: memberdir.execution.planned.run steps cancelled resolvers to their ends, graphql-core
awaits its cancelled fields, and a field waiting on a DataLoader's shared
future wakes when that batch's read ends). The answer goes out when the work
has ended or the grace is over, whichever comes first: a read the engine never
answers must not keep the caller waiting; the work then ends with that read.
"""

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")
GRACE_SECONDS = 2.0
log = logging.getLogger(__name__)


class DeadlineExceeded(Exception):
    pass


async def within_deadline(work: Awaitable[T], seconds: float, grace: float = GRACE_SECONDS) -> T:
    """The work's result; DeadlineExceeded when it runs past `seconds`."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:  # the request itself is cancelled (the server stops)
        await _cancel(task, grace)
        raise
    if done:
        return task.result()
    await _cancel(task, grace)
    raise DeadlineExceeded(seconds)


async def _cancel(task: asyncio.Future, grace: float) -> None:
    task.cancel()
    try:
        await asyncio.wait({task}, timeout=grace)
    finally:
        if task.done():
            _settled(task)
        else:
            log.warning("work cancelled at its deadline was still winding down after %g s", grace)
            task.add_done_callback(_settled)


def _settled(task: asyncio.Future) -> None:
    """Whatever the cancelled work ended with is no one's answer any more."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("cancelled work ended with %r", task.exception())
