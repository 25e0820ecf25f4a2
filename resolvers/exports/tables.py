"""What each export holds: its columns, and its rows a chunk at a time.

Every export reads one sorted cursor (organisations, people or roster
tenures); for each chunk of STREAM_BATCH records the related records (people,
affiliations, role contacts) come in one command each, never one per row.
Rows are one per roster entry, per role contact, per organisation, per person,
per statistics cell.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from datastore import contacts, groups, organisations, people, rosters
from datastore.documents import STREAM_BATCH
from datastore.groups import GroupFilter
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.organisations import Organisation, StatDimension
from datastore.records.people import Person
from datastore.records.vocabulary import ContactRole, GroupKind
from resolvers import arguments
from resolvers import groups as group_resolvers
from resolvers import organisations as organisation_resolvers
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers.exports import labels
from resolvers.exports.contact_details import ContactDetails, Details
from resolvers.exports.parameters import ORGANISATION_FILTER, PERSON_FILTER, Given, Parameters

Cell = str | int | bool | date | tuple[str, ...] | None
Row = tuple[Cell, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the NDJSON field, named as GraphQL names it
    header: str  # the CSV and XLSX heading


@dataclass
class Table:
    name: str  # the file's name, without its extension
    title: str  # the worksheet's name
    columns: tuple[Column, ...]
    size: int  # rows it will hold (contacts: an upper estimate); what the export is charged
    chunks: AsyncIterator[list[Row]]


class NotFound(Exception):
    """A record the request names (a group's slug) does not exist."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


PERSON = (
    Column("name", "Name"),
    Column("givenName", "Given name"),
    Column("familyName", "Family name"),
    Column("email", "E-mail"),
    Column("orcid", "ORCID"),
)


async def chunked(records: AsyncIterator[T], size: int = STREAM_BATCH) -> AsyncIterator[list[T]]:
    chunk: list[T] = []
    async for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _person_cells(person: Person | None, details: dict[str, Details]) -> Row:
    if person is None:  # a tenure or contact whose person is gone: the row still says what it was
        return (None,) * len(PERSON)
    email, orcid = details[person.id]
    return (person.name, person.given_name, person.family_name, email, orcid)


async def _group_by_slug(ctx: Context, slug: str) -> Group:
    found = await groups.by_slug(ctx.db, arguments.slug(slug, "group"))
    if found is None:
        raise NotFound("group", f"No group with slug {slug!r}")
    return found


async def _people_and_affiliations(
    ctx: Context, details: ContactDetails, person_ids: list[str]
) -> tuple[dict[str, Person], dict[str, Organisation], dict[str, Details]]:
    found = {p.id: p for p in await people.by_ids(ctx.db, person_ids)}
    affiliated = {o.id: o for o in await organisations.by_ids(ctx.db, {p.affiliation_id for p in found.values() if p.affiliation_id})}
    return found, affiliated, await details.of(list(found.values()))


# --- rosters -----------------------------------------------------------------

ROSTER = (
    Column("group", "Group"),
    Column("groupKind", "Group kind"),
    Column("role", "Role"),
    Column("since", "Since"),
    Column("until", "Until"),
    Column("active", "Active"),
    *PERSON,
    Column("country", "Country"),
    Column("affiliation", "Affiliation"),
    Column("personId", "Person ID"),
)


async def roster(ctx: Context, given: Given, group_slug: str | None = None) -> Table:
    """One group's roster (by slug), or the rosters of every group of some kinds."""
    params = Parameters(given, ("activeOn",) if group_slug is not None else ("kinds", "activeOn"))
    active_on = params.day("activeOn")
    if group_slug is not None:
        chosen = [await _group_by_slug(ctx, group_slug)]
        name = f"roster-{chosen[0].slug}"
    else:
        kinds = params.enums("kinds", GroupKind)
        chosen = await groups.matching(ctx.db, GroupFilter(kinds=kinds))
        name = "-".join(["roster", *(k.value.lower().replace("_", "-") for k in kinds)])
    by_id = {g.id: g for g in chosen}
    details = await ContactDetails.for_viewer(ctx.db, ctx.viewer)

    async def chunks() -> AsyncIterator[list[Row]]:
        async for entries in chunked(rosters.stream(ctx.db, list(by_id), active_on)):
            found, affiliated, shown = await _people_and_affiliations(ctx, details, [e.person_id for e in entries])
            rows = []
            for entry in entries:
                group, person = by_id[entry.group_id], found.get(entry.person_id)
                affiliation = affiliated.get(person.affiliation_id) if person and person.affiliation_id else None
                rows.append((
                    group.name, labels.word(group.kind), labels.word(entry.role), entry.since, entry.until,
                    entry.active_on(ctx.today), *_person_cells(person, shown),
                    labels.country_name(person.country_code) if person else None,
                    affiliation.name if affiliation else None, entry.person_id,
                ))
            yield rows

    size = await rosters.count(ctx.db, list(by_id), active_on)
    return Table(name, "Roster", ROSTER, size, chunks())


# --- role contacts -----------------------------------------------------------

CONTACTS = (
    Column("organisation", "Organisation"),
    Column("country", "Country"),
    Column("status", "Membership status"),
    Column("role", "Role"),
    Column("workingGroup", "Working group"),
    *PERSON,
    Column("organisationId", "Organisation ID"),
    Column("personId", "Person ID"),
)


async def role_contacts(ctx: Context, given: Given) -> Table:
    """Role contacts of the organisations matching the filter, organisation by
    organisation (by name), Primary first. With `group`: of the organisations
    whose people serve on that group, and its communications contacts only."""
    params = Parameters(given, ("roles", "group", *ORGANISATION_FILTER))
    roles = params.enums("roles", ContactRole) or tuple(ContactRole)
    where = params.organisation_filter()
    group_slug = params.text("group")
    group = await _group_by_slug(ctx, group_slug) if group_slug is not None else None
    among = None
    if group is not None:
        among = [o.id for o in await group_resolvers.organisations_of(ctx, group.id)]
    every_group = {g.id: g for g in await groups.matching(ctx.db, GroupFilter())}  # tens, not thousands
    details = await ContactDetails.for_viewer(ctx.db, ctx.viewer)

    def wanted(contact: RoleContact) -> bool:
        if contact.role not in roles:
            return False
        return group is None or contact.role is not ContactRole.COMMUNICATIONS or contact.group_id == group.id

    async def chunks() -> AsyncIterator[list[Row]]:
        async for chunk in chunked(organisations.stream(ctx.db, where, ids=among)):
            held = [c for c in await contacts.by_organisations(ctx.db, [o.id for o in chunk]) if wanted(c)]
            found = {p.id: p for p in await people.by_ids(ctx.db, {c.person_id for c in held})}
            shown = await details.of(list(found.values()))
            by_organisation: dict[str, list[RoleContact]] = {}
            for contact in held:
                by_organisation.setdefault(contact.organisation_id, []).append(contact)
            rows = []
            for organisation in chunk:
                for contact in by_organisation.get(organisation.id, ()):
                    group_of = every_group.get(contact.group_id) if contact.group_id else None
                    rows.append((
                        organisation.name, labels.country_name(organisation.country_code),
                        labels.word(organisation.status), labels.word(contact.role),
                        group_of.name if group_of else None, *_person_cells(found.get(contact.person_id), shown),
                        organisation.id, contact.person_id,
                    ))
            yield rows

    # Charged as Primary, Administrator, Signer and a communications contact per organisation.
    size = await organisations.count(ctx.db, where, among) * len(roles)
    return Table("contacts", "Contacts", CONTACTS, size, chunks())


# --- organisations -----------------------------------------------------------

ORGANISATIONS = (
    Column("id", "ID"),
    Column("slug", "Slug"),
    Column("name", "Name"),
    Column("kind", "Kind"),
    Column("sectors", "Sectors"),
    Column("designations", "Designations"),
    Column("country", "Country"),
    Column("countryCode", "Country code"),
    Column("continent", "Continent"),
    Column("city", "City"),
    Column("website", "Website"),
    Column("rorId", "ROR ID"),
    Column("status", "Membership status"),
    Column("joinedOn", "Joined on"),
    Column("lastReviewedOn", "Last reviewed on"),
    Column("nextReviewDue", "Next review due"),
)


def _organisation_row(o: Organisation) -> Row:
    return (
        o.id, o.slug, o.name, labels.word(o.kind), labels.words(o.sectors), labels.words(o.designations),
        labels.country_name(o.country_code), o.country_code, labels.word(o.continent), o.city, o.website,
        o.ror_id, labels.word(o.status), o.joined_on, o.last_reviewed_on, o.next_review_due,
    )


async def organisation_list(ctx: Context, given: Given) -> Table:
    where = Parameters(given, ORGANISATION_FILTER).organisation_filter()

    async def chunks() -> AsyncIterator[list[Row]]:
        async for chunk in chunked(organisations.stream(ctx.db, where)):
            yield [_organisation_row(o) for o in chunk]

    return Table("organisations", "Organisations", ORGANISATIONS, await organisations.count(ctx.db, where), chunks())


# --- people ------------------------------------------------------------------

PEOPLE = (
    Column("id", "ID"),
    *PERSON,
    Column("country", "Country"),
    Column("countryCode", "Country code"),
    Column("affiliation", "Affiliation"),
    Column("affiliationId", "Affiliation ID"),
)


async def people_list(ctx: Context, given: Given) -> Table:
    where = Parameters(given, PERSON_FILTER).person_filter()
    details = await ContactDetails.for_viewer(ctx.db, ctx.viewer)

    async def chunks() -> AsyncIterator[list[Row]]:
        async for chunk in chunked(people.stream(ctx.db, where)):
            affiliated = {o.id: o for o in await organisations.by_ids(ctx.db, {p.affiliation_id for p in chunk if p.affiliation_id})}
            shown = await details.of(chunk)
            rows = []
            for person in chunk:
                affiliation = affiliated.get(person.affiliation_id) if person.affiliation_id else None
                rows.append((
                    person.id, *_person_cells(person, shown), labels.country_name(person.country_code),
                    person.country_code, affiliation.name if affiliation else None, person.affiliation_id,
                ))
            yield rows

    return Table("people", "People", PEOPLE, await people.count(ctx.db, where), chunks())


# --- statistics --------------------------------------------------------------


async def statistics(ctx: Context, given: Given) -> Table:
    """Organisations by one dimension (as membershipStats), or by a pair: one row a cell."""
    params = Parameters(given, ("by", "thenBy", *ORGANISATION_FILTER))
    by = params.enum("by", StatDimension)
    if by is None:
        raise BadArgument("by", f"required: one of {', '.join(StatDimension.__members__)}")
    then_by = params.enum("thenBy", StatDimension)
    if then_by is by:
        raise BadArgument("thenBy", "must differ from 'by'")
    params.organisation_filter()  # checked first, so a refusal names the query parameter
    first = (Column("label", labels.heading(by)), Column("key", f"{labels.heading(by)} code"))
    count = (Column("count", "Organisations"),)
    name = "-".join(["stats", by.name.lower(), *([then_by.name.lower()] if then_by else [])])
    if then_by is None:
        # The filter is checked above, so a refusal names the query parameter.
        buckets = await organisation_resolvers.membership_stats(ctx, by, params.organisation_input())
        rows: list[Row] = [(b.label, b.key, b.count) for b in buckets]
        columns = (*first, *count)
    else:
        # The cross-tab as membershipStats(thenBy:) gives it, one row a cell.
        buckets = await organisation_resolvers.membership_stats(ctx, by, params.organisation_input(), then_by)
        cells = [(b.key, c.key, c.count) for b in buckets for c in b.breakdown or ()]
        rows = sorted(
            ((labels.stat_label(by, a), a, labels.stat_label(then_by, b), b, n) for a, b, n in cells),
            key=lambda row: (row[0], -row[4], row[2]),
        )
        second = (Column("thenLabel", labels.heading(then_by)), Column("thenKey", f"{labels.heading(then_by)} code"))
        columns = (*first, *second, *count)

    async def chunks() -> AsyncIterator[list[Row]]:
        yield rows

    return Table(name, "Statistics", columns, len(rows), chunks())


EXPORTS: dict[str, Callable[[Context, Given], Awaitable[Table]]] = {
    "roster": roster,
    "contacts": role_contacts,
    "organisations": organisation_list,
    "people": people_list,
    "stats": statistics,
}
