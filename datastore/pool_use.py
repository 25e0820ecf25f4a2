"""What a client's connection pools hold in use: the invariant cancelled work must keep.

Once every request is answered, nothing is in use: no checkout under way
(`requests`), no connection checked out (`active_sockets`), none being made
(`pending`). A checkout left half done (a coroutine closed while its clean-up
still had to await) kept these at their maximum, and every later query of the
process waited for a connection. PyMongo publishes no such figures (its pool
events leave out a checkout cancelled while it waits), so its pools' own
counters are read; tests and the property test check `pool_in_use(db) == IDLE`.
"""

from datastore.client import Database

IDLE = {"requests": 0, "active_sockets": 0, "pending": 0}


def pool_in_use(db: Database) -> dict[str, int]:
    counts = dict.fromkeys(IDLE, 0)
    for server in db.client._topology._servers.values():
        pool = server.pool
        counts["requests"] += pool.requests
        counts["active_sockets"] += pool.active_sockets
        counts["pending"] += pool._pending
    return counts
