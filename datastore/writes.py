"""The one write path: every change to the directory, from a mutation or the import.

1. Claim: insert the change with the unique `_id` "<record>@<next version>".
   Of concurrent writers exactly one wins; the others get StaleVersion.
   Some engines do not make even a conditional single-document update atomic
   (datastore/engines), but on every engine, MongoDB too, colliding inserts
   on a unique key have exactly one winner. A claim that was rejected keeps
   its `_id`, so the next try at that version claims "<record>@<version>#<n>"
   (only inserts, never a delete, decide who holds a version).
2. Apply: write every effect (role contacts, a roster entry), then the record,
   each *fenced*: written only if the document is still as it was when the
   change was planned. Every document the path writes carries `written_by`,
   the id of the change that wrote it; an effect is replaced only where
   `written_by` is still what it was at planning time (absent: inserted), the
   record only where its version is still the one before the claim. A fence
   that fails means the document moved on without this change: whatever the
   change wrote is undone and it is settled REJECTED, never left claimed and
   never marked applied over a newer state.
3. Mark applied: the change becomes the record's audit entry, and the plan it
   carried (whole documents) is dropped, so the log keeps no copy of the data.

Nobody builds on a change in flight: before claiming, a writer looks at the
change that last wrote each document it is about to write; if that one is
still claimed it is completed first when it was cut off (older than the
lease, or its record already written), else the writer gets StaleVersion.
So a later change never stands on a half-applied one, and recovery never
finds its work overwritten by a change that depended on it.

A process killed at any instant leaves at most a claimed change. `recover`
completes claims older than a lease (at start-up, and periodically while
serving), and a writer that runs into such a claim completes it first.
A writer paused past its lease and resumed finds its change settled by
recovery (it checks before each write that cannot be fenced, an insert) or
runs into a fence: recovery, the resumed writer and a later change never
overwrite one another. On an engine whose conditional replace is not atomic,
the claim chain alone orders writers (README, "Writes"). How a fenced replace
is sent, and how a unique index's refusal is told, is the engine's
(datastore.engines `fenced_replace`, `unique_key_taken`).
No counters, no multi-document transactions: the same code runs on MongoDB.
Named fault points (datastore.faults) let tests stop or kill a writer between
any two of its writes.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError, OperationFailure

from datastore import changes, claim_rules, erasure, faults, generations, outbox, webhooks
from datastore.changes import RECORD_TYPE_OF_COLLECTION, WRITTEN_BY, claim_id
from datastore.client import Database
from datastore.engines import fenced_replace, unique_key_taken
from datastore.records import dates
from datastore.records.changes import Actor, Change, ChangeState, FieldChange, Notice
from datastore.records.vocabulary import ChangeAction, RecordType

# Acknowledged only once the engine says the write is journaled.
DURABLE = WriteConcern(w="majority", j=True)
DEFAULT_LEASE = timedelta(seconds=30)
# Rejected tries at one version before the path gives up (each needs a conflict: never in practice).
MAX_ATTEMPTS = 100


@dataclass(frozen=True, slots=True)
class Effect:
    """Another document written with the change: replaced whole, or deleted (None)."""

    collection: str
    id: str
    document: dict | None


@dataclass(frozen=True, slots=True)
class Claim:
    """Another versioned record the change writes (a merge's): it claims that record's
    `version` too, before writing anything, so no other writer builds on it meanwhile.
    Its claim becomes that record's audit entry, settled with the change."""

    collection: str
    id: str
    version: int
    fields: tuple[FieldChange, ...] = ()


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
    # Other versioned records the effects write, each claimed at its next version (a merge).
    claims: tuple[Claim, ...] = ()
    # Messages the change owes (datastore.outbox): written as effects of the same claimed change.
    notifications: tuple[outbox.Owed, ...] = ()


class StaleVersion(Exception):
    """The record changed since the caller read it (or the version given was never current),
    or a change to it is still being applied."""


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
    # Kept for callers that tell retries apart; retries are answered above the path (resolvers.mutations.retries).
    replayed: bool = False


def _durable(db: Database, collection: str):
    return getattr(db, collection).with_options(write_concern=DURABLE)


def _notices(write: Write, version: int) -> tuple[Notice, ...]:
    """The versioned record, what the change is about, and every document written with it."""
    found = [Notice(write.owner_type, write.owner_id, write.action, version)]
    if write.record_id and write.record_id != write.owner_id:
        found.append(Notice(write.record_type or write.owner_type, write.record_id, write.action, version))
    for effect in write.effects:
        if effect.collection not in RECORD_TYPE_OF_COLLECTION:
            continue  # not a record of the feed (a merge's redirect)
        action = ChangeAction.REMOVE if effect.document is None else write.action
        effect_version = (effect.document or {}).get("version", version)
        found.append(Notice(RECORD_TYPE_OF_COLLECTION[effect.collection], effect.id, action, effect_version))
    unique: dict[str, Notice] = {}
    for notice in found:
        unique.setdefault(notice.record_id, notice)
    return tuple(unique.values())


def _plan(write: Write, document: dict, befores: dict[str, dict | None] | None = None) -> dict:
    """Everything needed to apply the change again: the record's document, and each
    effect with the document it replaces as it was when planned (`before`, None:
    absent), which is both its fence and what undoing it puts back."""
    befores = befores or {}
    return {
        "collection": write.collection,
        "document": document,
        "effects": [
            {"collection": e.collection, "id": e.id, "document": e.document, "before": befores.get(e.id)}
            for e in write.effects
        ],
        "erase_history_of": write.erase_history_of,
        "claims": [{"collection": c.collection, "id": c.id, "version": c.version,
                    "fields": [{"field": f.field, "before": f.before, "after": f.after, "private": f.private}
                               for f in c.fields]} for c in write.claims],
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

    Raises StaleVersion when another change holds the next version (or one the
    write depends on is in flight), Rejected when a unique value was taken
    between the caller's checks and the write. Whoever calls this from a request
    that can be cancelled shields it (resolvers.mutations.committing): once claimed,
    a change is carried to its end.
    `checked` runs once the claim is made and before anything is applied: a rule
    over several records holds when every change that could break it checks,
    after its own claim, the records and the claims of the others (of two such
    changes, the later check sees the earlier claim). RuleBroken from it
    rejects the change; nothing is written.
    """
    client_key = changes.client_key(actor.identity, client_mutation_id) if client_mutation_id else None
    version = 1 if expected_version is None else expected_version + 1
    befores = await _settled_befores(db, write, lease)
    owed = await _owed(db, write)
    # Every change owes each endpoint subscribing to what it touched a change notice (datastore.webhooks).
    owed += await webhooks.owed(db, _notices(write, version), (write.record_type or write.owner_type,
                                write.record_id or write.owner_id), write.action, version)
    now = datetime.now(UTC)
    for attempt in range(MAX_ATTEMPTS):
        change_id = claim_id(write.owner_id, version, attempt)
        # updated_key: updated_at as the sortable text that updatedSince and UPDATED_ASC read.
        document = {**write.document, "version": version, "updated_at": now,
                    "updated_key": dates.instant_key(now), WRITTEN_BY: change_id}
        change = Change(
            id=change_id,
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
            plan=_plan(_with_notifications(write, owed, change_id, now), document, befores),
        )
        try:
            await _durable(db, "changes").insert_one(changes.to_document(change))
            break
        except DuplicateKeyError:
            holder = await _complete_if_abandoned(db, change_id, lease)
            if holder is None or holder.state is not ChangeState.REJECTED:
                raise StaleVersion(f"{write.owner_id} is no longer at version {expected_version}") from None
            # That try was rejected and the record kept its version: the next try may claim it.
    else:
        raise StaleVersion(f"{write.owner_id}: too many rejected tries at version {version}")
    faults.reached("after_claim")
    if checked is not None:
        try:
            await checked(change)
        except RuleBroken:
            await _settle(db, change, ChangeState.REJECTED)
            raise
    settled = await apply(db, change)
    if settled.state is ChangeState.REJECTED:  # settled by someone else while this writer was held up
        raise StaleVersion(f"{write.owner_id}: the change was completed elsewhere and rejected")
    return Committed(settled)


async def _owed(db: Database, write: Write) -> tuple[outbox.Owed, ...]:
    """The write's notifications, less keyed notices an earlier change already owes (never
    twice). Two changes owing one key at once: the second's insert fails its fence and it
    is rejected, as for any effect written meanwhile."""
    taken = await outbox.existing_keys(db, [o.key for o in write.notifications if o.key])
    return tuple(o for o in write.notifications if o.key is None or o.key not in taken)


def _with_notifications(write: Write, owed: tuple[outbox.Owed, ...], change_id: str, at: datetime) -> Write:
    """The write with its notifications as effects: new documents (inserted, so fenced on
    being absent) whose ids derive from the claim id, so a retry of the apply writes the same ones."""
    if not owed:
        return write
    extra = tuple(Effect(outbox.COLLECTION, (d := outbox.document(o, change_id, n, at))["_id"], d)
                  for n, o in enumerate(owed))
    return replace(write, effects=write.effects + extra)


async def _settled_befores(db: Database, write: Write, lease: timedelta) -> dict[str, dict | None]:
    """The documents the write replaces, as they are now, once no change that wrote
    them is still in flight (cut-off ones are completed first). StaleVersion when
    one is being applied by a live writer."""
    for _ in range(3):
        befores: dict[str, dict | None] = {e.id: None for e in write.effects}
        for collection in {e.collection for e in write.effects}:
            ids = [e.id for e in write.effects if e.collection == collection]
            async for document in getattr(db, collection).find({"_id": {"$in": ids}}):
                befores[document["_id"]] = document
        record = await getattr(db, write.collection).find_one(
            {"_id": write.owner_id}, projection=[WRITTEN_BY, "version"]
        )
        markers = {d.get(WRITTEN_BY) for d in (record, *befores.values()) if d} - {None}
        in_flight = await changes.claimed_among(db, markers) if markers else []
        if not in_flight:
            return befores
        for holder in in_flight:
            record_written = record is not None and record.get(WRITTEN_BY) == holder.id
            if not record_written and datetime.now(UTC) - holder.at <= lease:
                raise StaleVersion(f"{write.owner_id}: a change it depends on ({holder.id}) is being applied")
            # Cut off, or written up to its mark (the record is its last write): complete it.
            await _apply_or_reject(db, holder)
    raise StaleVersion(f"{write.owner_id}: changes it depends on keep moving")


async def apply(db: Database, change: Change, *, completing: bool = False) -> Change:
    """Write a claimed change's plan and mark it applied; safe to run again, by the
    writer, by recovery, or by both. Returns the change as settled (APPLIED, or
    REJECTED when a fence failed); raises Rejected when a unique value of the
    record is taken (the change settled REJECTED). `completing`: another
    process's change, cut off (its fault points are named "completing_...")."""
    points = "completing_" if completing else ""
    plan = change.plan
    if change.state is not ChangeState.CLAIMED or plan is None:
        return change
    if plan.get("claims"):
        if not await _claim_others(db, change):
            return await _reject(db, change)
        if (held := await _settled_elsewhere(db, change)) is not None:
            await _settle_claims(db, change, held.state)  # a claim made after the change was settled
            return held
    for number, effect in enumerate(plan["effects"], start=1):
        inserts = effect.get("before", {}) is None and effect["document"] is not None
        if inserts and (held := await _settled_elsewhere(db, change)):
            return held  # an insert cannot be fenced: look first whether recovery settled the change
        if not await _write_effect(db, change.id, effect):
            return await _reject(db, change)
        faults.reached(f"{points}after_effect_{number}")
    if (held := await _settled_elsewhere(db, change)) is not None:
        return held
    try:
        written = await _write_record(db, plan["collection"], plan["document"], change.version, change.id)
    except Rejected:
        await _reject(db, change)
        raise
    if not written:
        return await _reject(db, change)
    faults.reached(f"{points}after_record")
    if plan.get("erase_history_of"):
        await _erase_history(db, change)
    faults.reached(f"{points}before_mark_applied")
    return await _settle(db, change, ChangeState.APPLIED)


# Marks a claim made for another change (Claim): settled with it.
PART_OF = "part_of"


async def _claim_others(db: Database, change: Change) -> bool:
    """Claim the next version of every other record the change writes (safe to run again:
    a claim already this change's counts); False when another writer holds one."""
    for claim in change.plan["claims"]:
        for attempt in range(MAX_ATTEMPTS):
            other = replace(
                change, id=claim_id(claim["id"], claim["version"], attempt),
                owner_type=RECORD_TYPE_OF_COLLECTION[claim["collection"]], owner_id=claim["id"],
                version=claim["version"], record_type=RECORD_TYPE_OF_COLLECTION[claim["collection"]],
                record_id=claim["id"], client_key=None, notices=(), plan=None,
                fields=tuple(FieldChange(f["field"], f["before"], f["after"], f["private"]) for f in claim["fields"]),
            )
            try:
                await _durable(db, "changes").insert_one({**changes.to_document(other), PART_OF: change.id})
                break
            except DuplicateKeyError:
                holder = await db.changes.find_one({"_id": other.id}, projection=[PART_OF, "state"])
                if holder is not None and holder.get(PART_OF) == change.id:
                    break
                if holder is None or holder["state"] != ChangeState.REJECTED.value:
                    return False
        else:
            return False
    return True


async def _settle_claims(db: Database, change: Change, state: ChangeState) -> None:
    """The claims made for the change take its verdict (before the change itself is marked,
    so a change marked settled never leaves one of its claims in flight)."""
    await _durable(db, "changes").update_many(
        {PART_OF: change.id, "state": ChangeState.CLAIMED.value}, {"$set": {"state": state.value}}
    )


async def _settled_elsewhere(db: Database, change: Change) -> Change | None:
    current = await changes.by_id(db, change.id)
    return current if current is not None and current.state is not ChangeState.CLAIMED else None


def _fence(document_id: str, before: dict) -> dict:
    """The document as it was when the change was planned ({WRITTEN_BY: None} matches it absent too)."""
    return {"_id": document_id, WRITTEN_BY: before.get(WRITTEN_BY)}


async def _write_effect(db: Database, change_id: str, effect: dict) -> bool:
    """Write one effect if its document is still as planned (or already this change's); False: fenced off."""
    target = _durable(db, effect["collection"])
    if "before" not in effect:  # planned before effects were fenced (a claim from an older version)
        if effect["document"] is None:
            await target.delete_one({"_id": effect["id"]})
        else:
            await target.replace_one({"_id": effect["id"]}, {**effect["document"], WRITTEN_BY: change_id}, upsert=True)
        return True
    document_id, before, after = effect["id"], effect["before"], effect["document"]
    if after is None:
        if before is not None:
            await target.delete_one(_fence(document_id, before))
        # Gone is what the change wants, whoever removed it; still there, it moved on.
        return await target.find_one({"_id": document_id}, projection=["_id"]) is None
    after = {**after, WRITTEN_BY: change_id}
    try:
        if before is None:
            await target.insert_one(after)
            return True
        if await fenced_replace(target, _fence(document_id, before), after):
            return True
    except OperationFailure as failed:  # the _id, or another unique value, taken meanwhile
        if not unique_key_taken(target, failed):
            raise
    current = await target.find_one({"_id": document_id}, projection=[WRITTEN_BY])
    return current is not None and current.get(WRITTEN_BY) == change_id


async def _write_record(db: Database, collection: str, document: dict, version: int, change_id: str) -> bool:
    """Write the record if it is still at the version before the claim (or already this
    change's); False: it moved on. Rejected when a unique value is taken."""
    records = _durable(db, collection)
    record_id = document["_id"]
    try:
        if version == 1:
            await records.insert_one(document)
            return True
        # Only the version before the claim: a paused writer or a second recovery
        # never writes over a newer record.
        if await fenced_replace(records, {"_id": record_id, "version": version - 1}, document):
            return True
    except OperationFailure as failed:
        if not unique_key_taken(records, failed):
            raise
        current = await records.find_one({"_id": record_id}, projection=[WRITTEN_BY])
        if current is not None and current.get(WRITTEN_BY) == change_id:
            return True
        if version == 1 and current is not None:
            return False  # the id itself is taken
        raise Rejected("a unique value of the record is already taken") from None
    current = await records.find_one({"_id": record_id}, projection=[WRITTEN_BY])
    return current is not None and current.get(WRITTEN_BY) == change_id


async def _reject(db: Database, change: Change) -> Change:
    """Undo what the change wrote (only documents still its own) and settle it REJECTED;
    a change another process settled meanwhile (recovery applied it) keeps its verdict."""
    if (held := await _settled_elsewhere(db, change)) is not None:
        return held
    for effect in reversed(change.plan["effects"] if change.plan else []):
        target = _durable(db, effect["collection"])
        mine = {"_id": effect["id"], WRITTEN_BY: change.id}
        if "before" not in effect:
            continue  # planned before effects were fenced: nothing to put back
        before = effect["before"]
        if before is None:
            await target.delete_one(mine)
        elif effect["document"] is not None:
            # Put back what was there, marked as undone so a resumed writer's fence fails on it.
            await fenced_replace(target, mine, {**before, WRITTEN_BY: f"{change.id}!undone"})
        elif await target.find_one({"_id": effect["id"]}, projection=["_id"]) is None:
            try:
                await target.insert_one({**before, WRITTEN_BY: f"{change.id}!undone"})
            except DuplicateKeyError:
                pass  # someone made it again meanwhile: theirs stays
    return await _settle(db, change, ChangeState.REJECTED)


async def _settle(db: Database, change: Change, state: ChangeState) -> Change:
    """Mark the change, once: if another process settled it first, its verdict stands."""
    # Written or not, some of the plan may be: answers kept over what it wrote go stale.
    if change.plan is not None:
        await generations.advance(db, [change.plan["collection"], *(e["collection"] for e in change.plan["effects"])])
        if change.plan.get("claims"):
            await _settle_claims(db, change, state)
    marked = await _durable(db, "changes").update_one(
        {"_id": change.id, "state": ChangeState.CLAIMED.value}, {"$set": {"state": state.value}, "$unset": {"plan": ""}}
    )
    if not marked.matched_count and (current := await changes.by_id(db, change.id)) is not None:
        return current
    return replace(change, state=state, plan=None)


async def _erase_history(db: Database, change: Change) -> None:
    """An erasure's values leave the audit log and every other collection, the person's
    keys and tenures end (datastore.erasure)."""
    plan = change.plan or {}
    values = erasure.Values.from_plain(plan.get("erased_values") or {})
    await erasure.complete(db, plan["erase_history_of"], values, change.actor, change.at.date())


async def _apply_or_reject(db: Database, change: Change) -> Change:
    # Its writer may have been cut off before checking it (`checked`): checked here again.
    if change.state is ChangeState.CLAIMED and await claim_rules.broken(db, change):
        return await _settle(db, change, ChangeState.REJECTED)
    try:
        return await apply(db, change, completing=True)
    except Rejected:
        return replace(change, state=ChangeState.REJECTED, plan=None)


async def _complete_if_abandoned(db: Database, change_id: str, lease: timedelta) -> Change | None:
    """The holder of a claim a writer lost; one cut off long ago is completed first, so the record moves on."""
    holder = await changes.by_id(db, change_id)
    if holder and holder.state is ChangeState.CLAIMED and datetime.now(UTC) - holder.at > lease:
        return await _apply_or_reject(db, holder)
    return holder


async def recover(db: Database, lease: timedelta = DEFAULT_LEASE) -> int:
    """Complete every change claimed longer ago than `lease`; how many were completed."""
    completed = 0
    for change in await changes.in_flight(db, older_than=datetime.now(UTC) - lease):
        if (await _apply_or_reject(db, change)).state is ChangeState.APPLIED:
            completed += 1
    return completed


async def settled(db: Database, change_id: str, lease: timedelta = DEFAULT_LEASE) -> Change | None:
    """The change once it is settled: completed here if it was cut off, else as it stands."""
    return await _complete_if_abandoned(db, change_id, lease)
