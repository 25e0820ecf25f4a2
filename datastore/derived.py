"""Fields derived from others when a record is stored, kept right on upgrade.

Records store some fields computed from their other fields so the database can
filter and sort on them: folded names and their grams (datastore/text.py), the
next review due, and `updated_at` as a sortable text key. When the way they are
computed changes, records stored before are recomputed in place at start-up. Only those fields are set: a record's
version, its `updated_at`, the change feed and the audit log stay as they
were, because nothing a client sees as data changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datastore import canonical, generations, groups, organisations, people, rosters
from datastore.client import Database
from datastore.documents import WHOLE_RESULT, set_fields
from datastore.text import FOLD_VERSION

# Bump the suffix whenever a derived field's definition changes.
DERIVED_VERSION = (f"fold {FOLD_VERSION}; review-due 1; updated-key 2; name-grams 1; "
                   f"canonical keys {canonical.CANONICAL_VERSION}")
_META_ID = "derived_fields"


@dataclass(frozen=True, slots=True)
class Derived:
    collection: str
    fields: tuple[str, ...]
    # A stored document -> the document as storing its record today would write it.
    restore: Callable[[dict], dict]


DERIVED = (
    Derived("organisations", ("name_folded", "name_grams", "next_review_due", "review_due_key", "updated_key",
                              "name_key"),
            lambda d: organisations.to_document(organisations.from_document(d))),
    Derived("people", ("name_folded", "name_grams", "sort_name", "updated_key", "email_key"),
            lambda d: people.to_document(people.from_document(d))),
    Derived("groups", ("name_folded", "name_grams"), lambda d: groups.to_document(groups.from_document(d))),
    Derived("roster", ("updated_key",), lambda d: rosters.to_document(rosters.from_document(d))),
)

_MISSING: Any = object()


async def stored_version(db: Database) -> str | None:
    found = await db.meta.find_one({"_id": _META_ID})
    return found.get("version") if found else None


async def refresh(db: Database) -> int:
    """Recompute derived fields if they were made by another version; return
    how many records changed (0 when already current)."""
    if await stored_version(db) == DERIVED_VERSION:
        return 0
    updated = 0
    async with generations.bulk_write(db, [derived.collection for derived in DERIVED]):
        for derived in DERIVED:
            collection = getattr(db, derived.collection)
            changes: dict[str, dict] = {}
            async for document in collection.find({}, batch_size=WHOLE_RESULT):
                fresh = derived.restore(document)
                changed = {f: fresh[f] for f in derived.fields if document.get(f, _MISSING) != fresh[f]}
                if changed:
                    changes[document["_id"]] = changed
            updated += await set_fields(collection, changes)
    await db.meta.replace_one({"_id": _META_ID}, {"_id": _META_ID, "version": DERIVED_VERSION}, upsert=True)
    return updated
