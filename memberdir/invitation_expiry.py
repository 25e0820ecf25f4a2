"""Marking invitations EXPIRED while serving (datastore.invitations.expire_due).

Every process sweeps; each expiry is a change of the invitation at the version
read, so of several processes sweeping at once exactly one records it. The
sweep only records what already holds: an answer after the end of `expiresOn`
(UTC) is refused whether or not it ran.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from pymongo.errors import PyMongoError

from datastore import invitations
from datastore.client import Database

log = logging.getLogger("memberdir.invitations")


@asynccontextmanager
async def expiring(database: Callable[[], Database], every_seconds: float, lease: timedelta) -> AsyncIterator[None]:
    async def sweep() -> None:
        while True:
            try:
                expired = await invitations.expire_due(database(), lease=lease)
            except (PyMongoError, RuntimeError) as error:  # the database is down or closing: next time
                log.warning("invitation expiry skipped: %s", error)
                expired = 0
            if expired:
                log.info("%d invitation(s) expired unanswered", expired)
            await asyncio.sleep(every_seconds)

    task = asyncio.create_task(sweep())
    try:
        yield
    finally:
        task.cancel()
