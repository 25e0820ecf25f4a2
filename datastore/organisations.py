"""Member organisations: records, filters, keyset pages and counts."""

from collections import Counter
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from itertools import product

from datastore import countries, dates, memberships
from datastore.client import Database
from datastore.documents import STREAM_BATCH, WHOLE_RESULT, find_in, replace_many
from datastore.keyset import Sort, SortKey, after_filter
from datastore.memberships import StatusChange
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
    history: tuple[StatusChange, ...] = ()
    removal_notice_on: date | None = None
    version: int = 1
    updated_at: datetime | None = None

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
        "history": memberships.history_to_documents(organisation.history),
        "removal_notice_on": dates.to_text(organisation.removal_notice_on),
        "version": organisation.version,
        "updated_at": organisation.updated_at,
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
        history=memberships.history_from_documents(document.get("history"), MembershipStatus),
        removal_notice_on=dates.from_text(document.get("removal_notice_on")),
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
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
    query = where.to_query()
    if after is not None:
        query = {"$and": [query, after_filter(order.sort, after)]}
    cursor = db.organisations.find(query, sort=list(order.sort), limit=limit, batch_size=limit)
    return [from_document(d) async for d in cursor]


async def stream(
    db: Database,
    where: OrganisationFilter,
    order: OrganisationOrder = OrganisationOrder.NAME_ASC,
    ids: Collection[str] | None = None,
) -> AsyncIterator[Organisation]:
    """Every organisation matching `where` (and among `ids`, when given), in
    `order`, from one cursor read `STREAM_BATCH` documents at a time."""
    query = where.to_query()
    if ids is not None:
        query = {"$and": [query, {"_id": {"$in": list(ids)}}]}
    # Closed on leaving, so a download cut short leaves no cursor open on the server.
    async with db.organisations.find(query, sort=list(order.sort), batch_size=STREAM_BATCH) as cursor:
        async for document in cursor:
            yield from_document(document)


async def count(db: Database, where: OrganisationFilter, ids: Collection[str] | None = None) -> int:
    if ids is not None:
        return await db.organisations.count_documents({"$and": [where.to_query(), {"_id": {"$in": list(ids)}}]})
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
    cursor = await db.organisations.aggregate(pipeline, batchSize=WHOLE_RESULT)
    return [(row["_id"], row["count"]) async for row in cursor if row["_id"] is not None]


async def count_by_pair(
    db: Database, by: StatDimension, then_by: StatDimension, where: OrganisationFilter
) -> list[tuple[str, str, int]]:
    """(value of `by`, value of `then_by`, organisations) for every pair that
    occurs, most first, from one aggregate. An organisation counts once in each
    cell it falls in, so along a list dimension (SECTOR, DESIGNATION) a row can
    sum to more than its organisations.

    Measured: FerretDB 1.24's $unwind keeps only `_id` and the unwound field, so
    the aggregate groups on the two fields as stored (lists whole) and the few
    distinct combinations are spread over their values here.
    """
    first, second = by.value[0], then_by.value[0]
    pipeline = [
        {"$match": where.to_query()},
        {"$group": {"_id": {"by": f"${first}", "then_by": f"${second}"}, "count": {"$sum": 1}}},
    ]
    cells: Counter[tuple[str, str]] = Counter()
    async for row in await db.organisations.aggregate(pipeline, batchSize=WHOLE_RESULT):
        for pair in product(_values(row["_id"].get("by")), _values(row["_id"].get("then_by"))):
            cells[pair] += row["count"]
    return [(a, b, n) for (a, b), n in sorted(cells.items(), key=lambda cell: (-cell[1], cell[0]))]


def _values(grouped: object) -> set[str]:
    """The distinct values of a grouped field: a list's items, or the one value."""
    if isinstance(grouped, list):
        return {v for v in grouped if isinstance(v, str)}
    return {grouped} if isinstance(grouped, str) else set()


async def upsert(db: Database, organisations: Sequence[Organisation]) -> int:
    return await replace_many(db.organisations, [to_document(o) for o in organisations])
