"""Merging two records of one person (or one organisation), and undoing it.

A merge is ONE change of the write path (datastore.writes): it claims the kept
record's next version, and (writes.Claim) the next version of every other
versioned record it writes: the merged record, which is deleted, each roster
entry and person that moves. Every reference to the merged record moves to the
kept one (`REFERENCES`, the one table of who refers to a person or an
organisation); the merged record's id is kept in `merged_records` as a redirect
(node(id: merged) answers the kept record) with the undo data: every document
the merge wrote or deleted, as it was before. `unmerge` writes them back as
they were, as one change again, and only while nothing the merge wrote has
changed since; erasing either person deletes the undo data (datastore.erasure).

Unique values are released, never moved: the merged record's e-mail (or an
organisation's name key and slug) leaves with it, so the kept record never
takes a value another document still holds while the change is applied, and
undoing puts it back in the merged record.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from datastore import changes, contacts, edits, organisations, people, rosters
from datastore.changes import WRITTEN_BY
from datastore.client import Database
from datastore.records import dates
from datastore.records.changes import Actor, Change, ChangeState, FieldChange
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.vocabulary import ChangeAction, ContactRole, ContactVisibility, RecordType
from datastore.write_invariants import VERSIONED
from datastore.writes import Claim, ClaimCheck, Committed, Effect, RuleBroken, Write, commit

# How long a merge can be undone.
UNDO_WINDOW = timedelta(days=30)
SECTION = {RecordType.PERSON: "people", RecordType.ORGANISATION: "organisations"}


@dataclass(frozen=True, slots=True)
class Reference:
    """A field of a collection that holds the id of a person or an organisation."""

    collection: str
    field: str
    refers_to: RecordType
    # The document's id when it is made of what the document holds (a role contact, a tenure).
    rekey: Callable[[dict], str] | None = None


def _contact_id(document: dict) -> str:
    return contacts.from_document(document).id


def _roster_id(document: dict) -> str:
    return rosters.from_document(document).id


# Every field that refers to a person or an organisation: a merge moves each. A
# collection holding such ids that is in neither this table nor NOT_MOVED fails
# tests/merging/test_references.py, so one added later cannot be forgotten.
REFERENCES: tuple[Reference, ...] = (
    Reference("contacts", "person_id", RecordType.PERSON, _contact_id),
    Reference("roster", "person_id", RecordType.PERSON, _roster_id),
    Reference("contacts", "organisation_id", RecordType.ORGANISATION, _contact_id),
    Reference("people", "affiliation_id", RecordType.ORGANISATION),
    Reference("invitations", "person_id", RecordType.PERSON),
    Reference("invitations", "recommender_id", RecordType.PERSON),
    Reference("invitations", "invited_by", RecordType.PERSON),
    Reference("invitations", "recommended_by", RecordType.ORGANISATION),
)

# Collections (or "collection.field") holding such ids that a merge leaves as they are, and why.
NOT_MOVED: dict[str, str] = {
    "changes": "the audit log: what was done to a record and by whom stays true of the id it named",
    "calls": "answers kept for retries: answered as they were",
    "api_keys.person_id": "a key acts for the person it was issued to; a merged person's key keeps its role "
                          "but acts as nobody (the record is gone); the kept person has keys of their own",
    "sessions.person_id": "a browser session acts for the person who signed in; a merged person's keeps its role but "
                          "acts as nobody (the record is gone) until it ends; signing in again finds the kept person",
    "merged_records": "the redirects themselves (merged id -> kept id) and their undo data",
    "duplicate_keys": "blocking keys, recomputed for the kept record after the merge",
    "duplicate_candidates": "candidate pairs, recomputed for the kept record after the merge",
    "notifications": "messages owed or sent: to whom and about what they were owed stays as it was; one still "
                     "owed to the merged person finds no recipient",
    "deliveries": "claims on delivery attempts of those messages",
    "verification_tokens": "a pending check of the merged person's new address: it no longer applies",
    "webhook_endpoints.created_by": "who registered an endpoint, as history",
}


def redirect_id(merged_id: str) -> str:
    """A redirect's id: never a record's (the write path keys a change's documents by id alone)."""
    return f"redirect:{merged_id}"


class Refused(Exception):
    """The merge (or unmerge) cannot be made; `code` is a user error code, the message for the caller."""

    def __init__(self, code: str, message: str, *path: str):
        super().__init__(message)
        self.code = code
        self.path = path


_STRICTER = [ContactVisibility.PUBLIC, ContactVisibility.MEMBERS, ContactVisibility.STAFF]


def stricter(a: ContactVisibility, b: ContactVisibility) -> ContactVisibility:
    """The more restrictive of two privacy choices."""
    return max(a, b, key=_STRICTER.index)


def _union(first: tuple, second: tuple) -> tuple:
    return tuple(dict.fromkeys((*first, *second)))


def combined_person(keep: Person, merge: Person) -> Person:
    """The kept person with what only the merged one had; privacy the stricter of both.
    The e-mail is released, never moved (see the module's doc)."""
    return replace(
        keep,
        orcid=keep.orcid or merge.orcid,
        country_code=keep.country_code or merge.country_code,
        affiliation_id=keep.affiliation_id or merge.affiliation_id,
        contact_visibility=stricter(keep.contact_visibility, merge.contact_visibility),
        communications=_union(keep.communications, merge.communications),
        individual_membership=keep.individual_membership or merge.individual_membership,
    )


def combined_organisation(keep: Organisation, merge: Organisation) -> Organisation:
    """The kept organisation with what only the merged one had (its name and slug are released)."""
    return replace(
        keep,
        city=keep.city or merge.city,
        website=keep.website or merge.website,
        ror_id=keep.ror_id or merge.ror_id,
        sectors=_union(keep.sectors, merge.sectors),
        designations=_union(keep.designations, merge.designations),
    )


async def next_version(db: Database, record_id: str) -> int:
    """The version a record (re)made under `record_id` claims: after every one claimed before
    (a tenure made by its group's change counts as version 1)."""
    last = await db.changes.find_one({"owner_id": record_id}, sort=[("version", -1)], projection=["version"])
    if last is not None:
        return last["version"] + 1
    made = await db.changes.find_one({"record_id": record_id, "state": ChangeState.APPLIED.value}, projection=["_id"])
    return 2 if made is not None else 1


_READERS = {"people": people.from_document, "organisations": organisations.from_document,
            "roster": rosters.from_document}


def _fields(collection: str, before: dict | None, after: dict | None) -> tuple[FieldChange, ...]:
    """What a versioned document's audit entry records: each field it changed, as the import names it."""
    if after is None:
        return ()
    if collection not in _READERS:  # a record without import fields (an invitation): its ids as they move
        return tuple(FieldChange(k, before.get(k) if before else None, v) for k, v in after.items()
                     if isinstance(v, str) and (before or {}).get(k) != v and k.endswith(("_id", "_by")))
    reader = _READERS[collection]
    return edits.field_changes(collection, reader(before) if before else None, reader(after))


def _stamped(document: dict, version: int, now: datetime) -> dict:
    """A versioned document at `version`, changed `now` (the path adds written_by)."""
    return {**{k: v for k, v in document.items() if k != WRITTEN_BY},
            "version": version, "updated_at": now, "updated_key": dates.instant_key(now)}


@dataclass
class _Plan:
    effects: list[Effect]
    claims: list[Claim]
    # (collection, id, document before or None) of everything the effects write.
    befores: list[tuple[str, str, dict | None]]
    moved: list[str]


async def _moves(db: Database, record_type: RecordType, keep_id: str, merge_id: str, now: datetime) -> _Plan:
    plan = _Plan([], [], [], [])
    made: set[tuple[str, str]] = set()
    by_collection: dict[str, list[Reference]] = {}
    for r in REFERENCES:
        if r.refers_to is record_type:
            by_collection.setdefault(r.collection, []).append(r)
    for collection, fields in by_collection.items():
        source = getattr(db, collection)
        rekey = next((r.rekey for r in fields if r.rekey), None)
        query = {"$or": [{r.field: merge_id} for r in fields]}
        async for document in source.find(query, sort=[("_id", 1)]):
            # A document is moved once, every field of it that names the merged record at once.
            reference = Reference(collection, fields[0].field, record_type, rekey)
            versioned = collection in VERSIONED or "version" in document
            moved = {k: v for k, v in document.items() if k != WRITTEN_BY}
            moved |= {r.field: keep_id for r in fields if document.get(r.field) == merge_id}
            moved_id = reference.rekey(moved) if reference.rekey else document["_id"]
            moved["_id"] = moved_id
            plan.befores.append((reference.collection, document["_id"], document))
            if moved_id == document["_id"]:
                if versioned:
                    moved = _stamped(moved, document.get("version", 1) + 1, now)
                    plan.claims.append(Claim(reference.collection, moved_id, moved["version"],
                                             _fields(reference.collection, document, moved)))
                plan.effects.append(Effect(reference.collection, moved_id, moved))
                plan.moved.append(f"{reference.collection} {moved_id}")
                continue
            plan.effects.append(Effect(reference.collection, document["_id"], None))
            if versioned:
                plan.claims.append(Claim(reference.collection, document["_id"], document.get("version", 1) + 1,
                                         (FieldChange("mergedInto", None, keep_id),)))
            exists = (reference.collection, moved_id) in made or await source.find_one(
                {"_id": moved_id}, projection=["_id"]) is not None
            if exists:  # the kept record holds the same one already
                plan.moved.append(f"{reference.collection} {document['_id']} (the kept record's {moved_id})")
                continue
            if versioned:
                moved = _stamped(moved, await next_version(db, moved_id), now)
                plan.claims.append(Claim(reference.collection, moved_id, moved["version"],
                                         _fields(reference.collection, None, moved)))
            made.add((reference.collection, moved_id))
            plan.effects.append(Effect(reference.collection, moved_id, moved))
            plan.befores.append((reference.collection, moved_id, None))
            plan.moved.append(f"{reference.collection} {document['_id']} -> {moved_id}")
    return plan


async def _check_contacts(db: Database, record_type: RecordType, keep_after: object, keep_id: str,
                          merge_id: str) -> None:
    """A merge keeps the role-contact rules: one Primary, held by someone affiliated."""
    if record_type is RecordType.PERSON:
        affiliation = keep_after.affiliation_id  # type: ignore[attr-defined]
        for contact in await contacts.by_people(db, [merge_id]):
            if contact.organisation_id != affiliation:
                raise Refused("CONFLICT", f"The merged person is a {contact.role.value} contact of "
                              f"{contact.organisation_id}, and the kept person is affiliated elsewhere: "
                              "give them one affiliation first.", "merge")
        return
    primaries = {c.person_id for c in await contacts.by_organisations(db, [keep_id, merge_id])
                 if c.role is ContactRole.PRIMARY}
    if len(primaries) > 1:
        raise Refused("CONFLICT", "Both organisations have a Primary: hand one organisation's Primary role "
                      "to the other's Primary (or remove it) first.", "merge")


async def plan_merge(db: Database, record_type: RecordType, keep_id: str, merge_id: str, *,
                     keep_version: int, merge_version: int, reason: str | None) -> tuple[Write, int]:
    """The Write that merges `merge_id` into `keep_id`, and the kept record's version it expects.
    Raises Refused for anything the caller can put right."""
    section = SECTION[record_type]
    if keep_id == merge_id:
        raise Refused("INVALID", "keep and merge name the same record.", "merge")
    source = getattr(db, section)
    keep_doc = await source.find_one({"_id": keep_id})
    merge_doc = await source.find_one({"_id": merge_id})
    for name, document in (("keep", keep_doc), ("merge", merge_doc)):
        if document is None:
            raise Refused("NOT_FOUND", f"No {record_type.value.lower()} with this id.", name)
        if document.get("erased"):
            raise Refused("CONFLICT", "This person's record was erased on request; it cannot be merged.", name)
    for name, document, expected in (("keepVersion", keep_doc, keep_version),
                                     ("mergeVersion", merge_doc, merge_version)):
        if document.get("version", 1) != expected:
            raise Refused("STALE", f"The record is at version {document.get('version', 1)}, not {expected}: "
                          "read it again.", name)
    reader = people.from_document if section == "people" else organisations.from_document
    keep, merge = reader(keep_doc), reader(merge_doc)
    after = combined_person(keep, merge) if section == "people" else combined_organisation(keep, merge)
    await _check_contacts(db, record_type, after, keep_id, merge_id)
    now = datetime.now(UTC)
    moves = await _moves(db, record_type, keep_id, merge_id, now)
    merge_next = merge_doc.get("version", 1) + 1
    undo = {
        "kept_before": keep_doc,
        "merged_before": merge_doc,
        "documents": [{"collection": c, "id": i, "before": b} for c, i, b in moves.befores],
    }
    redirect = {"_id": redirect_id(merge_id), "merged": merge_id, "record_type": record_type.value, "kept": keep_id,
                "kept_version": keep.version + 1, "at": now, "undo": undo}
    listed = "; ".join(moves.moved) or "nothing referred to it"
    fields = (
        *edits.field_changes(section, keep, after),
        FieldChange("mergedRecord", None, merge_id),
        FieldChange("moved", None, listed),
    )
    write = edits.write_of(
        section, keep, after, ChangeAction.MERGE, reason=reason, fields=fields, about=(record_type, merge_id),
        # The merged record leaves first: its unique values are free before anything else is written.
        effects=(Effect(section, merge_id, None), *moves.effects, Effect("merged_records", redirect["_id"], redirect)),
    )
    claims = (Claim(section, merge_id, merge_next, (FieldChange("mergedInto", None, keep_id),)), *moves.claims)
    return replace(write, claims=claims), keep.version


def still_as_planned(db: Database, write: Write) -> ClaimCheck:
    """Once the merge is claimed: the merged record's references are still those it moves, and no
    change in flight is adding one (else it would point at a record that is gone). A change to the
    merged record itself claimed later loses to the merge's claim of it; any other write claimed
    later finds the merge's claim in its own check (`not_merged_away`, which every mutation runs:
    resolvers.mutations.committing). The import, which commits directly, does not run it."""
    redirect = next(e.document for e in write.effects if e.collection == "merged_records")
    merge_id, record_type = redirect["merged"], RecordType(redirect["record_type"])
    planned = {(d["collection"], d["id"]) for d in redirect["undo"]["documents"] if d["before"] is not None}
    references = [r for r in REFERENCES if r.refers_to is record_type]

    async def check(change: Change) -> None:
        now = set()
        for reference in references:
            async for document in getattr(db, reference.collection).find({reference.field: merge_id},
                                                                         projection=["_id"]):
                now.add((reference.collection, document["_id"]))
        adding = [{f"plan.effects.document.{r.field}": merge_id} for r in references]
        adding += [{"plan.collection": r.collection, f"plan.document.{r.field}": merge_id} for r in references]
        in_flight = await db.changes.find_one(
            {"state": ChangeState.CLAIMED.value, "_id": {"$ne": change.id}, "$or": adding}, projection=["_id"])
        if now != planned or in_flight is not None:
            raise RuleBroken(f"Something referring to {merge_id} changed while the merge was made; "
                             "nothing was merged: read both records again.", "merge")

    return check


def not_merged_away(db: Database, write: Write) -> ClaimCheck | None:
    """The other side of `still_as_planned`, for every other write: once claimed, none of the people
    or organisations its documents refer to (REFERENCES) is merged away or being merged. Of a merge
    and such a write, the later check sees the earlier claim, so no reference is left pointing at a
    record that is gone. None when the write refers to no one (or is a merge or its undoing)."""
    if any(e.collection == "merged_records" for e in write.effects):
        return None
    documents = [(write.collection, write.document)] + [(e.collection, e.document) for e in write.effects]
    ids = sorted({document[r.field] for collection, document in documents if document is not None
                  for r in REFERENCES if r.collection == collection and document.get(r.field)})
    if not ids:
        return None

    async def check(change: Change) -> None:
        merging_now = await db.changes.find_one(
            {"state": ChangeState.CLAIMED.value, "action": ChangeAction.MERGE.value, "record_id": {"$in": ids}},
            projection=["record_id"])
        gone = await db.merged_records.find_one({"_id": {"$in": [redirect_id(i) for i in ids]}},
                                                projection=["merged", "kept"])
        if merging_now is not None or gone is not None:
            which = merging_now["record_id"] if merging_now else gone["merged"]
            raise RuleBroken(f"{which} was merged into another record (or is being merged): "
                             "use the record it was merged into.")

    return check


def both(first: ClaimCheck | None, second: ClaimCheck | None) -> ClaimCheck | None:
    """Two checks of one claimed change, one after the other."""
    if first is None or second is None:
        return first or second

    async def check(change: Change) -> None:
        await first(change)
        await second(change)

    return check


async def merge(db: Database, record_type: RecordType, keep_id: str, merge_id: str, *, keep_version: int,
                merge_version: int, actor: Actor, reason: str | None = None,
                client_mutation_id: str | None = None) -> Committed:
    """Plan and commit a merge (for callers without a request: tests, the property test)."""
    write, expected = await plan_merge(db, record_type, keep_id, merge_id, keep_version=keep_version,
                                       merge_version=merge_version, reason=reason)
    return await commit(db, write, expected_version=expected, actor=actor, client_mutation_id=client_mutation_id,
                        checked=still_as_planned(db, write))


# Following redirects: node(id: merged) answers the kept record.

MAX_REDIRECTS = 20


async def kept_ids(db: Database, ids: list[str]) -> dict[str, str]:
    """For each of `ids` that was merged away, the record it lives on as (through later merges too)."""
    found: dict[str, str] = {}
    current = {i: i for i in ids}
    for _ in range(MAX_REDIRECTS):
        if not current:
            break
        hops = {d["merged"]: d["kept"] async for d in db.merged_records.find(
            {"_id": {"$in": [redirect_id(i) for i in set(current.values())]}}, projection=["merged", "kept"])}
        current = {origin: hops[at] for origin, at in current.items() if at in hops}
        found.update(current)
    return found


# Undoing a merge.

@dataclass(frozen=True, slots=True)
class MergeToUndo:
    change: Change
    redirect: dict


async def merge_to_undo(db: Database, change_id: str, now: datetime | None = None) -> MergeToUndo:
    """The applied merge `change_id`, still undoable; Refused otherwise."""
    change = await changes.by_id(db, change_id)
    if (change is None or change.state is not ChangeState.APPLIED or change.action is not ChangeAction.MERGE
            or change.owner_id == change.record_id):
        raise Refused("NOT_FOUND", "No merge with this change id.", "change")
    redirect = await db.merged_records.find_one({"_id": redirect_id(change.record_id)})
    if redirect is None or redirect.get("kept") != change.owner_id or redirect.get("kept_version") != change.version:
        raise Refused("CONFLICT", "This merge was undone already, or merged again since.", "change")
    if "undo" not in redirect:
        raise Refused("CONFLICT", "This merge can no longer be undone: a person in it was erased.", "change")
    if (now or datetime.now(UTC)) - change.at > UNDO_WINDOW:
        raise Refused("CONFLICT", f"A merge can be undone for {UNDO_WINDOW.days} days only.", "change")
    return MergeToUndo(change, redirect)


async def _changed_since(db: Database, undoing: MergeToUndo) -> str | None:
    """What changed since the merge (a record or a moved reference), or None."""
    change, undo = undoing.change, undoing.redirect["undo"]
    section = SECTION[change.owner_type]
    kept = await getattr(db, section).find_one({"_id": change.owner_id}, projection=[WRITTEN_BY])
    if kept is None or kept.get(WRITTEN_BY) != change.id:
        return f"{change.owner_id} changed since the merge"
    if await getattr(db, section).find_one({"_id": change.record_id}, projection=["_id"]) is not None:
        return f"{change.record_id} exists again"
    # What the merge wrote (the documents it made or moved) is still its own; what it deleted is still gone.
    written: dict[tuple[str, str], bool] = {}
    for entry in undo["documents"]:
        written.setdefault((entry["collection"], entry["id"]), False)
    async for key in _merge_writes(db, change):
        written[key] = True
    for (collection, document_id), wrote in written.items():
        current = await getattr(db, collection).find_one({"_id": document_id}, projection=[WRITTEN_BY])
        if wrote and (current is None or current.get(WRITTEN_BY) != change.id):
            return f"{collection} {document_id} changed since the merge"
        if not wrote and current is not None:
            return f"{collection} {document_id} exists again"
    return None


async def _merge_writes(db: Database, change: Change):
    """(collection, id) of each document the merge left written (not deleted), from its notices."""
    collection_of = {v: k for k, v in changes.RECORD_TYPE_OF_COLLECTION.items()}
    for notice in change.notices:
        if notice.action is ChangeAction.REMOVE or notice.record_id in (change.owner_id, change.record_id):
            continue
        yield collection_of[notice.record_type], notice.record_id


async def plan_unmerge(db: Database, change_id: str, reason: str | None) -> tuple[Write, int]:
    """The Write that puts back what the merge `change_id` wrote, as it was; Refused when it cannot."""
    undoing = await merge_to_undo(db, change_id)
    if problem := await _changed_since(db, undoing):
        raise Refused("CONFLICT", f"The merge cannot be undone: {problem}.", "change")
    change, undo = undoing.change, undoing.redirect["undo"]
    section = SECTION[change.owner_type]
    now = datetime.now(UTC)
    befores = {(e["collection"], e["id"]): e["before"] for e in undo["documents"]}
    wrote = {key async for key in _merge_writes(db, change)}
    effects: list[Effect] = []
    claims: list[Claim] = []
    field = FieldChange("unmerged", change.id, None)
    # First what the merge made, so nothing it holds is in the way of what comes back.
    for collection, document_id in sorted(wrote - set(k for k, b in befores.items() if b is not None)):
        effects.append(Effect(collection, document_id, None))
        current = await getattr(db, collection).find_one({"_id": document_id}, projection=["version"])
        if collection in VERSIONED or "version" in (current or {}):
            claims.append(Claim(collection, document_id, current["version"] + 1, (field,)))
    merged_before = undo["merged_before"]
    restored = [(section, change.record_id, merged_before)] + [
        (c, i, b) for (c, i), b in befores.items() if b is not None]
    for collection, document_id, before in restored:
        if collection in VERSIONED or "version" in before:
            version = await next_version(db, document_id)
            current = await getattr(db, collection).find_one({"_id": document_id})
            claims.append(Claim(collection, document_id, version, (*_fields(collection, current, before), field)))
            before = _stamped(before, version, now)
        effects.append(Effect(collection, document_id, {k: v for k, v in before.items() if k != WRITTEN_BY}))
    effects.append(Effect("merged_records", redirect_id(change.record_id), None))
    kept_before = {k: v for k, v in undo["kept_before"].items() if k not in (WRITTEN_BY,)}
    kept_now = await getattr(db, section).find_one({"_id": change.owner_id})
    write = Write(
        owner_type=change.owner_type, collection=section, owner_id=change.owner_id, document=kept_before,
        action=ChangeAction.UPDATE, fields=(*_fields(section, kept_now, kept_before), field), record_type=change.owner_type, record_id=change.record_id,
        effects=tuple(effects), reason=reason, claims=tuple(claims),
    )
    return write, kept_now["version"]


async def unmerge(db: Database, change_id: str, *, actor: Actor, reason: str | None = None,
                  client_mutation_id: str | None = None) -> Committed:
    write, expected = await plan_unmerge(db, change_id, reason)
    return await commit(db, write, expected_version=expected, actor=actor, client_mutation_id=client_mutation_id)


async def forget_undo(db: Database, person_id: str) -> None:
    """Erasure: the undo data of every merge the person was part of is deleted (it holds their values)."""
    await db.merged_records.update_many(
        {"$or": [{"_id": redirect_id(person_id)}, {"kept": person_id}], "undo": {"$exists": True}}, {"$unset": {"undo": ""}}
    )
