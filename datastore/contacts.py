"""Role contacts as stored: lookups by organisation and person, in role order
(the record: datastore.records.contacts)."""

from collections.abc import Iterable, Sequence

from datastore.client import Database
from datastore.documents import find_in, replace_many
from datastore.records.contacts import RoleContact
from datastore.records.vocabulary import ContactRole

_ROLE_ORDER = list(ContactRole)


def to_document(contact: RoleContact) -> dict:
    return {
        "_id": contact.id,
        "organisation_id": contact.organisation_id,
        "person_id": contact.person_id,
        "role": contact.role.value,
        "group_id": contact.group_id,
    }


def from_document(document: dict) -> RoleContact:
    return RoleContact(
        organisation_id=document["organisation_id"],
        person_id=document["person_id"],
        role=ContactRole[document["role"]],
        group_id=document.get("group_id"),
    )


def _in_role_order(documents: list[dict]) -> list[RoleContact]:
    """Primary, Administrator, Signer, then communications contacts by group."""
    found = [from_document(d) for d in documents]
    return sorted(found, key=lambda c: (_ROLE_ORDER.index(c.role), c.group_id or "", c.person_id))


async def by_ids(db: Database, ids: Iterable[str]) -> list[RoleContact]:
    return [from_document(d) for d in await find_in(db.contacts, "_id", ids)]


async def by_organisations(db: Database, ids: Iterable[str]) -> list[RoleContact]:
    return _in_role_order(await find_in(db.contacts, "organisation_id", ids))


async def by_people(db: Database, ids: Iterable[str]) -> list[RoleContact]:
    return _in_role_order(await find_in(db.contacts, "person_id", ids))


async def upsert(db: Database, contacts: Sequence[RoleContact]) -> int:
    return await replace_many(db.contacts, [to_document(c) for c in contacts])
