"""The unique canonical keys at start-up, and the invariant they keep.

Records stored before a key existed (or before its definition changed) get it
from datastore/derived.py's refresh; then the unique indexes on the keys are
built (datastore/indexes.py UNIQUE_KEYS). Two records stored earlier may
already share a key (the same address typed twice, before the engine refused
it): the index could not be built over them, so all but the first (by id)
keep a key of their own, marked, and are named in the log for staff to put
right. Such a record is refused (CONFLICT) when it is next saved with the
shared value, never silently merged.
"""

import logging
from dataclasses import dataclass

from datastore import canonical, derived
from datastore.client import Database
from datastore.documents import WHOLE_RESULT, set_fields
from datastore.indexes import UNIQUE_KEYS, ensure_indexes

log = logging.getLogger(__name__)

# A record that shared its key with an earlier one when the index was built.
DUPLICATE_PREFIX = "duplicate kept apart "
# The key field of each collection with one (datastore/people.py, datastore/organisations.py).
KEY_FIELDS = {"people": "email_key", "organisations": "name_key"}


@dataclass(frozen=True, slots=True)
class Shared:
    """Records of one collection that shared one key: the first keeps it."""

    collection: str
    kept: str
    apart: tuple[str, ...]


async def _drop_key_indexes(db: Database) -> None:
    """Before keys are recomputed: a changed definition may make two stored keys equal."""
    for collection, models in UNIQUE_KEYS.items():
        existing = {index["name"] async for index in await getattr(db, collection).list_indexes()}
        for model in models:
            if model.document["name"] in existing:
                await getattr(db, collection).drop_index(model.document["name"])


async def shared_keys(db: Database, collection: str) -> list[list[str]]:
    """Ids of the records that share a key, in groups (each sorted): one aggregate, then one find."""
    field = KEY_FIELDS[collection]
    pipeline = [{"$group": {"_id": f"${field}", "n": {"$sum": 1}}}, {"$match": {"n": {"$gt": 1}}}]
    keys = [group["_id"] async for group in await getattr(db, collection).aggregate(pipeline)]
    if not keys:
        return []
    groups: dict[str, list[str]] = {}
    cursor = getattr(db, collection).find({field: {"$in": keys}}, projection=[field], batch_size=WHOLE_RESULT)
    async for document in cursor:
        groups.setdefault(document.get(field), []).append(document["_id"])
    return [sorted(ids) for ids in groups.values()]


async def _keep_apart(db: Database) -> list[Shared]:
    found = []
    for collection, field in KEY_FIELDS.items():
        for ids in await shared_keys(db, collection):
            kept, *apart = ids
            await set_fields(getattr(db, collection), {i: {field: f"{DUPLICATE_PREFIX}{i}"} for i in apart})
            # Ids only: the shared value itself may be an e-mail address.
            log.warning("%s %s share a canonical %s; %s keeps it, the others must be changed",
                        collection, ", ".join(ids), field, kept)
            found.append(Shared(collection, kept, tuple(apart)))
    return found


async def prepare(db: Database) -> list[Shared]:
    """At start-up: every stored record with its current keys, records that share
    one kept apart, then the unique indexes built. Returns what was kept apart."""
    if await derived.stored_version(db) != derived.DERIVED_VERSION:
        await _drop_key_indexes(db)
    await derived.refresh(db)
    apart = await _keep_apart(db)
    await ensure_indexes(db)
    return apart


async def violations(db: Database) -> list[str]:
    """The invariant, stated over the database (for tests and the property test):
    no two people share a canonical e-mail, no two organisations of a country a
    folded name, no two records a slug, and every stored key is the one its
    record's values make today."""
    problems = []
    for collection, field in KEY_FIELDS.items():
        problems += [f"{collection} {', '.join(ids)} share a {field}" for ids in await shared_keys(db, collection)]
    async for person in db.people.find({}, projection=["email", "email_key"], batch_size=WHOLE_RESULT):
        email = person.get("email")
        want = canonical.email_key(email) if email else None
        if email and person.get("email_key") != want and not str(person.get("email_key")).startswith(DUPLICATE_PREFIX):
            problems.append(f"person {person['_id']} has a stale email_key")
    async for organisation in db.organisations.find({}, projection=["country", "name", "name_key"],
                                                     batch_size=WHOLE_RESULT):
        want = canonical.organisation_name_key(organisation["country"], organisation["name"])
        stored = str(organisation.get("name_key"))
        if stored != want and not stored.startswith(DUPLICATE_PREFIX):
            problems.append(f"organisation {organisation['_id']} has a stale name_key")
    for collection in ("organisations", "groups"):
        pipeline = [{"$group": {"_id": "$slug", "n": {"$sum": 1}}}, {"$match": {"n": {"$gt": 1}}}]
        async for group in await getattr(db, collection).aggregate(pipeline):
            problems.append(f"{collection} share the slug {group['_id']}")
    return problems
