"""Member organisations: filters, keyset pages and counts (the record: datastore.records.organisations)."""

from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from datastore import canonical, memberships
from datastore.client import Database
from datastore.documents import STREAM_BATCH, WHOLE_RESULT, count_matching, find_in, replace_many
from datastore.engines import aggregate, read_page
from datastore.keyset import SortKey, both
from datastore.records import dates
from datastore.records.memberships import UNDER_NOTICE, StatusChange
from datastore.records.organisations import Organisation, OrganisationOrder, StatDimension
from datastore.records.vocabulary import Continent, Designation, MembershipStatus, OrganisationKind, Sector
from datastore.text import reads_by_gram, search_condition, searchable_name

# Sort key of organisations with no review due: after every date, so reviews
# due soonest (the overdue ones) come first and those never due come last.
NO_REVIEW_DUE = "~"


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
    review_due_before: date | None = None
    updated_since: datetime | None = None
    # True: only those under a removal notice (UNDER_NOTICE with a notice on file); False: only the others.
    under_removal_notice: bool | None = None
    # Under a removal notice given on or before this day.
    removal_noticed_by: date | None = None

    @property
    def index(self) -> str | None:
        """The index to read the filter through: the one of the likely most
        selective field set. None for a search with a gram: the gram's
        condition, first in the filter, is read through its own index
        (datastore/text.py). Whether a read names it is the engine's
        (datastore/engines)."""
        if self.search and reads_by_gram(self.search):
            return None
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
        query: dict = search_condition(self.search) if self.search else {}  # first: see search_condition
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
        if self.review_due_before:
            # NO_REVIEW_DUE sorts after every date, so never-due records drop out.
            query["review_due_key"] = {"$lt": dates.to_text(self.review_due_before)}
        if self.updated_since:
            query["updated_key"] = {"$gte": dates.instant_key(self.updated_since, round_up=True)}
        return self._notice_conditions(query)

    def _notice_conditions(self, query: dict) -> dict:
        noticed = [s.value for s in UNDER_NOTICE]
        if self.under_removal_notice or self.removal_noticed_by:
            wanted = [s.value for s in self.statuses if s in UNDER_NOTICE] if self.statuses else noticed
            query["status"] = {"$in": wanted}
            query["removal_notice_on"] = (
                {"$lte": dates.to_text(self.removal_noticed_by)} if self.removal_noticed_by else {"$ne": None})
        if self.under_removal_notice is False:
            query["$or"] = [{"removal_notice_on": None}, {"status": {"$nin": noticed}}]
        return query


def order_key(order: OrganisationOrder, organisation: Organisation) -> SortKey:
    """The organisation's key in `order`: its stored values of the order's fields."""
    document = to_document(organisation)
    return tuple(document[name] for name, _ in order.sort)


def to_document(organisation: Organisation) -> dict:
    joined = dates.to_text(organisation.joined_on)
    review_due = dates.to_text(organisation.next_review_due)
    return {
        "_id": organisation.id,
        "slug": organisation.slug,
        "name": organisation.name,
        **searchable_name(organisation.name),
        # Unique: one organisation of a name per country (datastore/canonical.py).
        "name_key": canonical.organisation_name_key(organisation.country_code, organisation.name),
        "kind": organisation.kind.value,
        "sectors": [s.value for s in organisation.sectors],
        "designations": [d.value for d in organisation.designations],
        "country": organisation.country_code,
        "continent": organisation.continent.value,
        "city": organisation.city,
        "website": organisation.website,
        "ror_id": organisation.ror_id,
        "aliases": list(organisation.aliases),
        "acronyms": list(organisation.acronyms),
        "status": organisation.status.value,
        "joined_on": joined,
        "joined_key": joined or "",
        "last_reviewed_on": dates.to_text(organisation.last_reviewed_on),
        "next_review_due": review_due,
        "review_due_key": review_due or NO_REVIEW_DUE,
        "history": memberships.history_to_documents(organisation.history),
        "removal_notice_on": dates.to_text(organisation.removal_notice_on),
        "time_zone": organisation.time_zone_set,
        "version": organisation.version,
        "updated_at": organisation.updated_at,
        "updated_key": dates.instant_key(organisation.updated_at),
    }


def from_document(document: dict) -> Organisation:
    return Organisation(
        id=document["_id"],
        slug=document["slug"],
        name=document["name"],
        kind=OrganisationKind[document["kind"]],
        sectors=tuple(Sector[s] for s in document.get("sectors") or ()),
        designations=tuple(Designation[d] for d in document.get("designations") or ()),
        country_code=document["country"],
        city=document.get("city"),
        website=document.get("website"),
        ror_id=document.get("ror_id"),
        aliases=tuple(document.get("aliases") or ()),
        acronyms=tuple(document.get("acronyms") or ()),
        status=MembershipStatus[document["status"]],
        joined_on=dates.from_text(document.get("joined_on")),
        last_reviewed_on=dates.from_text(document.get("last_reviewed_on")),
        history=memberships.history_from_documents(document.get("history"), MembershipStatus),
        removal_notice_on=dates.from_text(document.get("removal_notice_on")),
        time_zone_set=document.get("time_zone"),
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Organisation]:
    return [from_document(d) for d in await find_in(db.organisations, "_id", ids)]


async def by_slug(db: Database, slug: str) -> Organisation | None:
    document = await db.organisations.find_one({"slug": slug})
    return from_document(document) if document else None


async def name_holder(db: Database, country_code: str, name: str) -> str | None:
    """The id of the organisation of this country whose name is the same as `name` on its folded form."""
    key = canonical.organisation_name_key(country_code, name)
    document = await db.organisations.find_one({"name_key": key}, projection=["_id"])
    return document["_id"] if document else None


async def page(
    db: Database,
    where: OrganisationFilter,
    order: OrganisationOrder,
    after: SortKey | None,
    limit: int,
) -> list[Organisation]:
    """Up to `limit` organisations matching `where`, in `order`, after `after`."""
    documents = await read_page(db.organisations, where.to_query(), order.sort, after, limit, index=where.index)
    return [from_document(d) for d in documents]


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
    query = where.to_query()
    if ids is not None:
        query = both(query, {"_id": {"$in": list(ids)}})
    return await count_matching(db.organisations, query, index=where.index)


# Organisations counted by the values of some fields: ({field: stored value}, organisations).
# Lists are whole values; a field an organisation lacks is absent.
Groups = list[tuple[dict, int]]


async def count_groups(db: Database, where: OrganisationFilter, fields: Iterable[str]) -> Groups:
    """Organisations matching `where`, counted by their combination of values of
    `fields`: one database command however many statistics read the groups.

    The database groups on the fields as stored, lists whole (some engines
    lose the other fields of a compound `_id` after an $unwind: datastore/engines);
    the statistics below spread the groups over their values. Histories differ
    for nearly every organisation, and an engine can group on them at about
    twice the cost of reading the documents (bench/dashboard.py), so with
    `history` among the fields each organisation is read as a group of its own.
    """
    wanted = sorted(set(fields))
    if "history" in wanted:
        projection = {name: 1 for name in wanted} | {"_id": 0}
        cursor = db.organisations.find(where.to_query(), projection=projection, batch_size=WHOLE_RESULT)
        return [(document, 1) for document in await cursor.to_list()]
    pipeline: list[dict] = [
        {"$match": where.to_query()},
        {"$group": {"_id": {name: f"${name}" for name in wanted}, "count": {"$sum": 1}}},
    ]
    found = await aggregate(db.organisations, pipeline, index=where.index)
    return [(group["_id"], group["count"]) for group in found]


def count_by(groups: Groups, dimension: StatDimension) -> list[tuple[str, int]]:
    """(value, organisations) for each value of `dimension`, most first. An
    organisation's list holds each value once, so it counts once per value."""
    counts: Counter[str] = Counter()
    for values, n in groups:
        for value in _values(values.get(dimension.value[0])):
            counts[value] += n
    return _most_first(counts)


def count_by_pair(groups: Groups, first: StatDimension, then: StatDimension) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(value, organisations, [(value of `then`, organisations with both)...])
    for each value of `first`, most first."""
    rows: Counter[str] = Counter()
    cells: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for values, n in groups:
        for row in _values(values.get(first.value[0])):
            rows[row] += n
            for column in _values(values.get(then.value[0])):
                cells[row][column] += n
    return [(row, n, _most_first(cells[row])) for row, n in _most_first(rows)]


def histories(groups: Groups) -> list[tuple[StatusChange, ...]]:
    """The membership histories in groups counted by `history`, one per organisation."""
    found = []
    for values, n in groups:
        history = memberships.history_from_documents(values.get("history"), MembershipStatus)
        found += [history] * n
    return found


def _values(stored: str | list | None) -> list[str]:
    if stored is None:
        return []
    return stored if isinstance(stored, list) else [stored]


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


async def upsert(db: Database, organisations: Sequence[Organisation]) -> int:
    return await replace_many(db.organisations, [to_document(o) for o in organisations])
