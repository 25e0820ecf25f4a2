"""Organisations: lookups, filtered pages, statistics and their relationships."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from datastore import organisations, people
from datastore.organisations import OrganisationFilter
from datastore.records import countries
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.memberships import UNDER_NOTICE
from datastore.records.organisations import Organisation, OrganisationOrder, StatDimension
from datastore.records.people import Person
from datastore.records.vocabulary import ContactRole, label
from datastore.text import fold
from resolvers import arguments
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers import privacy, relations
from resolvers.privacy import ORGANISATION
from resolvers.pagination import Page, PageRequest, page_from_list, page_from_query

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class StatBucket:
    key: str
    label: str
    count: int
    # Counts by the second dimension among this bucket's organisations (with thenBy).
    breakdown: list["StatBucket"] | None = None


async def organisation(ctx: Context, id: str | None, slug: str | None) -> Organisation | None:
    if (id is None) == (slug is None):
        raise BadArgument("id", "give exactly one of 'id' or 'slug'")
    if id is not None:
        return await ctx.loaders.organisation.load(arguments.identifier(id, "id"))
    return await organisations.by_slug(ctx.db, arguments.slug(slug or ""))


def _notice_filter(given: Any, argument: str, ctx: Context | None) -> dict:
    """The removal-notice conditions: only for those who see every organisation's notices (staff), since a
    filter on a value tells as much as the value; `removableBy` in days of notice (the notice period)."""
    under, removable_by = getattr(given, "under_removal_notice", None), getattr(given, "removable_by", None)
    if under is None and removable_by is None:
        return {}
    name = f"{argument}.{'underRemovalNotice' if under is not None else 'removableBy'}"
    if ctx is None or not privacy.sees_field(ORGANISATION, "membership.removalNoticeOn", privacy.relations(ctx.viewer.role)):
        raise BadArgument(name, "staff only: removal notices are not shown to you")
    if under is False and removable_by is not None:
        raise BadArgument(f"{argument}.removableBy", "asks for organisations under a removal notice; "
                                                     "underRemovalNotice is false")
    noticed_by = removable_by - timedelta(days=ctx.removal_notice_days) if removable_by else None
    return {"under_removal_notice": under, "removal_noticed_by": noticed_by}


def removable_from(ctx: Context, organisation: Organisation) -> date | None:
    """The first day a membership under a removal notice may be removed: the notice and the notice period
    (settings.removal_notice_days). None without a notice that stands."""
    if organisation.removal_notice_on is None or organisation.status not in UNDER_NOTICE:
        return None
    return organisation.removal_notice_on + timedelta(days=ctx.removal_notice_days)


def organisation_filter(given: Any | None, argument: str = "filter", ctx: Context | None = None) -> OrganisationFilter:
    """The datastore filter for a GraphQL OrganisationFilter input, checked. Without `ctx` (exports,
    statistics), the removal-notice conditions are refused."""
    if given is None:
        return OrganisationFilter()
    if given.joined_after and given.joined_before and given.joined_after >= given.joined_before:
        raise BadArgument(f"{argument}.joinedAfter", "must be before joinedBefore")
    return OrganisationFilter(
        search=arguments.search_text(given.search, f"{argument}.search"),
        countries=arguments.country_codes(given.countries, f"{argument}.countries"),
        continents=arguments.values(given.continents, f"{argument}.continents"),
        sectors=arguments.values(given.sectors, f"{argument}.sectors"),
        kinds=arguments.values(given.kinds, f"{argument}.kinds"),
        designations=arguments.values(given.designations, f"{argument}.designations"),
        statuses=arguments.values(given.statuses, f"{argument}.statuses"),
        joined_after=given.joined_after,
        joined_before=given.joined_before,
        review_due_before=given.review_due_before,
        updated_since=given.updated_since,
        **_notice_filter(given, argument, ctx),
    )


async def organisations_page(
    ctx: Context, given: Any | None, order: OrganisationOrder, first: int | None, after: str | None,
    count_too: bool = False,
) -> Page[Organisation]:
    where = organisation_filter(given, ctx=ctx)
    request = PageRequest.of(
        f"organisations:{order.name}", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE, key_types=(str, str)
    )
    return await page_from_query(
        request,
        fetch=lambda key, limit: organisations.page(ctx.db, where, order, key, limit),
        key_of=partial(organisations.order_key, order),
        # Kept while the organisations stay as they are (datastore.generations).
        count=partial(ctx.loaders.generation.answer, ["organisations"], ("organisations", where),
                      partial(organisations.count, ctx.db, where)),
        count_too=count_too,
    )


async def membership_stats(
    ctx: Context, by: StatDimension, given: Any | None, then_by: StatDimension | None = None
) -> list[StatBucket]:
    """Counts by `by`; with `then_by`, each bucket broken down by it (a cross-tab).
    Every count equals organisations(filter plus the bucket's keys).totalCount.
    One database command, shared with the other statistics of the request
    that have the same filter (resolvers/loaders.py). The buckets are kept for
    the generation of the data: a dashboard asks for the same ones again and again."""
    where = organisation_filter(given)
    if then_by is by:
        raise BadArgument("thenBy", f"must be another dimension than 'by' ({by.name})")
    return await ctx.loaders.generation.answer(
        ["organisations"], ("membership stats", where, by, then_by), partial(_membership_stats, ctx, where, by, then_by)
    )


async def _membership_stats(
    ctx: Context, where: OrganisationFilter, by: StatDimension, then_by: StatDimension | None
) -> list[StatBucket]:
    dimensions = (by,) if then_by is None else (by, then_by)
    groups = await ctx.loaders.organisation_groups.load((where, tuple(d.value[0] for d in dimensions)))
    if then_by is None:
        return [StatBucket(key, _label(by, key), n) for key, n in organisations.count_by(groups, by)]
    return [
        StatBucket(key, _label(by, key), n, [StatBucket(k, _label(then_by, k), m) for k, m in cells])
        for key, n, cells in organisations.count_by_pair(groups, by, then_by)
    ]


def _label(dimension: StatDimension, key: str) -> str:
    if dimension is StatDimension.COUNTRY:
        found = countries.country(key)
        return found.name if found else key
    return label(key)


async def history_reason(ctx: Context, entry: tuple[str, Any]) -> str | None:
    """A membership change's reason: for staff and the organisation's Primary and Administrator."""
    organisation_id, change = entry
    held = await relations.to_organisation(ctx, organisation_id)
    return change.reason if privacy.sees_field(ORGANISATION, "membership.history.reason", held) else None


async def removal_notice_on(ctx: Context, organisation: Organisation) -> date | None:
    """When the Primary was notified of removal: for staff and the organisation's Primary and Administrator."""
    if organisation.removal_notice_on is None:
        return None
    held = await relations.to_organisation(ctx, organisation.id)
    return organisation.removal_notice_on if privacy.sees_field(ORGANISATION, "membership.removalNoticeOn", held) else None


async def removable_from_seen(ctx: Context, organisation: Organisation) -> date | None:
    """removable_from, for those who see the notice (membership.removalNoticeOn's rule)."""
    if await removal_notice_on(ctx, organisation) is None:
        return None
    return removable_from(ctx, organisation)


async def contacts_of(
    ctx: Context, organisation_ids: Sequence[str], roles: list[ContactRole] | None
) -> list[list[RoleContact]]:
    """Each organisation's role contacts, Primary first (with `roles`, only those)."""
    contacts = await ctx.loaders.contacts_of_organisation.load_many(organisation_ids)
    if not roles:
        return contacts
    wanted = set(roles)
    return [[c for c in found if c.role in wanted] for found in contacts]


async def people_of(ctx: Context, organisation_id: str, first: int | None, after: str | None) -> Page[Person]:
    request = PageRequest.of(
        f"people-of:{organisation_id}", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE, key_types=(str, str)
    )
    return page_from_list(request, await ctx.loaders.people_of_organisation.load(organisation_id),
                          key_of=people.sort_key)


async def working_groups_of(ctx: Context, organisation_id: str) -> list[Group]:
    """Groups on which someone affiliated with the organisation currently serves."""
    members = await ctx.loaders.people_of_organisation.load(organisation_id)
    tenures = await ctx.loaders.roster_of_person.load_many([p.id for p in members])
    group_ids = {e.group_id for entries in tenures for e in entries if e.active_on(ctx.today)}
    found = await ctx.loaders.group.load_many(sorted(group_ids))
    return sorted((g for g in found if g), key=lambda g: (fold(g.name), g.id))

