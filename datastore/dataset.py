"""A bundle of directory records, written in one go by import and seed."""

from dataclasses import dataclass, field, fields

from datastore import contacts, generations, groups, organisations, people, rosters
from datastore.client import Database
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry


@dataclass
class Dataset:
    """One list per directory collection, each named as its collection."""

    organisations: list[Organisation] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    contacts: list[RoleContact] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in COLLECTIONS}


# The directory's collections: one per field of Dataset.
COLLECTIONS = tuple(f.name for f in fields(Dataset))


async def write(db: Database, dataset: Dataset) -> int:
    """Upsert every record by id and return how many were new or changed:
    writing the same dataset twice changes nothing."""
    async with generations.bulk_write(db, COLLECTIONS):
        return (
            await organisations.upsert(db, dataset.organisations)
            + await groups.upsert(db, dataset.groups)
            + await people.upsert(db, dataset.people)
            + await contacts.upsert(db, dataset.contacts)
            + await rosters.upsert(db, dataset.roster)
        )


async def clear(db: Database) -> None:
    """Delete every directory record; API keys and indexes stay."""
    async with generations.bulk_write(db, COLLECTIONS):
        for name in COLLECTIONS:
            await getattr(db, name).delete_many({})


async def is_empty(db: Database) -> bool:
    return await db.organisations.estimated_document_count() == 0
