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
        IndexModel(_keys("country"), name="by_country"),
        IndexModel(_keys("continent"), name="by_continent"),
        IndexModel(_keys("kind"), name="by_kind"),
        IndexModel(_keys("status"), name="by_status"),
        IndexModel(_keys("sectors"), name="by_sector"),
        IndexModel(_keys("designations"), name="by_designation"),
    ],
    "people": [
        IndexModel(_keys("sort_name", "_id"), name="by_name"),
        IndexModel(_keys("affiliation_id", "sort_name", "_id"), name="by_affiliation"),
        IndexModel(_keys("country"), name="by_country"),
        IndexModel(_keys("continent"), name="by_continent"),
        IndexModel(_keys("email"), name="by_email"),
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
    ],
    "roster": [
        IndexModel(_keys("group_id", "role_rank", "since", "_id"), name="by_group"),
        IndexModel(_keys("person_id"), name="by_person"),
    ],
}


async def ensure_indexes(db: Database) -> None:
    """Create the indexes that are missing; existing ones are left as they are.

    Only missing ones are sent: FerretDB 1.24 drops the connection when one
    createIndexes command names several indexes that already exist.
    """
    for name, models in INDEXES.items():
        collection = getattr(db, name)
        existing = {index["name"] async for index in await collection.list_indexes()}
        missing = [m for m in models if m.document["name"] not in existing]
        if missing:
            await collection.create_indexes(missing)
