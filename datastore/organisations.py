"""Member organisations: records, filters, keyset pages and counts."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from datastore import countries, dates
from datastore.client import Database
from datastore.documents import WHOLE_RESULT, find_in, replace_many
from datastore.keyset import Sort, SortKey, find_page
from datastore.text import contains_folded, fold
from datastore.vocabulary import (
    Continent,
    Designation,
    MembershipStatus,
    OrganisationKind,
    Sector,
)

REVIEW_INTERVAL_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    slug: str
    name: str
    kind: OrganisationKind
    country_code: str
    status: MembershipStatus
    sectors: tuple[Sector, ...] = ()
    designations: tuple[Designation, ...] = ()
    city: str | None = None
    website: str | None = None
    ror_id: str | None = None
    joined_on: date | None = None
    last_reviewed_on: date | None = None

    @property
    def continent(self) -> Continent:
        found = countries.country(self.country_code)
        assert found is not None, f"{self.id} has unknown country {self.country_code}"
        return found.continent

    @property
    def next_review_due(self) -> date | None:
        """Ongoing membership is reviewed every 12 months."""
        if self.status not in (MembershipStatus.ACTIVE, MembershipStatus.LAPSED):
            return None
        reviewed = self.last_reviewed_on or self.joined_on
        return dates.add_months(reviewed, REVIEW_INTERVAL_MONTHS) if reviewed else None


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    """Conditions combine with AND; the values inside one tuple with OR."""

    search: str | None = None
    countries: tuple[str, ...] = ()
    continents: tuple[Continent, ...] = ()
    sectors: tuple[Sector, ...] = ()
    kinds: tuple[OrganisationKind, ...] = ()
    designations: tuple[Designation, ...] = ()
    statuses: tuple[MembershipStatus, ...] = ()
    joined_after: date | None = None
    joined_before: date | None = None

    @property
    def index(self) -> str | None:
        """The index to read through when two or more conditions are set: the
        one of the likely most selective field. SecantusDB uses no index at
        all for a filter on several fields unless told which (FerretDB ignores
        the hint; MongoDB takes it)."""
        for values, index in (
            (self.countries, "by_country"),
            (self.designations, "by_designation"),
            (self.kinds, "by_kind"),
            (self.sectors, "by_sector"),
            (self.continents, "by_continent"),
            (self.statuses, "by_status"),
        ):
            if values:
                return index
        return None

    def to_query(self) -> dict:
        query: dict = {}
        if self.search:
            query["name_folded"] = contains_folded(self.search)
        for name, values in (
            ("country", self.countries),
            ("continent", [v.value for v in self.continents]),
            ("sectors", [v.value for v in self.sectors]),
            ("kind", [v.value for v in self.kinds]),
            ("designations", [v.value for v in self.designations]),
            ("status", [v.value for v in self.statuses]),
        ):
            if values:
                query[name] = {"$in": list(values)}
        joined: dict = {}
        if self.joined_after:
            joined["$gt"] = dates.to_text(self.joined_after)
        if self.joined_before:
            joined["$lt"] = dates.to_text(self.joined_before)
        if joined:
            query["joined_on"] = joined
        return query


class OrganisationOrder(Enum):
    NAME_ASC = (("name_folded", 1), ("_id", 1))
    NAME_DESC = (("name_folded", -1), ("_id", -1))
    # Organisations that have not joined yet sort as the empty string: first
    # when ascending, last when descending.
    JOINED_ASC = (("joined_key", 1), ("_id", 1))
    JOINED_DESC = (("joined_key", -1), ("_id", -1))

    @property
    def sort(self) -> Sort:
        return self.value

    def key_of(self, organisation: Organisation) -> SortKey:
        document = to_document(organisation)
        return tuple(document[name] for name, _ in self.sort)


class StatDimension(Enum):
    """What membership statistics can be grouped by: (field, is_a_list)."""

    COUNTRY = ("country", False)
    CONTINENT = ("continent", False)
    SECTOR = ("sectors", True)
    KIND = ("kind", False)
    DESIGNATION = ("designations", True)
    STATUS = ("status", False)


def to_document(organisation: Organisation) -> dict:
    joined = dates.to_text(organisation.joined_on)
    return {
        "_id": organisation.id,
        "slug": organisation.slug,
        "name": organisation.name,
        "name_folded": fold(organisation.name),
        "kind": organisation.kind.value,
        "sectors": [s.value for s in organisation.sectors],
        "designations": [d.value for d in organisation.designations],
        "country": organisation.country_code,
        "continent": organisation.continent.value,
        "city": organisation.city,
        "website": organisation.website,
        "ror_id": organisation.ror_id,
        "status": organisation.status.value,
        "joined_on": joined,
        "joined_key": joined or "",
        "last_reviewed_on": dates.to_text(organisation.last_reviewed_on),
    }


def from_document(document: dict) -> Organisation:
    return Organisation(
        id=document["_id"],
        slug=document["slug"],
        name=document["name"],
        kind=OrganisationKind(document["kind"]),
        sectors=tuple(Sector(s) for s in document.get("sectors") or ()),
        designations=tuple(Designation(d) for d in document.get("designations") or ()),
        country_code=document["country"],
        city=document.get("city"),
        website=document.get("website"),
        ror_id=document.get("ror_id"),
        status=MembershipStatus(document["status"]),
        joined_on=dates.from_text(document.get("joined_on")),
        last_reviewed_on=dates.from_text(document.get("last_reviewed_on")),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Organisation]:
    return [from_document(d) for d in await find_in(db.organisations, "_id", ids)]


async def by_slug(db: Database, slug: str) -> Organisation | None:
    document = await db.organisations.find_one({"slug": slug})
    return from_document(document) if document else None


async def page(
    db: Database,
    where: OrganisationFilter,
    order: OrganisationOrder,
    after: SortKey | None,
    limit: int,
) -> list[Organisation]:
    """Up to `limit` organisations matching `where`, in `order`, after `after`."""
    documents = await find_page(db.organisations, where.to_query(), order.sort, after, limit, where.index)
    return [from_document(d) for d in documents]


async def count(db: Database, where: OrganisationFilter) -> int:
    if where.index:
        return await db.organisations.count_documents(where.to_query(), hint=where.index)
    return await db.organisations.count_documents(where.to_query())


async def count_by(
    db: Database, dimension: StatDimension, where: OrganisationFilter
) -> list[tuple[str, int]]:
    """(value, organisations) for each value of `dimension`, most first."""
    name, is_list = dimension.value
    pipeline: list[dict] = [{"$match": where.to_query()}]
    if is_list:
        pipeline.append({"$unwind": f"${name}"})
    pipeline += [
        {"$group": {"_id": f"${name}", "count": {"$sum": 1}}},
        {"$sort": {"count": -1, "_id": 1}},
    ]
    hinted = {"hint": where.index} if where.index else {}
    cursor = await db.organisations.aggregate(pipeline, batchSize=WHOLE_RESULT, **hinted)
    return [(row["_id"], row["count"]) async for row in cursor if row["_id"] is not None]


async def upsert(db: Database, organisations: Sequence[Organisation]) -> int:
    return await replace_many(db.organisations, [to_document(o) for o in organisations])
