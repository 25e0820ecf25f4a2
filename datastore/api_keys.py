"""API keys for machine clients, as stored: a salted hash, never the key."""

from dataclasses import dataclass
from datetime import datetime

from datastore.client import Database
from datastore.records.vocabulary import Role


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    salt: str
    hash: str
    created_at: datetime
    person_id: str | None = None
    revoked_at: datetime | None = None
    # May run any GraphQL document when the server runs only trusted ones (the router's key, integrations).
    any_document: bool = False

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def to_document(key: ApiKey) -> dict:
    return {
        "_id": key.id,
        "name": key.name,
        "role": key.role.value,
        "salt": key.salt,
        "hash": key.hash,
        "created_at": key.created_at,
        "person_id": key.person_id,
        "revoked_at": key.revoked_at,
        "any_document": key.any_document,
    }


def from_document(document: dict) -> ApiKey:
    return ApiKey(
        id=document["_id"],
        name=document["name"],
        role=Role(document["role"]),
        salt=document["salt"],
        hash=document["hash"],
        created_at=document["created_at"],
        person_id=document.get("person_id"),
        revoked_at=document.get("revoked_at"),
        any_document=document.get("any_document", False),
    )


async def insert(db: Database, key: ApiKey) -> None:
    await db.api_keys.insert_one(to_document(key))


async def by_id(db: Database, key_id: str) -> ApiKey | None:
    """One `_id` equality lookup: the one shape every engine pushes down (datastore/engines)."""
    document = await db.api_keys.find_one({"_id": key_id})
    return from_document(document) if document else None


async def every(db: Database) -> list[ApiKey]:
    return [from_document(d) async for d in db.api_keys.find({}, sort=[("created_at", 1), ("_id", 1)])]


async def revoke(db: Database, key_id: str, when: datetime) -> bool:
    """Marks the key revoked; False if there is no such key or it already was."""
    result = await db.api_keys.update_one({"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": when}})
    return result.modified_count == 1
