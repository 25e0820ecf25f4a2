"""Individual members: filters and keyset pages (the record: datastore.records.people)."""

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from datastore import canonical, memberships
from datastore.client import Database
from datastore.documents import STREAM_BATCH, WHOLE_RESULT, count_matching, find_in, replace_many
from datastore.engines import read_page
from datastore.keyset import Sort, SortKey
from datastore.records import countries, dates, pending_email
from datastore.records.memberships import StatusChange
from datastore.records.people import Person, PersonOrder
from datastore.records.vocabulary import ContactVisibility, Continent, IndividualMembershipStatus
from datastore.text import fold, search_condition, searchable_name

# Family name first, as a printed directory lists people.
SORT: Sort = PersonOrder.NAME_ASC.sort


def order_key(order: PersonOrder, person: Person) -> SortKey:
    """The person's key in `order`: their stored values of the order's fields."""
    document = to_document(person)
    return tuple(document[name] for name, _ in order.sort)


def sort_key(person: Person) -> SortKey:
    """The person's key in directory order (SORT)."""
    return (_sort_name(person), person.id)


@dataclass(frozen=True, slots=True)
class PersonFilter:
    search: str | None = None
    countries: tuple[str, ...] = ()
    continents: tuple[Continent, ...] = ()
    affiliation_id: str | None = None
    updated_since: datetime | None = None
    individual_statuses: tuple[IndividualMembershipStatus, ...] = ()

    def to_query(self) -> dict:
        query: dict = search_condition(self.search) if self.search else {}  # first: see search_condition
        if self.countries:
            query["country"] = {"$in": list(self.countries)}
        if self.continents:
            query["continent"] = {"$in": [c.value for c in self.continents]}
        if self.affiliation_id:
            query["affiliation_id"] = self.affiliation_id
        if self.updated_since:
            query["updated_key"] = {"$gte": dates.instant_key(self.updated_since, round_up=True)}
        if self.individual_statuses:
            query["individual_membership.status"] = {"$in": [s.value for s in self.individual_statuses]}
        return query


def _sort_name(person: Person) -> str:
    return fold(f"{person.family_name} {person.given_name}")


async def is_erased(db: Database, person_id: str) -> bool:
    """Whether the person's record was erased on request (one `_id` lookup)."""
    found = await db.people.find_one({"_id": person_id}, projection=["erased"])
    return bool(found and found.get("erased"))


# The unique index on `email_key` holds one key per person: the canonical form of
# their address, or for someone without one a key of their own that no address
# has (an address has an "@"), so it holds on every engine without a partial index.
NO_EMAIL_PREFIX = "no e-mail "


def email_key(person: Person) -> str:
    """The key the unique index compares addresses on (datastore/canonical.py); never used to find anyone."""
    return canonical.email_key(person.email) if person.email else f"{NO_EMAIL_PREFIX}{person.id}"


def to_document(person: Person) -> dict:
    found = countries.country(person.country_code) if person.country_code else None
    return {
        "_id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        **searchable_name(person.name),
        "sort_name": _sort_name(person),
        "email": person.email,
        "email_key": email_key(person),
        "orcid": person.orcid,
        "country": person.country_code,
        "continent": found.continent.value if found else None,
        "affiliation_id": person.affiliation_id,
        "contact_visibility": person.contact_visibility.value,
        "individual_membership": memberships.individual_to_document(person.individual_membership),
        "communications": list(person.communications),
        "erased": person.erased,
        "pending_email": pending_email.to_document(person.pending_email),
        "version": person.version,
        "updated_at": person.updated_at,
        "updated_key": dates.instant_key(person.updated_at),
    }


def from_document(document: dict) -> Person:
    return Person(
        id=document["_id"],
        given_name=document["given_name"],
        family_name=document["family_name"],
        email=document.get("email"),
        orcid=document.get("orcid"),
        country_code=document.get("country"),
        affiliation_id=document.get("affiliation_id"),
        contact_visibility=ContactVisibility[document.get("contact_visibility") or ContactVisibility.MEMBERS.name],
        individual_membership=memberships.individual_from_document(document.get("individual_membership")),
        communications=tuple(document.get("communications") or ()),
        erased=bool(document.get("erased")),
        pending_email=pending_email.from_document(document.get("pending_email")),
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Person]:
    return [from_document(d) for d in await find_in(db.people, "_id", ids)]


async def by_affiliations(db: Database, organisation_ids: Iterable[str]) -> list[Person]:
    """Everyone affiliated with any of the organisations, in directory order."""
    documents = await find_in(db.people, "affiliation_id", organisation_ids, sort=list(SORT))
    return [from_document(d) for d in documents]


async def page(
    db: Database, where: PersonFilter, after: SortKey | None, limit: int, order: PersonOrder = PersonOrder.NAME_ASC
) -> list[Person]:
    documents = await read_page(db.people, where.to_query(), order.sort, after, limit)
    return [from_document(d) for d in documents]


async def stream(db: Database, where: PersonFilter) -> AsyncIterator[Person]:
    """Everyone matching `where`, in directory order, from one cursor read
    `STREAM_BATCH` documents at a time."""
    async with db.people.find(where.to_query(), sort=list(SORT), batch_size=STREAM_BATCH) as cursor:
        async for document in cursor:
            yield from_document(document)


async def count(db: Database, where: PersonFilter) -> int:
    return await count_matching(db.people, where.to_query())


async def individual_histories(db: Database) -> list[tuple[StatusChange, ...]]:
    """The individual-membership history of everyone who has one: one command."""
    cursor = db.people.find(
        {"individual_membership": {"$ne": None}},
        projection={"individual_membership.history": 1, "_id": 0},
        batch_size=WHOLE_RESULT,
    )
    return [
        memberships.history_from_documents(d["individual_membership"].get("history"), IndividualMembershipStatus)
        async for d in cursor
    ]


async def upsert(db: Database, people: Sequence[Person]) -> int:
    return await replace_many(db.people, [to_document(p) for p in people])


async def by_email(db: Database, email: str) -> Person | None:
    """The person with exactly this address (as a signed-in person's token gives it).

    Identity: an exact match on the stored address, never on its canonical key,
    so an account for 'аlice@x' (Cyrillic 'а') never finds 'alice@x'."""
    document = await db.people.find_one({"email": email})
    return from_document(document) if document else None


async def email_holder(db: Database, email: str) -> str | None:
    """The id of whoever holds an address the same as `email` on its canonical key (for uniqueness only)."""
    document = await db.people.find_one({"email_key": canonical.email_key(email)}, projection=["_id"])
    return document["_id"] if document else None
