"""Calls: each clientMutationId claimed once per caller, so a retry is answered, never applied again.

A mutation sent with a clientMutationId first inserts `{_id: "<caller>|<id>"}`
with a digest of the call (the mutation's name and its input as given).
Colliding inserts on `_id` have exactly one winner on every engine, so of two
copies sent at once one runs and the other waits for its answer. The winner
records how it ended: refused (the user errors, replayed as they were), or
applied (the change, found again by its client key). A call that ended
without either (an internal error, or cut off before it claimed a change)
is released, and may be tried again. Calls hold no personal values: the
caller's key or person id with a digest of their id (datastore.changes.client_key),
a digest of the call, and the refusal's messages (scrubbed on erasure like any
free text: datastore.erasure).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError

from datastore.client import Database

DURABLE = WriteConcern(w="majority", j=True)
RUNNING = "running"
ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class Call:
    key: str
    digest: str
    at: datetime
    state: str
    # Refused: {"errors": [{"field": [...], "message": ..., "code": ...}]}; applied: {"change_id": ...}.
    answer: dict | None = None


def _calls(db: Database):
    return db.calls.with_options(write_concern=DURABLE)


def _of(document: dict) -> Call:
    return Call(document["_id"], document["digest"], document["at"], document["state"], document.get("answer"))


async def claim(db: Database, key: str, digest: str) -> tuple[Call, bool]:
    """The call under `key`, and whether this caller just claimed it (False: it was there already)."""
    now = datetime.now(UTC)
    # Milliseconds, as the engine keeps them: `at` tells this try from a later one.
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    document = {"_id": key, "digest": digest, "at": at, "state": RUNNING}
    try:
        await _calls(db).insert_one(document)
        return _of(document), True
    except DuplicateKeyError:
        found = await db.calls.find_one({"_id": key})
        if found is None:  # released between the two: try once more
            return await claim(db, key, digest)
        return _of(found), False


async def get(db: Database, key: str) -> Call | None:
    found = await db.calls.find_one({"_id": key})
    return _of(found) if found else None


async def answer(db: Database, call: Call, answer: dict) -> None:
    await _calls(db).update_one({"_id": call.key, "at": call.at}, {"$set": {"state": ANSWERED, "answer": answer}})


async def release(db: Database, call: Call) -> None:
    """Free the id for another try: this try changed nothing (only its own claim goes)."""
    await _calls(db).delete_one({"_id": call.key, "at": call.at, "state": RUNNING})
