"""Whether the engine can still write: one small journaled upsert, bounded in time.

A server can answer `ping` and reads while its storage cannot write (a full
disk made WiredTiger panic, and every write since fails), so readiness asks
for a write with the write concern every change uses (journaled). The upsert
goes to a collection of its own, HEALTH_COLLECTION, one document per probing
process; it holds nothing of the directory's, so dumps, restores and bulk
writes leave it out (it is not in dataset.COLLECTIONS).
"""

import os
import socket
from datetime import UTC, datetime

import pymongo
from pymongo.asynchronous.database import AsyncDatabase

from datastore.writes import DURABLE

HEALTH_COLLECTION = "engine_health"


def prober_id() -> str:
    """This process, as the probe's document names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def probe_write(database: AsyncDatabase, timeout: float, prober: str | None = None) -> None:
    """Write this process's health document, journaled, within `timeout` seconds.

    Raises a PyMongoError when the engine refuses the write, fails, or does not
    acknowledge it in time (`error.timeout` is then true).
    """
    health = database.get_collection(HEALTH_COLLECTION, write_concern=DURABLE)
    with pymongo.timeout(timeout):  # the whole operation: server selection, send, journal, reply
        await health.update_one(
            {"_id": prober or prober_id()}, {"$set": {"at": datetime.now(UTC)}}, upsert=True
        )
