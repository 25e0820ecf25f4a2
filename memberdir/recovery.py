"""Completing cut-off changes while serving, not only at start-up.

A change claimed by a process that was killed stays claimed; once it is older
than the lease, any process completes it (datastore.writes.recover). Start-up
does it once; this sweep does it again every half lease, so a record is never
held longer than about a lease and a half after a kill.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from pymongo.errors import PyMongoError

from datastore import writes
from datastore.client import Database

log = logging.getLogger("memberdir.recovery")


@asynccontextmanager
async def sweeping(database: Callable[[], Database], lease: timedelta) -> AsyncIterator[None]:
    async def sweep() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 2)
            try:
                completed = await writes.recover(database(), lease)
            except (PyMongoError, RuntimeError) as error:  # the database is down or closing: next time
                log.warning("recovery sweep skipped: %s", error)
                continue
            if completed:
                log.info("recovery completed %d cut-off change(s)", completed)

    task = asyncio.create_task(sweep())
    try:
        yield
    finally:
        task.cancel()
