"""Role contacts: who is an organisation's Primary, Administrator, Signer, or
communications contact for a working group."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datastore.client import Database
from datastore.documents import find_in, replace_many
from datastore.vocabulary import ContactRole

_ROLE_ORDER = list(ContactRole)


@dataclass(frozen=True, slots=True)
class RoleContact:
    organisation_id: str
    person_id: str
    role: ContactRole
    group_id: str | None = None

    @property
    def id(self) -> str:
        """Derived from what the contact is, so importing it twice is one contact."""
        natural = "|".join(
            (self.organisation_id, self.role.value, self.person_id, self.group_id or "")
        )
        return "rc_" + hashlib.sha256(natural.encode()).hexdigest()[:20]


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
