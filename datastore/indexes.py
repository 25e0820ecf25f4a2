"""Indexes for every filter, sort and foreign key the resolvers use."""

from pymongo import ASCENDING, DESCENDING, IndexModel

from datastore.client import Database


def _keys(*names: str) -> list[tuple[str, int]]:
    return [(name, ASCENDING) for name in names]


INDEXES = {
    "organisations": [
        IndexModel(_keys("slug"), unique=True, name="slug_unique"),
        IndexModel(_keys("name_folded", "_id"), name="by_name"),
        IndexModel(_keys("joined_key", "_id"), name="by_joined"),
        IndexModel([("joined_key", DESCENDING), ("_id", DESCENDING)], name="by_joined_desc"),
        IndexModel(_keys("review_due_key", "_id"), name="by_review_due"),
        IndexModel(_keys("updated_key", "_id"), name="by_updated"),
        IndexModel(_keys("country"), name="by_country"),
        IndexModel(_keys("continent"), name="by_continent"),
        IndexModel(_keys("kind"), name="by_kind"),
        IndexModel(_keys("status"), name="by_status"),
        IndexModel(_keys("sectors"), name="by_sector"),
        IndexModel(_keys("designations"), name="by_designation"),
        IndexModel(_keys("name_grams"), name="by_name_gram"),
    ],
    "people": [
        IndexModel(_keys("sort_name", "_id"), name="by_name"),
        IndexModel(_keys("updated_key", "_id"), name="by_updated"),
        IndexModel(_keys("affiliation_id", "sort_name", "_id"), name="by_affiliation"),
        IndexModel(_keys("country"), name="by_country"),
        IndexModel(_keys("continent"), name="by_continent"),
        IndexModel(_keys("email"), name="by_email"),
        IndexModel(_keys("name_grams"), name="by_name_gram"),
    ],
    "contacts": [
        IndexModel(_keys("organisation_id", "role"), name="by_organisation"),
        IndexModel(_keys("person_id"), name="by_person"),
    ],
    "groups": [
        IndexModel(_keys("slug"), unique=True, name="slug_unique"),
        IndexModel(_keys("parent_id"), name="by_parent"),
        IndexModel(_keys("kind", "name_folded", "_id"), name="by_kind"),
        IndexModel(_keys("name_folded", "_id"), name="by_name"),
        IndexModel(_keys("name_grams"), name="by_name_gram"),
    ],
    "changes": [
        IndexModel(_keys("state", "at", "_id"), name="by_state"),
        IndexModel([("at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel(_keys("record_id", "at"), name="by_record"),
        IndexModel(_keys("owner_id", "version"), name="by_owner"),
        IndexModel(_keys("client_key"), name="by_client_key"),
        IndexModel(_keys("actor.person_id"), name="by_actor_person"),
    ],
    "invitations": [
        IndexModel(_keys("group_id", "created_key", "_id"), name="by_group"),
        IndexModel(_keys("person_id", "created_key", "_id"), name="by_person"),
        IndexModel(_keys("status", "expires_on"), name="by_status"),
    ],
    "notifications": [
        IndexModel(_keys("state", "next_at", "_id"), name="by_due"),
        IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel([("recipient_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                   name="by_recipient"),
        IndexModel(_keys("record_id"), name="by_record"),
        IndexModel(_keys("change_id"), name="by_change"),
    ],
    "verification_tokens": [IndexModel(_keys("person_id"), name="by_person")],
    "sessions": [
        IndexModel(_keys("person_id"), name="by_person"),
        IndexModel(_keys("key_id"), name="by_key"),
        IndexModel(_keys("expires_at"), name="by_expiry"),
    ],
    "sign_ins": [IndexModel(_keys("expires_at"), name="by_expiry")],
    "webhook_failures": [IndexModel(_keys("endpoint_id", "at"), name="by_endpoint")],
    "deliveries": [
        IndexModel(_keys("notification_id"), name="by_notification"),
    ],
    "roster": [
        IndexModel(_keys("group_id", "role_rank", "since", "_id"), name="by_group"),
        IndexModel(_keys("person_id"), name="by_person"),
        IndexModel(_keys("group_id", "updated_key", "_id"), name="by_group_updated"),
    ],
    # datastore/merging.py: redirects by the record kept (erasure deletes their undo data).
    "merged_records": [IndexModel(_keys("kept"), name="by_kept")],
    # datastore/duplicates.py: blocks by key, a record's pairs, candidates in score order.
    "duplicate_keys": [IndexModel(_keys("keys"), name="by_key")],
    "duplicate_candidates": [
        IndexModel(_keys("ids"), name="by_record"),
        IndexModel(_keys("record_type", "order_key"), name="by_score"),
    ],
}


# Uniqueness on canonical keys (datastore/canonical.py): the engine, not a read,
# refuses a second person with the same address or a second organisation of a
# name in a country. Plain unique indexes on fields every record has (a person
# without an address has a key of its own: datastore/people.py), not partial or
# sparse ones, so they hold alike on MongoDB and every embedded engine.
# Built only once every stored record has its key (after datastore/derived.py's
# refresh and unique_keys.settle_duplicates at start-up), since records stored
# before the keys existed would all collide on a missing key.
UNIQUE_KEYS = {
    "people": [IndexModel(_keys("email_key"), unique=True, name="email_key_unique")],
    "organisations": [IndexModel(_keys("name_key"), unique=True, name="name_key_unique")],
}


async def ensure_indexes(db: Database, *, unique_keys: bool = True) -> None:
    """Create the indexes that are missing; existing ones are left as they are.
    `unique_keys` False leaves out UNIQUE_KEYS (see there).

    Only missing ones are sent: an engine drops the connection when one
    createIndexes command names several indexes that already exist (datastore/engines).
    """
    wanted = {name: list(models) for name, models in INDEXES.items()}
    if unique_keys:
        for name, models in UNIQUE_KEYS.items():
            wanted[name] += models
    for name, models in wanted.items():
        collection = getattr(db, name)
        existing = {index["name"] async for index in await collection.list_indexes()}
        missing = [m for m in models if m.document["name"] not in existing]
        if missing:
            await collection.create_indexes(missing)
