"""Webhook endpoints: host institutions' addresses for change notices, and what each change owes them.

An endpoint is configuration that staff and admin keep (like an API key), not
directory data: it is not versioned through the write path. What it receives
is: every change the write path applies owes each enabled endpoint that
subscribes to one of the record types the change touched one WEBHOOK
notification (datastore.outbox), written in the same claimed change
(datastore.writes calls `owed`), so no acknowledged change misses one. The
notification holds the change notice only (record type, id, action, version),
never values; its change's id becomes the `webhook-id`.

The signing secret (`whsec_` and 32 random bytes, base64) must be readable to
sign: it is stored as given, shown once (at creation or rotation), never
answered again, and left out of dumps unless they are made with
--include-secrets (datastore/dump.py).

Failures in a row are counted without a counter: each failed attempt is one
document (`webhook_failures`, its id the notification and attempt, so a retry
of the recording writes it once), a success removes them, and the run is their
count. An endpoint whose run reaches the limit is disabled, once.
"""

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError

from datastore.records.changes import Notice
from datastore.client import Database
from datastore.records.outbox import Owed
from datastore.records.vocabulary import ChangeAction, DeliveryChannel, DeliveryState, NotificationKind, RecordType

SECRET_PREFIX = "whsec_"
_DURABLE = WriteConcern(w="majority", j=True)


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    url: str
    record_types: tuple[RecordType, ...]
    created_at: datetime
    secret: str | None = field(default=None, repr=False)
    disabled: bool = False
    disabled_at: datetime | None = None
    disabled_why: str | None = None
    reason: str | None = None
    created_by: str | None = None
    last_delivery_state: DeliveryState | None = None
    last_success_at: datetime | None = None

    def subscribes(self, record_types: Iterable[RecordType]) -> bool:
        return any(t in self.record_types for t in record_types)


def new_secret() -> str:
    """A Standard Webhooks secret: the prefix and 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_id() -> str:
    return f"whk_{secrets.token_hex(8)}"


def to_document(endpoint: Endpoint) -> dict:
    return {
        "_id": endpoint.id,
        "url": endpoint.url,
        "record_types": [t.value for t in endpoint.record_types],
        "created_at": endpoint.created_at,
        "secret": endpoint.secret,
        "disabled": endpoint.disabled,
        "disabled_at": endpoint.disabled_at,
        "disabled_why": endpoint.disabled_why,
        "reason": endpoint.reason,
        "created_by": endpoint.created_by,
        "last_delivery_state": endpoint.last_delivery_state.value if endpoint.last_delivery_state else None,
        "last_success_at": endpoint.last_success_at,
    }


def from_document(document: dict) -> Endpoint:
    state = document.get("last_delivery_state")
    return Endpoint(
        id=document["_id"],
        url=document["url"],
        record_types=tuple(RecordType[t] for t in document.get("record_types") or ()),
        created_at=document["created_at"],
        secret=document.get("secret"),
        disabled=bool(document.get("disabled")),
        disabled_at=document.get("disabled_at"),
        disabled_why=document.get("disabled_why"),
        reason=document.get("reason"),
        created_by=document.get("created_by"),
        last_delivery_state=DeliveryState[state] if state else None,
        last_success_at=document.get("last_success_at"),
    )


async def create(db: Database, endpoint: Endpoint) -> None:
    await db.webhook_endpoints.with_options(write_concern=_DURABLE).insert_one(to_document(endpoint))


async def by_id(db: Database, endpoint_id: str) -> Endpoint | None:
    found = await db.webhook_endpoints.find_one({"_id": endpoint_id})
    return from_document(found) if found else None


async def every(db: Database) -> list[Endpoint]:
    return [from_document(d) async for d in db.webhook_endpoints.find({}, sort=[("created_at", 1), ("_id", 1)])]


async def enabled(db: Database) -> list[Endpoint]:
    return [from_document(d) async for d in db.webhook_endpoints.find({"disabled": False}, sort=[("_id", 1)])]


async def disable(db: Database, endpoint_id: str, why: str, at: datetime) -> bool:
    """Disable the endpoint; True only for the call that disabled it (it was enabled)."""
    written = await db.webhook_endpoints.with_options(write_concern=_DURABLE).update_one(
        {"_id": endpoint_id, "disabled": False}, {"$set": {"disabled": True, "disabled_at": at, "disabled_why": why}})
    return bool(written.modified_count)


async def set_secret(db: Database, endpoint_id: str, secret: str) -> bool:
    written = await db.webhook_endpoints.with_options(write_concern=_DURABLE).update_one(
        {"_id": endpoint_id}, {"$set": {"secret": secret}})
    return bool(written.matched_count)


# What a change owes


def notice_values(record_type: RecordType, record_id: str, action: ChangeAction, version: int,
                  notices: Iterable[Notice]) -> dict:
    """The change notice a webhook carries: what changed, never a value."""
    return {
        "recordType": record_type.value, "recordId": record_id, "action": action.value, "version": version,
        "records": [{"recordType": n.record_type.value, "recordId": n.record_id, "action": n.action.value,
                     "version": n.version} for n in notices],
    }


async def owed(db: Database, notices: tuple[Notice, ...], about: tuple[RecordType, str], action: ChangeAction,
               version: int) -> tuple[Owed, ...]:
    """One WEBHOOK notification for each enabled endpoint subscribing to a record type the change touched."""
    touched = {n.record_type for n in notices}
    endpoints = [e for e in await enabled(db) if e.subscribes(touched)]
    if not endpoints:
        return ()
    record_type, record_id = about
    values = notice_values(record_type, record_id, action, version, notices)
    subject = f"{action.value} {record_type.value} {record_id}"
    return tuple(
        Owed(kind=NotificationKind.RECORD_CHANGED, channel=DeliveryChannel.WEBHOOK, recipient_id=None,
             subject=subject, record_type=record_type, record_id=record_id, template="", values=values,
             endpoint_id=endpoint.id)
        for endpoint in endpoints
    )


# Deliveries in a row


async def record_success(db: Database, endpoint_id: str, at: datetime) -> None:
    """A delivery succeeded: the run of failures ends."""
    await db.webhook_endpoints.with_options(write_concern=_DURABLE).update_one(
        {"_id": endpoint_id},
        {"$set": {"last_delivery_state": DeliveryState.SENT.value, "last_success_at": at}})
    await db.webhook_failures.with_options(write_concern=_DURABLE).delete_many(
        {"endpoint_id": endpoint_id, "at": {"$lte": at}})


async def record_failure(db: Database, endpoint_id: str, attempt_id: str, at: datetime, error: str) -> int:
    """A delivery attempt failed; the failures in a row since the last success, this one included."""
    try:
        await db.webhook_failures.with_options(write_concern=_DURABLE).insert_one(
            {"_id": attempt_id, "endpoint_id": endpoint_id, "at": at, "error": error[:200]})
    except DuplicateKeyError:
        pass  # recorded already (the same attempt, recorded again)
    await db.webhook_endpoints.with_options(write_concern=_DURABLE).update_one(
        {"_id": endpoint_id}, {"$set": {"last_delivery_state": DeliveryState.FAILED.value}})
    return await db.webhook_failures.count_documents({"endpoint_id": endpoint_id})
