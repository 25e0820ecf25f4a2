"""A bundle of directory records, written in one go by import and seed."""

from dataclasses import dataclass, field

from datastore import contacts, groups, organisations, people, rosters
from datastore.client import Database
from datastore.contacts import RoleContact
from datastore.groups import Group
from datastore.organisations import Organisation
from datastore.people import Person
from datastore.rosters import RosterEntry


@dataclass
class Dataset:
    organisations: list[Organisation] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    contacts: list[RoleContact] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "organisations": len(self.organisations),
            "people": len(self.people),
            "contacts": len(self.contacts),
            "groups": len(self.groups),
            "roster": len(self.roster),
        }


async def write(db: Database, dataset: Dataset) -> int:
    """Upsert every record by id and return how many were new or changed:
    writing the same dataset twice changes nothing."""
    return (
        await organisations.upsert(db, dataset.organisations)
        + await groups.upsert(db, dataset.groups)
        + await people.upsert(db, dataset.people)
        + await contacts.upsert(db, dataset.contacts)
        + await rosters.upsert(db, dataset.roster)
    )


async def clear(db: Database) -> None:
    """Delete every directory record; API keys and indexes stay."""
    for name in Dataset().counts():
        await getattr(db, name).delete_many({})


async def is_empty(db: Database) -> bool:
    return await db.organisations.estimated_document_count() == 0
