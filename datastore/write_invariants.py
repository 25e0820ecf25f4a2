"""The write path's invariants, stated over the database (for tests and the property test).

- Every versioned record's applied changes have contiguous versions, one each,
  the last equal to the record's version (seeded records start unlogged).
- Every document the path wrote names, in `written_by`, a change that is
  applied (or the undone marker of a rejected one): nothing shows of a change
  that was rejected or is still in flight.
- No change stays claimed longer than the lease (recovery completes it).
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from datastore.changes import WRITTEN_BY
from datastore.client import Database
from datastore.records.changes import ChangeState

VERSIONED = ("organisations", "people", "groups", "roster")
WRITTEN = (*VERSIONED, "contacts")


async def audit_problems(db: Database, lease: timedelta | None = None) -> list[str]:
    """What breaks the invariants above, one line each ([] when they hold)."""
    problems: list[str] = []
    applied_ids: set[str] = set()
    versions: dict[str, list[int]] = defaultdict(list)
    async for change in db.changes.find({"state": ChangeState.APPLIED.value},
                                        projection=["owner_id", "version", "notices"]):
        applied_ids.add(change["_id"])
        versions[change["owner_id"]].append(change["version"])
        for notice in change.get("notices") or ():
            # A roster entry is created as an effect of its group's change, at its own version 1.
            if notice["record_type"] == "ROSTER_ENTRY" and notice["record_id"] != change["owner_id"]:
                if notice["action"] == "CREATE":
                    versions[notice["record_id"]].append(1)
    if lease is not None:
        cut_off = datetime.now(UTC) - lease
        async for change in db.changes.find({"state": ChangeState.CLAIMED.value, "at": {"$lt": cut_off}},
                                            projection=["_id"]):
            problems.append(f"{change['_id']} still claimed after the lease")
    for collection in WRITTEN:
        async for document in getattr(db, collection).find({}, projection=["version", WRITTEN_BY]):
            record_id = document["_id"]
            writer = document.get(WRITTEN_BY)
            if writer and not writer.endswith("!undone") and writer not in applied_ids:
                problems.append(f"{collection} {record_id} was written by {writer}, which is not applied")
            if collection not in VERSIONED or record_id not in versions:
                continue
            logged = sorted(versions[record_id])
            if len(logged) != len(set(logged)):
                problems.append(f"{record_id}: a version applied twice {logged}")
            if logged != list(range(logged[0], logged[0] + len(logged))):
                problems.append(f"{record_id}: versions not contiguous {logged}")
            if logged[-1] != document.get("version", 1):
                problems.append(f"{record_id}: at version {document.get('version', 1)}, audit log at {logged[-1]}")
    return problems
