"""The one write path: every change to the directory, from a mutation or the import.

1. Claim: insert the change with the unique `_id` "<record>@<next version>".
   Of concurrent writers exactly one wins; the others get StaleVersion.
   FerretDB 1.24 does not make even a conditional single-document update
   atomic, but colliding inserts on a unique key have exactly one winner, and
   the same holds on MongoDB.
2. Apply: write the record's new document and its effects (role contacts, a
   roster entry), each an idempotent replace or delete, journaled.
3. Mark applied: the change becomes the record's audit entry, and the plan it
   carried (whole documents) is dropped, so the log keeps no copy of the data.

A process killed at any instant leaves at most a claimed change. `recover`
completes claims older than a lease (at start-up, and periodically while
serving), and a writer that runs into such a claim completes it first; with
several server processes the lease keeps one from completing another's change
in flight. So a record and its audit entry are both visible or neither is.
No counters, no multi-document transactions: the same code runs on MongoDB.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError, OperationFailure

from datastore import changes, claim_rules, dates, erasure, generations
from datastore.changes import RECORD_TYPE_OF_COLLECTION, Actor, Change, ChangeState, FieldChange, Notice, claim_id
from datastore.client import Database
from datastore.vocabulary import ChangeAction, RecordType

# Acknowledged only once the engine says the write is journaled.
DURABLE = WriteConcern(w="majority", j=True)
DEFAULT_LEASE = timedelta(seconds=30)
# How long a retry waits for the same mutation still being applied by another request.
RETRY_WAIT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Effect:
    """Another document written with the change: replaced whole, or deleted (None)."""

    collection: str
    id: str
    document: dict | None


@dataclass(frozen=True, slots=True)
class Write:
    """One change to one versioned record, with everything needed to apply it again."""

    owner_type: RecordType
    collection: str
    owner_id: str
    # The record's whole new document; commit sets its version and updated_at.
    document: dict
    action: ChangeAction
    fields: tuple[FieldChange, ...]
    # What the change is about, when not the versioned record itself (a role contact).
    record_type: RecordType | None = None
    record_id: str | None = None
    effects: tuple[Effect, ...] = ()
    # Erasure: the person whose values leave the audit log and every other collection, and those values.
    erase_history_of: str | None = None
    erased_values: erasure.Values | None = None
    reason: str | None = None


class StaleVersion(Exception):
    """The record changed since the caller read it (or the version given was never current)."""


class Rejected(Exception):
    """The change cannot be applied (a unique value taken meanwhile); nothing was written."""


class RuleBroken(Rejected):
    """A rule that spans records (an acyclic group tree...), checked once the change's
    claim was visible to every other writer, refused it; the message is for the caller."""

    def __init__(self, message: str, *path: str):
        super().__init__(message)
        self.path = path


# Checks a claimed change against the rules spanning records; raises RuleBroken.
ClaimCheck = Callable[[Change], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Committed:
    change: Change
    # A retry of a mutation already applied with the same clientMutationId.
    replayed: bool = False


def _durable(db: Database, collection: str):
    return getattr(db, collection).with_options(write_concern=DURABLE)


def _notices(write: Write, version: int) -> tuple[Notice, ...]:
    """The versioned record, what the change is about, and every document written with it."""
    found = [Notice(write.owner_type, write.owner_id, write.action, version)]
    if write.record_id and write.record_id != write.owner_id:
        found.append(Notice(write.record_type or write.owner_type, write.record_id, write.action, version))
    for effect in write.effects:
        action = ChangeAction.REMOVE if effect.document is None else write.action
        effect_version = (effect.document or {}).get("version", version)
        found.append(Notice(RECORD_TYPE_OF_COLLECTION[effect.collection], effect.id, action, effect_version))
    unique: dict[str, Notice] = {}
    for notice in found:
        unique.setdefault(notice.record_id, notice)
    return tuple(unique.values())


def _plan(write: Write, document: dict) -> dict:
    return {
        "collection": write.collection,
        "document": document,
        "effects": [{"collection": e.collection, "id": e.id, "document": e.document} for e in write.effects],
        "erase_history_of": write.erase_history_of,
        # Kept only until the change is applied (the plan is dropped then).
        "erased_values": write.erased_values.to_plain() if write.erased_values else None,
    }


async def commit(
    db: Database,
    write: Write,
    *,
    expected_version: int | None,
    actor: Actor,
    client_mutation_id: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
    checked: ClaimCheck | None = None,
) -> Committed:
    """Claim, apply and log `write`; `expected_version` None creates the record.

    Raises StaleVersion when another change holds the next version, Rejected
    when a unique value was taken between the caller's checks and the write.
    `checked` runs once the claim is made and before anything is applied: a rule
    over several records holds when every change that could break it checks,
    after its own claim, the records and the claims of the others (of two such
    changes, the later check sees the earlier claim). RuleBroken from it
    rejects the change; nothing is written.
    """
    client_key = f"{actor.identity}|{client_mutation_id}" if client_mutation_id else None
    if client_key and (earlier := await changes.by_client_key(db, client_key)):
        return Committed(await _completed(db, earlier, lease), replayed=True)
    version = 1 if expected_version is None else expected_version + 1
    now = datetime.now(UTC)
    # updated_key: updated_at as the sortable text that updatedSince and UPDATED_ASC read.
    document = {**write.document, "version": version, "updated_at": now, "updated_key": dates.instant_key(now)}
    change = Change(
        id=claim_id(write.owner_id, version),
        owner_type=write.owner_type,
        owner_id=write.owner_id,
        version=version,
        record_type=write.record_type or write.owner_type,
        record_id=write.record_id or write.owner_id,
        action=write.action,
        at=now,
        actor=actor,
        state=ChangeState.CLAIMED,
        fields=write.fields,
        reason=write.reason,
        client_key=client_key,
        notices=_notices(write, version),
        plan=_plan(write, document),
    )
    try:
        await _durable(db, "changes").insert_one(changes.to_document(change))
    except DuplicateKeyError:
        if client_key and (earlier := await changes.by_client_key(db, client_key)):
            return Committed(await _completed(db, earlier, lease), replayed=True)
        await _complete_if_abandoned(db, change.id, lease)
        raise StaleVersion(f"{write.owner_id} is no longer at version {expected_version}") from None
    if checked is not None:
        try:
            await checked(change)
        except RuleBroken:
            await _settle(db, change, ChangeState.REJECTED)
            raise
    return Committed(await apply(db, change))


async def apply(db: Database, change: Change) -> Change:
    """Write a claimed change's plan and mark it applied; safe to run again."""
    plan = change.plan
    if change.state is not ChangeState.CLAIMED or plan is None:
        return change
    for effect in plan["effects"]:
        target = _durable(db, effect["collection"])
        if effect["document"] is None:
            await target.delete_one({"_id": effect["id"]})
        else:
            await target.replace_one({"_id": effect["id"]}, effect["document"], upsert=True)
    try:
        await _write_record(db, plan["collection"], plan["document"], change.version)
    except (Rejected, StaleVersion):
        await _release(db, change)
        raise
    if plan.get("erase_history_of"):
        await _erase_history(db, change)
    return await _settle(db, change, ChangeState.APPLIED)


async def _write_record(db: Database, collection: str, document: dict, version: int) -> None:
    records = _durable(db, collection)
    record_id = document["_id"]
    if version == 1:
        try:
            await records.insert_one(document)
        except DuplicateKeyError:
            if await records.find_one({"_id": record_id}, projection=["_id"]) is None:
                raise Rejected("a unique value of the new record is already taken") from None
        return
    # Only the claim's holder (or recovery, after the lease) writes this version, so
    # reading the version first is enough, and keeps to `_id` equality, the one
    # shape every engine finds by index.
    current = await records.find_one({"_id": record_id}, projection=["version"])
    if current is not None and current.get("version", 1) >= version:
        return  # applied already: recovery after a cut-off mark, or a second recovery
    if current is None or current.get("version", 1) != version - 1:
        raise StaleVersion(f"{record_id} is not at version {version - 1}")
    try:
        await records.replace_one({"_id": record_id}, document)
    except OperationFailure as failed:
        if not _unique_key_taken(failed):
            raise
        raise Rejected("a unique value of the record is already taken") from None


def _unique_key_taken(failed: OperationFailure) -> bool:
    """A unique index refused the write: DuplicateKeyError on MongoDB and SecantusDB;
    FerretDB 1.24 answers an update that breaks one with InternalError and SQLite's words."""
    return isinstance(failed, DuplicateKeyError) or "UNIQUE constraint failed" in str(failed)


async def _settle(db: Database, change: Change, state: ChangeState) -> Change:
    # Written or not, some of the plan may be: answers kept over what it wrote go stale.
    if change.plan is not None:
        await generations.advance(db, [change.plan["collection"], *(e["collection"] for e in change.plan["effects"])])
    await _durable(db, "changes").update_one(
        {"_id": change.id}, {"$set": {"state": state.value}, "$unset": {"plan": ""}}
    )
    return replace(change, state=state, plan=None)


async def _release(db: Database, change: Change) -> None:
    """A change that cannot be applied (a unique key taken: the engine refused the
    record) gives back its claim, so the record's next version stays free: a kept
    claim would make every later write of the record STALE_VERSION. A creation
    also takes back the documents written with it (a new organisation's Primary),
    which belong to a record that never came to be."""
    plan = change.plan or {}
    if change.version == 1:
        for effect in plan.get("effects", ()):
            if effect["document"] is not None:
                await _durable(db, effect["collection"]).delete_one({"_id": effect["id"]})
    if plan:
        await generations.advance(db, [plan["collection"], *(e["collection"] for e in plan["effects"])])
    await _durable(db, "changes").delete_one({"_id": change.id, "state": ChangeState.CLAIMED.value})


async def _erase_history(db: Database, change: Change) -> None:
    """An erasure's values leave the audit log and every other collection, the person's
    keys and tenures end (datastore.erasure)."""
    plan = change.plan or {}
    values = erasure.Values.from_plain(plan.get("erased_values") or {})
    await erasure.complete(db, plan["erase_history_of"], values, change.actor, change.at.date())


async def _completed(db: Database, earlier: Change, lease: timedelta) -> Change:
    """The earlier change of a retried mutation, once it is applied."""
    deadline = asyncio.get_running_loop().time() + RETRY_WAIT_SECONDS
    while earlier.state is ChangeState.CLAIMED:
        if datetime.now(UTC) - earlier.at > lease:
            return await _apply_or_reject(db, earlier)
        if asyncio.get_running_loop().time() > deadline:
            return earlier
        await asyncio.sleep(0.05)
        found = await changes.by_id(db, earlier.id)
        if found is None:  # released: it could not be applied (see _release)
            return replace(earlier, state=ChangeState.REJECTED, plan=None)
        earlier = found
    return earlier


async def _apply_or_reject(db: Database, change: Change) -> Change:
    # Its writer may have been cut off before checking it (`checked`): checked here again.
    if change.state is ChangeState.CLAIMED and await claim_rules.broken(db, change):
        return await _settle(db, change, ChangeState.REJECTED)
    try:
        return await apply(db, change)
    except (Rejected, StaleVersion):
        return replace(change, state=ChangeState.REJECTED, plan=None)


async def _complete_if_abandoned(db: Database, change_id: str, lease: timedelta) -> None:
    """A writer that loses a claim to a change cut off long ago completes it, so the record moves on."""
    holder = await changes.by_id(db, change_id)
    if holder and holder.state is ChangeState.CLAIMED and datetime.now(UTC) - holder.at > lease:
        await _apply_or_reject(db, holder)


async def recover(db: Database, lease: timedelta = DEFAULT_LEASE) -> int:
    """Complete every change claimed longer ago than `lease`; how many were completed."""
    completed = 0
    for change in await changes.in_flight(db, older_than=datetime.now(UTC) - lease):
        if (await _apply_or_reject(db, change)).state is ChangeState.APPLIED:
            completed += 1
    return completed
