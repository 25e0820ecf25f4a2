"""Changes: each one claims a record's next version, is applied, and then is
the audit log's entry for it.

A change names the versioned record it claimed (`owner`: an organisation,
person, group or roster entry, and the version it creates) and the record it
is about (`record`: the same, or a role contact of the organisation). Only
applied changes are the audit log; claimed ones are in flight (or were cut
off, and are completed at start-up: datastore.writes).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from datastore.client import Database
from datastore.documents import count_matching
from datastore.keyset import Sort, SortKey, after_filter
from datastore.records.changes import Actor, Change, ChangeState, FieldChange, Notice
from datastore.records.vocabulary import ChangeAction, RecordType


# The collection each kind of record is kept in.
RECORD_TYPE_OF_COLLECTION = {
    "organisations": RecordType.ORGANISATION,
    "people": RecordType.PERSON,
    "groups": RecordType.WORKING_GROUP,
    "roster": RecordType.ROSTER_ENTRY,
    "contacts": RecordType.ROLE_CONTACT,
    "invitations": RecordType.INVITATION,
}


def client_key(identity: str, client_mutation_id: str) -> str:
    """A caller's retries' key: the caller, and a digest of their clientMutationId (which
    is the caller's free text, and so never kept as given)."""
    return f"{identity}|{hashlib.sha256(client_mutation_id.encode()).hexdigest()[:32]}"


# On every document the write path writes: the id of the change that wrote it (its fence).
WRITTEN_BY = "written_by"


def claim_id(owner_id: str, version: int, attempt: int = 0) -> str:
    """The unique key a change claims: one record, one version, one winner. A rejected
    try keeps its key, so the next try at the same version claims the next attempt's."""
    return f"{owner_id}@{version}" if attempt == 0 else f"{owner_id}@{version}#{attempt}"


def to_document(change: Change) -> dict:
    return {
        "_id": change.id,
        "owner_type": change.owner_type.value,
        "owner_id": change.owner_id,
        "version": change.version,
        "record_type": change.record_type.value,
        "record_id": change.record_id,
        "action": change.action.value,
        "at": change.at,
        "actor": {
            "role": change.actor.role,
            "person_id": change.actor.person_id,
            "key_id": change.actor.key_id,
            "source": change.actor.source,
        },
        "state": change.state.value,
        "fields": [
            {"field": f.field, "before": f.before, "after": f.after, "private": f.private, "erased": f.erased}
            for f in change.fields
        ],
        "reason": change.reason,
        "client_key": change.client_key,
        "notices": [
            {"record_type": n.record_type.value, "record_id": n.record_id, "action": n.action.value, "version": n.version}
            for n in change.notices
        ],
        "plan": change.plan,
    }


def from_document(document: dict) -> Change:
    actor = document.get("actor") or {}
    return Change(
        id=document["_id"],
        owner_type=RecordType(document["owner_type"]),
        owner_id=document["owner_id"],
        version=document["version"],
        record_type=RecordType(document["record_type"]),
        record_id=document["record_id"],
        action=ChangeAction(document["action"]),
        at=document["at"],
        actor=Actor(actor.get("role", ""), actor.get("person_id"), actor.get("key_id"), actor.get("source")),
        state=ChangeState(document["state"]),
        fields=tuple(
            FieldChange(f["field"], f.get("before"), f.get("after"), bool(f.get("private")), bool(f.get("erased")))
            for f in document.get("fields") or ()
        ),
        reason=document.get("reason"),
        client_key=document.get("client_key"),
        notices=tuple(
            Notice(RecordType(n["record_type"]), n["record_id"], ChangeAction(n["action"]), n["version"])
            for n in document.get("notices") or ()
        ),
        plan=document.get("plan"),
    )


# The audit log reads newest first; the change feed oldest first.
NEWEST_FIRST: Sort = (("at", -1), ("_id", -1))
OLDEST_FIRST: Sort = (("at", 1), ("_id", 1))


@dataclass(frozen=True, slots=True)
class AuditFilter:
    record_id: str | None = None
    record_types: tuple[RecordType, ...] = ()
    actions: tuple[ChangeAction, ...] = ()
    actor_person_id: str | None = None
    actor_key_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def to_query(self) -> dict:
        query: dict[str, Any] = {"state": ChangeState.APPLIED.value}
        if self.record_id:
            # A record's history includes the changes to what belongs to it (role contacts).
            query["$or"] = [{"record_id": self.record_id}, {"owner_id": self.record_id}]
        if self.record_types:
            query["record_type"] = {"$in": [t.value for t in self.record_types]}
        if self.actions:
            query["action"] = {"$in": [a.value for a in self.actions]}
        if self.actor_person_id:
            query["actor.person_id"] = self.actor_person_id
        if self.actor_key_id:
            query["actor.key_id"] = self.actor_key_id
        at: dict[str, datetime] = {}
        if self.since:
            at["$gte"] = self.since
        if self.until:
            at["$lte"] = self.until
        if at:
            query["at"] = at
        return query


def sort_key(change: Change) -> SortKey:
    return (change.at, change.id)


async def audit_page(db: Database, where: AuditFilter, after: SortKey | None, limit: int) -> list[Change]:
    """Applied changes matching `where`, newest first, after the keyset `after`."""
    query = where.to_query()
    if after is not None:
        query = {"$and": [query, after_filter(NEWEST_FIRST, after)]}
    cursor = db.changes.find(query, sort=list(NEWEST_FIRST), limit=limit, batch_size=limit,
                             projection={"plan": False})
    return [from_document(d) for d in await cursor.to_list()]


async def audit_count(db: Database, where: AuditFilter) -> int:
    return await count_matching(db.changes, where.to_query())


async def by_client_key(db: Database, client_key: str) -> Change | None:
    """The change a call with this client key made: applied or in flight before a rejected one."""
    found = [from_document(d) for d in await db.changes.find({"client_key": client_key}).to_list()]
    rank = {ChangeState.APPLIED: 0, ChangeState.CLAIMED: 1, ChangeState.REJECTED: 2}
    return min(found, key=lambda c: (rank[c.state], c.at), default=None)


async def claimed_among(db: Database, change_ids: Sequence[str]) -> list[Change]:
    """Those of `change_ids` still claimed (in flight, or cut off)."""
    cursor = db.changes.find({"_id": {"$in": list(change_ids)}, "state": ChangeState.CLAIMED.value})
    return [from_document(d) for d in await cursor.to_list()]


async def claimed_for(db: Database, owner_id: str, version: int) -> Change | None:
    """A change claiming `version` of the record and not yet settled, if any."""
    document = await db.changes.find_one(
        {"owner_id": owner_id, "version": version, "state": ChangeState.CLAIMED.value}
    )
    return from_document(document) if document else None


async def by_id(db: Database, change_id: str) -> Change | None:
    document = await db.changes.find_one({"_id": change_id})
    return from_document(document) if document else None


async def in_flight(db: Database, older_than: datetime | None = None) -> list[Change]:
    """Claimed changes not yet applied, oldest first (optionally only those claimed before a time)."""
    query: dict[str, Any] = {"state": ChangeState.CLAIMED.value}
    if older_than is not None:
        query["at"] = {"$lt": older_than}
    cursor = db.changes.find(query, sort=list(OLDEST_FIRST))
    return [from_document(d) for d in await cursor.to_list()]


def applied_count_query(owner_ids: Sequence[str]) -> dict:
    return {"state": ChangeState.APPLIED.value, "owner_id": {"$in": list(owner_ids)}}


async def oldest_in_flight(db: Database) -> datetime | None:
    """When the oldest change still being applied was claimed, if any."""
    document = await db.changes.find_one(
        {"state": ChangeState.CLAIMED.value}, sort=list(OLDEST_FIRST), projection=["at"]
    )
    return document["at"] if document else None


async def feed_page(
    db: Database, record_types: Sequence[RecordType], after: SortKey | None, horizon: datetime, limit: int
) -> list[Change]:
    """Applied changes claimed before `horizon`, oldest first, from the keyset `after` on
    (that change included: the caller may have read only some of its notices)."""
    query: dict[str, Any] = {"state": ChangeState.APPLIED.value, "at": {"$lt": horizon}}
    if record_types:
        query["notices.record_type"] = {"$in": [t.value for t in record_types]}
    if after is not None:
        query = {"$and": [query, {"$or": [after_filter(OLDEST_FIRST, after), {"_id": after[1]}]}]}
    cursor = db.changes.find(query, sort=list(OLDEST_FIRST), limit=limit, batch_size=limit,
                             projection={"plan": False, "fields": False})
    return [from_document(d) for d in await cursor.to_list()]
