"""Erasure: every value of an erased person leaves every collection.

The values are the person's full name, given and family names, e-mail and
ORCID, each matched as a whole sequence of tokens, case-folded
(datastore.erased_values): "Ana" is erased from "asked Ana Lima", never
from "Banana Genomics". A match is
replaced by ERASED wherever free text is kept (`SCRUBBED`); a test checks
that every collection the directory has is either listed there or in
`NOT_SCRUBBED` with the reason it holds no such text, so a collection added
later cannot be forgotten.

All of it runs while the erasure's change is applied (datastore.writes), so
recovery of a cut-off erasure completes it too; each step is idempotent (a
string is rewritten only by replacing matches, a tenure ended only if open).
"""

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bson.raw_bson import RawBSONDocument
from bson.codec_options import CodecOptions
from pymongo import WriteConcern

from datastore import email_verification, generations, rosters, sessions
from datastore.client import Database
from datastore.erased_values import ERASED, Values, contains, found_in, scrubbed_text, tokens
from datastore.records.changes import Actor
from datastore.records.vocabulary import ChangeAction

__all__ = ["ERASED", "NOT_SCRUBBED", "SCRUBBED", "Field", "Values", "complete", "contains", "forget_on_erasure",
           "found_anywhere", "scrub", "scrubbed_text", "tokens"]

# What this process keeps in memory that a caller's text may be part of (query texts,
# plans by variables): each emptied when an erasure is applied here. Weak: a holder
# that is gone is forgotten.
_HOLDERS: "weakref.WeakSet" = weakref.WeakSet()
_DURABLE = WriteConcern(w="majority", j=True)


@dataclass(frozen=True, slots=True)
class Field:
    """Where free text is kept: a collection and a dotted path (through lists) in its documents.

    `names_alone`: the given and family names are erased on their own here too, not
    only the full name. True for prose people write (reasons, descriptions, names of
    keys); for the values the audit log recorded, only in the fields named in
    `PROSE_FIELDS`: elsewhere (another person's givenName, an organisation's name) a
    lone "Ana" is far more likely someone else's name than the erased person's."""

    collection: str
    path: str
    names_alone: bool = True


# Fields of records that hold prose, as the audit log names them.
PROSE_FIELDS = frozenset({"description"})


SCRUBBED: tuple[Field, ...] = (
    # The audit log and change feed: why each change was made, the caller's
    # clientMutationId (part of its idempotency key), where an import came from,
    # and every value each change recorded.
    Field("changes", "reason"),
    Field("changes", "client_key"),
    Field("changes", "actor.source"),
    Field("changes", "fields.before", names_alone=False),
    Field("changes", "fields.after", names_alone=False),
    # Reasons kept in membership histories.
    Field("organisations", "history.reason"),
    Field("people", "individual_membership.history.reason"),
    # Free text of groups (a description may name a chair).
    Field("groups", "description"),
    # What a recommender or inviter wrote to the chairs or the person.
    Field("invitations", "message"),
    # What a key was called ("Zyxq's laptop").
    Field("api_keys", "name"),
    # The refusals kept for retries (datastore.calls; their keys hold a digest of the caller's id).
    Field("calls", "answer.errors.message", names_alone=False),
    # The outbox (datastore.outbox): what each message says, where it went, why it failed.
    Field("notifications", "subject"),
    Field("notifications", "values"),
    Field("notifications", "address", names_alone=False),
    Field("notifications", "last_error", names_alone=False),
    Field("bounces", "address", names_alone=False),
    Field("bounces", "error", names_alone=False),
    # Why staff registered a webhook endpoint (datastore.webhooks).
    Field("webhook_endpoints", "reason"),
    Field("webhook_endpoints", "disabled_why", names_alone=False),
)

# Collections with no free text, and why.
NOT_SCRUBBED: dict[str, str] = {
    "contacts": "ids and roles only; an erased person's contacts are removed by the erasure itself",
    "roster": "ids, roles and dates only; the tenures point to the anonymous placeholder",
    "meta": "generation tokens and schema versions only",
    "merged_records": "ids of merged records; the undo data (which holds values) is deleted by the erasure itself",
    "duplicate_keys": "digests of name keys only; an erased person's are deleted by the erasure itself",
    "duplicate_candidates": "ids, scores and reasons that quote no value; an erased person's pairs are deleted",
    "deliveries": "claims on delivery attempts: ids, attempt numbers, times and process names only",
    "verification_tokens": "digests of e-mail verification tokens, ids and times; an erasure removes the person's",
    "sessions": "digests of session cookies, ids, roles, times and who signed in (the issuer's e-mail or subject); "
                "an erasure ends the person's sessions",
    "sign_ins": "sign-ins under way: random state, nonce and verifier, a local path, a time; no person yet",
    "webhook_failures": "ids, times and delivery errors the directory worded (HTTP statuses, refused connections)",
}


def _scrubbed(value, path: list[str], values: "Values", names_alone: bool):
    """`value` with the strings at `path` (descending through lists) scrubbed."""
    if isinstance(value, list):
        return [_scrubbed(item, path, values, names_alone) for item in value]
    if not path:
        if isinstance(value, dict):  # a document of values as a whole (a notification's template values)
            return {key: _scrubbed(inner, [], values, names_alone) for key, inner in value.items()}
        return scrubbed_text(value, values.sequences(names_alone)) if isinstance(value, str) else value
    if isinstance(value, dict) and path[0] in value:
        # An audit entry's recorded value of a prose field is prose too. (A refusal kept
        # for retries has a "field" too: a list, the input path at fault.)
        recorded = value.get("field")
        alone = names_alone or (isinstance(recorded, str) and recorded in PROSE_FIELDS)
        return {**value, path[0]: _scrubbed(value[path[0]], path[1:], values, alone)}
    return value


# Records written through the write path: rewritten only at the version read.
_VERSIONED = frozenset({"organisations", "people", "groups", "invitations"})
# Attempts at one record that other changes keep moving on.
_TRIES = 5


def _updates(document: dict, fields: list[Field], values: Values) -> dict:
    """The top-level fields of `document` that scrubbing changes, scrubbed."""
    updates = {}
    for top in sorted({f.path.split(".")[0] for f in fields}):
        value = document.get(top)
        for field in (f for f in fields if f.path.split(".")[0] == top):
            value = _scrubbed({top: value}, field.path.split("."), values, field.names_alone)[top]
        if value != document.get(top):
            updates[top] = value
    return updates


async def _scrub_collection(db: Database, collection: str, fields: list[Field], values: Values) -> int:
    projection = sorted({f.path.split(".")[0] for f in fields} | {"version"})
    source = db.client[db.name][collection]
    target = source.with_options(write_concern=_DURABLE)
    changed = 0
    async for document in source.find({}, projection=projection):
        for _ in range(_TRIES):
            updates = _updates(document, fields, values)
            if not updates:
                break
            # At the version read, so a change written meanwhile is never undone: read it again.
            query = {"_id": document["_id"], **({"version": document.get("version")} if collection in _VERSIONED else {})}
            if (await target.update_one(query, {"$set": updates})).matched_count:
                changed += 1
                break
            document = await source.find_one({"_id": document["_id"]}, projection=projection)
            if document is None:
                break
    return changed


async def scrub(db: Database, values: Values) -> int:
    """Replace the values wherever SCRUBBED lists free text; how many documents changed."""
    if not values.whole and not values.names:
        return 0
    by_collection: dict[str, list[Field]] = {}
    for field in SCRUBBED:
        by_collection.setdefault(field.collection, []).append(field)
    changed = 0
    for collection, fields in by_collection.items():
        changed += await _scrub_collection(db, collection, fields, values)
    return changed


async def _blank_own_history(db: Database, person_id: str) -> None:
    """Blank every value in the audit entries about the person (their names, e-mail...)."""
    query = {"$or": [{"record_id": person_id}, {"owner_id": person_id}]}
    async for document in db.changes.find(query, projection=["fields"]):
        blank = [{**f, "before": None, "after": None, "erased": True} for f in document.get("fields") or ()]
        await db.changes.with_options(write_concern=_DURABLE).update_one(
            {"_id": document["_id"]}, {"$set": {"fields": blank}}
        )


async def _revoke_keys(db: Database, person_id: str) -> None:
    """The person's API keys stop working for good (memberdir.api_keys also refuses any key
    of an erased person, so none works even before this is written)."""
    await db.api_keys.with_options(write_concern=_DURABLE).update_many(
        {"person_id": person_id, "revoked_at": None}, {"$set": {"revoked_at": datetime.now(UTC)}}
    )


# Why a tenure ended: no personal words, only what happened.
TENURE_ENDED = "the person was erased on request"


async def _end_tenures(db: Database, person_id: str, actor: Actor, day: date) -> None:
    """End every tenure the person holds on or after `day`: that day, or on its first
    day for one that starts later (the shortest tenure there is); each a change of its
    own, by the erasure's actor."""
    # Here, not at the top: the write path applies erasures, so it imports this module.
    from datastore import edits, writes

    for entry in await rosters.by_people(db, [person_id]):
        for _ in range(_TRIES):
            after = replace(entry, until=max(day, entry.since))
            if (entry.until is not None and entry.until < day) or after == entry:
                break
            write = edits.write_of("roster", entry, after, ChangeAction.UPDATE, reason=TENURE_ENDED)
            try:
                await writes.commit(db, write, expected_version=entry.version, actor=actor)
                break
            except writes.StaleVersion:  # changed meanwhile: read it again
                found = [e for e in await rosters.by_people(db, [person_id]) if e.id == entry.id]
                if not found:
                    break
                entry = found[0]


async def _forget_merges_and_duplicates(db: Database, person_id: str) -> None:
    """The undo data of the person's merges (it holds their values) and their duplicate keys and pairs."""
    # Here, not at the top: datastore.merging builds on the write path, which imports this module.
    from datastore import merging

    await merging.forget_undo(db, person_id)
    await db.duplicate_keys.with_options(write_concern=_DURABLE).delete_many({"_id": person_id})
    await db.duplicate_candidates.with_options(write_concern=_DURABLE).delete_many({"ids": person_id})


def forget_on_erasure(holder) -> None:
    """Have `holder.clear()` called whenever this process applies an erasure."""
    _HOLDERS.add(holder)


async def complete(db: Database, person_id: str, values: Values, actor: Actor, day: date) -> None:
    """What applying an erasure made on `day` by `actor` writes besides the placeholder
    record and its effects (the role contacts it removes); safe to run again (recovery does)."""
    await _revoke_keys(db, person_id)
    await sessions.end_for_person(db, person_id)  # signed out at once (memberdir/sessions.py refuses them too)
    await _forget_merges_and_duplicates(db, person_id)
    await email_verification.forget_person(db, person_id)
    await _end_tenures(db, person_id, actor, day)
    await _blank_own_history(db, person_id)
    await scrub(db, values)
    # Answers kept over what the scrub rewrote go stale in every process (datastore.generations);
    # this process also forgets the rest, which may quote what callers sent.
    await generations.advance(db, {field.collection for field in SCRUBBED})
    generations.KEPT.clear()
    for holder in list(_HOLDERS):
        holder.clear()


# Checking: the invariant the tests and the property test state over the whole database.

_RAW = CodecOptions(document_class=RawBSONDocument)


async def found_anywhere(db: Database, values: Iterable[str]) -> list[str]:
    """"<value> in <collection>/<_id>" for each value found in a stored document, its bytes
    read as text, as whole case-folded tokens; none for an erasure that is complete."""
    wanted = [value for value in values if tokens(value)]
    found = []
    database = db.client[db.name]
    for name in sorted(await database.list_collection_names()):
        collection = database.get_collection(name, codec_options=_RAW)
        async for document in collection.find({}):
            text = document.raw.decode("utf-8", errors="replace")
            found += [f"{value!r} in {name}/{document['_id']}" for value in found_in(text, wanted)]
    return found
