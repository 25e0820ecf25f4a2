"""Individual members: records, filters and keyset pages."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datastore import countries
from datastore.client import Database
from datastore.documents import find_in, replace_many
from datastore.keyset import Sort, SortKey, find_page
from datastore.text import contains_folded, fold
from datastore.vocabulary import Continent, ContactVisibility

# Family name first, as a printed directory lists people.
SORT: Sort = (("sort_name", 1), ("_id", 1))


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    given_name: str
    family_name: str
    email: str | None = None
    orcid: str | None = None
    country_code: str | None = None
    affiliation_id: str | None = None
    contact_visibility: ContactVisibility = ContactVisibility.MEMBERS

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def sort_key(self) -> SortKey:
        return (_sort_name(self), self.id)


@dataclass(frozen=True, slots=True)
class PersonFilter:
    search: str | None = None
    countries: tuple[str, ...] = ()
    continents: tuple[Continent, ...] = ()
    affiliation_id: str | None = None

    def to_query(self) -> dict:
        query: dict = {}
        if self.search:
            query["name_folded"] = contains_folded(self.search)
        if self.countries:
            query["country"] = {"$in": list(self.countries)}
        if self.continents:
            query["continent"] = {"$in": [c.value for c in self.continents]}
        if self.affiliation_id:
            query["affiliation_id"] = self.affiliation_id
        return query


def _sort_name(person: Person) -> str:
    return fold(f"{person.family_name} {person.given_name}")


def to_document(person: Person) -> dict:
    found = countries.country(person.country_code) if person.country_code else None
    return {
        "_id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_folded": fold(person.name),
        "sort_name": _sort_name(person),
        "email": person.email,
        "orcid": person.orcid,
        "country": person.country_code,
        "continent": found.continent.value if found else None,
        "affiliation_id": person.affiliation_id,
        "contact_visibility": person.contact_visibility.value,
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
        contact_visibility=ContactVisibility(
            document.get("contact_visibility") or ContactVisibility.MEMBERS.value
        ),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Person]:
    return [from_document(d) for d in await find_in(db.people, "_id", ids)]


async def by_affiliations(db: Database, organisation_ids: Iterable[str]) -> list[Person]:
    """Everyone affiliated with any of the organisations, in directory order."""
    documents = await find_in(db.people, "affiliation_id", organisation_ids, sort=list(SORT))
    return [from_document(d) for d in documents]


async def page(
    db: Database, where: PersonFilter, after: SortKey | None, limit: int
) -> list[Person]:
    documents = await find_page(db.people, where.to_query(), SORT, after, limit)
    return [from_document(d) for d in documents]


async def count(db: Database, where: PersonFilter) -> int:
    return await db.people.count_documents(where.to_query())


async def upsert(db: Database, people: Sequence[Person]) -> int:
    return await replace_many(db.people, [to_document(p) for p in people])


async def by_email(db: Database, email: str) -> Person | None:
    """The person with exactly this address (as a signed-in person's token gives it)."""
    document = await db.people.find_one({"email": email})
    return from_document(document) if document else None
