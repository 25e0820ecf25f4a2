"""The outbox: messages the directory owes people, written with the change that owes them.

A change that owes a notification carries it (`Write.notifications`, each an
`Owed`); the write path writes it as one more effect of the same claimed
change, with an id derived from the change's claim id and its place (or from
a deterministic `key`, for notices that must never be owed twice). So a kill at
any instant leaves the change and its notifications both written or neither
(datastore.writes), and a rejected change undoes its notifications with its
other effects.

Delivery (memberdir.notifications) reads only notifications whose change is
APPLIED. Each attempt is claimed by inserting "<notification>#<attempt>@<take>"
into `deliveries`: colliding inserts on a unique key have exactly one winner
on every engine, so two processes never make the same attempt at once; a claim
older than the lease whose attempt was never recorded (its sender was killed)
is taken over with the next `take`. Only the holder of an attempt's claim
records its outcome, fenced on the attempt number: no counters, no
conditional update another process races.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError

from datastore import canonical
from datastore.client import Database
from datastore.documents import count_matching, find_in
from datastore.keyset import Sort, SortKey, after_filter
from datastore.records.changes import ChangeState
from datastore.records.outbox import Notification, Owed, notification_id
from datastore.records.vocabulary import DeliveryChannel, DeliveryState, NotificationKind, RecordType

__all__ = ["Notification", "Owed", "notification_id"]  # the records, here too for the write path's callers

COLLECTION = "notifications"
DURABLE = WriteConcern(w="majority", j=True)
NEWEST_FIRST: Sort = (("created_at", -1), ("_id", -1))


def document(owed: Owed, change_id: str, index: int, at: datetime) -> dict:
    """The notification as the write path stores it (written_by is added there)."""
    return {
        "_id": notification_id(change_id, index, owed.key),
        "kind": owed.kind.value,
        "channel": owed.channel.value,
        "recipient_id": owed.recipient_id,
        "address": owed.address,
        "endpoint_id": owed.endpoint_id,
        "subject": owed.subject,
        "record_type": owed.record_type.value,
        "record_id": owed.record_id,
        "template": owed.template,
        "values": owed.values,
        "key": owed.key,
        "change_id": change_id,
        "created_at": at,
        "state": DeliveryState.PENDING.value,
        "attempts": 0,
        "last_error": None,
        "next_at": at,
        "sent_at": None,
        "retried_after": 0,
    }


def from_document(found: dict) -> Notification:
    return Notification(
        id=found["_id"],
        kind=NotificationKind[found["kind"]],
        channel=DeliveryChannel[found["channel"]],
        recipient_id=found.get("recipient_id"),
        subject=found.get("subject") or "",
        record_type=RecordType[found["record_type"]],
        record_id=found["record_id"],
        template=found.get("template") or "",
        values=found.get("values") or {},
        address=found.get("address"),
        endpoint_id=found.get("endpoint_id"),
        key=found.get("key"),
        change_id=found.get("change_id"),
        created_at=found["created_at"],
        state=DeliveryState[found["state"]],
        attempts=found.get("attempts", 0),
        last_error=found.get("last_error"),
        next_at=found.get("next_at"),
        sent_at=found.get("sent_at"),
        retried_after=found.get("retried_after", 0),
    )


async def existing_keys(db: Database, keys: Sequence[str]) -> set[str]:
    """Of the keyed notices, those already owed (by an earlier change): never owed twice."""
    if not keys:
        return set()
    ids = {notification_id("", 0, key): key for key in keys}
    found = db.notifications.find({"_id": {"$in": list(ids)}}, projection=["_id"])
    return {ids[d["_id"]] async for d in found}


# Reading


@dataclass(frozen=True, slots=True)
class NotificationFilter:
    kinds: tuple[NotificationKind, ...] = ()
    states: tuple[DeliveryState, ...] = ()
    recipient_id: str | None = None
    record_id: str | None = None
    created_since: datetime | None = None

    def to_query(self) -> dict:
        query: dict[str, Any] = {}
        if self.kinds:
            query["kind"] = {"$in": [k.value for k in self.kinds]}
        if self.states:
            query["state"] = {"$in": [s.value for s in self.states]}
        if self.recipient_id:
            query["recipient_id"] = self.recipient_id
        if self.record_id:
            query["record_id"] = self.record_id
        if self.created_since:
            query["created_at"] = {"$gte": self.created_since}
        return query


def sort_key(notification: Notification) -> SortKey:
    return (notification.created_at, notification.id)


async def page(db: Database, where: NotificationFilter, after: SortKey | None, limit: int) -> list[Notification]:
    """Notifications matching `where`, newest first, after the keyset `after`. Those whose
    change is still in flight are listed too (they are PENDING); a rejected change's are gone."""
    query = where.to_query()
    if after is not None:
        query = {"$and": [query, after_filter(NEWEST_FIRST, after)]} if query else after_filter(NEWEST_FIRST, after)
    cursor = db.notifications.find(query, sort=list(NEWEST_FIRST), limit=limit, batch_size=limit)
    return [from_document(d) for d in await cursor.to_list()]


async def count(db: Database, where: NotificationFilter) -> int:
    return await count_matching(db.notifications, where.to_query())


async def by_id(db: Database, notification_id_: str) -> Notification | None:
    found = await db.notifications.find_one({"_id": notification_id_})
    return from_document(found) if found else None


async def by_ids(db: Database, ids: Sequence[str]) -> list[Notification | None]:
    found = {d["_id"]: from_document(d) async for d in db.notifications.find({"_id": {"$in": list(ids)}})}
    return [found.get(i) for i in ids]


async def counts_by_state(db: Database) -> dict[DeliveryState, int]:
    """How many notifications are in each state (for /metrics)."""
    counted = {state: 0 for state in DeliveryState}
    async for row in await db.notifications.aggregate([{"$group": {"_id": "$state", "n": {"$sum": 1}}}]):
        if row["_id"] in DeliveryState.__members__:
            counted[DeliveryState[row["_id"]]] = row["n"]
    return counted


async def due(db: Database, now: datetime, limit: int) -> list[Notification]:
    """PENDING notifications whose next attempt is due and whose change is APPLIED, oldest first."""
    cursor = db.notifications.find(
        {"state": DeliveryState.PENDING.value, "next_at": {"$lte": now}},
        sort=[("next_at", 1), ("_id", 1)], limit=limit * 2, batch_size=limit * 2,
    )
    waiting = [from_document(d) for d in await cursor.to_list()]
    if not waiting:
        return []
    change_ids = list({n.change_id for n in waiting} - {None})
    applied = {
        d["_id"] async for d in db.changes.find(
            {"_id": {"$in": change_ids}, "state": ChangeState.APPLIED.value}, projection=["_id"])
    }
    # Owed by no change (change_id None): ready once written.
    return [n for n in waiting if n.change_id is None or n.change_id in applied][:limit]


# Delivery claims


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to make one attempt at one notification, until `at` + the lease."""

    id: str
    notification_id: str
    attempt: int
    at: datetime


def _claim_id(notification_id_: str, attempt: int, take: int) -> str:
    return f"{notification_id_}#{attempt}@{take}"


async def claim(db: Database, notification: Notification, lease: timedelta, holder: str) -> Claim | None:
    """Claim the notification's next attempt; None when another process holds it (within its lease)
    or has already made it."""
    attempt = notification.attempts + 1
    deliveries = db.deliveries.with_options(write_concern=DURABLE)
    for take in range(1000):
        now = datetime.now(UTC)
        # Milliseconds, as the engine keeps them.
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        claim_id = _claim_id(notification.id, attempt, take)
        try:
            await deliveries.insert_one({"_id": claim_id, "notification_id": notification.id, "attempt": attempt,
                                         "at": now, "holder": holder})
            return Claim(claim_id, notification.id, attempt, now)
        except DuplicateKeyError:
            held = await db.deliveries.find_one({"_id": claim_id})
            if held is None:
                return None  # the claims were cleared (a restore): try again on the next round
            if now - held["at"] <= lease:
                return None  # a live sender has it
            current = await by_id(db, notification.id)
            if current is None or current.attempts >= attempt or current.state is not DeliveryState.PENDING:
                return None  # that attempt was made and recorded meanwhile
            # Its sender was cut off: take it over with the next take.
    return None


async def record_attempt(
    db: Database, claim: Claim, *, sent: bool, error: str | None, next_at: datetime | None, give_up: bool,
) -> bool:
    """Record the outcome of the claimed attempt: SENT, PENDING again at `next_at`, or FAILED
    (`give_up`) with the last error. Fenced on the attempt number: False when it was recorded
    already (a take-over made it too)."""
    state = DeliveryState.SENT if sent else (DeliveryState.FAILED if give_up else DeliveryState.PENDING)
    now = datetime.now(UTC)
    updates: dict[str, Any] = {"attempts": claim.attempt, "state": state.value, "last_error": error}
    if sent:
        updates["sent_at"] = now
    if next_at is not None:
        updates["next_at"] = next_at
    written = await db.notifications.with_options(write_concern=DURABLE).update_one(
        {"_id": claim.notification_id, "attempts": claim.attempt - 1}, {"$set": updates}
    )
    return bool(written.matched_count)


async def skip(db: Database, claim: Claim, why: str) -> bool:
    """The notification is not to be sent (the recipient does not take it): SKIPPED, with why."""
    written = await db.notifications.with_options(write_concern=DURABLE).update_one(
        {"_id": claim.notification_id, "attempts": claim.attempt - 1},
        {"$set": {"state": DeliveryState.SKIPPED.value, "last_error": why}},
    )
    return bool(written.matched_count)


async def retry(db: Database, notification_id_: str) -> tuple[Notification | None, bool]:
    """A FAILED notification becomes PENDING again, due now, with a fresh run of attempts.
    The notification (None: no such one) and whether it was FAILED and so retried."""
    found = await by_id(db, notification_id_)
    if found is None or found.state is not DeliveryState.FAILED:
        return found, False
    written = await db.notifications.with_options(write_concern=DURABLE).update_one(
        {"_id": found.id, "state": DeliveryState.FAILED.value, "attempts": found.attempts},
        {"$set": {"state": DeliveryState.PENDING.value, "next_at": datetime.now(UTC),
                  "retried_after": found.attempts}},
    )
    return await by_id(db, notification_id_), bool(written.matched_count)


# Bounces: a 5xx answer at RCPT or DATA, recorded per address (the operational notices read them).


def _bounce_id(address: str) -> str:
    # A digest of the canonical address: the _id never holds the address (erasure scrubs `address`).
    return "bnc_" + hashlib.sha256(canonical.email_key(address).encode()).hexdigest()[:24]


async def record_bounce(db: Database, address: str, error: str, at: datetime | None = None) -> None:
    """The SMTP server refused `address` for good (5xx at RCPT or DATA)."""
    at = at or datetime.now(UTC)
    await db.bounces.with_options(write_concern=DURABLE).replace_one(
        {"_id": _bounce_id(address)}, {"_id": _bounce_id(address), "address": address, "error": error, "at": at},
        upsert=True,
    )


async def bounced(db: Database, address: str) -> bool:
    """Whether mail to `address` bounced (and no later mail to it was accepted)."""
    return await db.bounces.find_one({"_id": _bounce_id(address)}, projection=["_id"]) is not None


async def bounced_among(db: Database, addresses: Sequence[str]) -> set[str]:
    """Of `addresses`, those whose mail bounced: one read however many (the operational notices)."""
    by_id: dict[str, list[str]] = {}
    for address in addresses:
        by_id.setdefault(_bounce_id(address), []).append(address)
    found = await find_in(db.bounces, "_id", by_id, projection=["_id"])
    return {address for document in found for address in by_id[document["_id"]]}


async def clear_bounce(db: Database, address: str) -> None:
    """Mail to `address` was accepted: it no longer counts as bounced."""
    await db.bounces.with_options(write_concern=DURABLE).delete_one({"_id": _bounce_id(address)})
