"""Working groups and the like: lookups, hierarchy, chairs, rosters, organisations."""

from datetime import date, datetime
from typing import Any

from datastore import groups, rosters
from datastore.groups import GroupFilter
from datastore.records import dates
from datastore.records.groups import Group
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry, RosterOrder
from datastore.records.vocabulary import RosterRole
from datastore.rosters import RosterPage
from datastore.text import fold
from resolvers import arguments
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers.pagination import Page, PageRequest

DEFAULT_ROSTER_PAGE = 100
MAX_ROSTER_PAGE = 500
CHAIR_ROLES = (RosterRole.CHAIR, RosterRole.CO_CHAIR)


async def group(ctx: Context, id: str | None, slug: str | None) -> Group | None:
    if (id is None) == (slug is None):
        raise BadArgument("id", "give exactly one of 'id' or 'slug'")
    if id is not None:
        return await ctx.loaders.group.load(arguments.identifier(id, "id"))
    return await groups.by_slug(ctx.db, arguments.slug(slug or ""))


async def groups_matching(ctx: Context, given: Any | None) -> list[Group]:
    where = GroupFilter()
    if given is not None:
        where = GroupFilter(
            kinds=arguments.values(given.kinds, "filter.kinds"),
            active=given.active,
            search=arguments.search_text(given.search, "filter.search"),
        )
    return await groups.matching(ctx.db, where)


async def parent_of(ctx: Context, group: Group) -> Group | None:
    return await ctx.loaders.group.load(group.parent_id) if group.parent_id else None


async def children_of(ctx: Context, group_id: str) -> list[Group]:
    return await ctx.loaders.children_of_group.load(group_id)


async def _current(ctx: Context, group_id: str) -> list[RosterEntry]:
    return [e for e in await ctx.loaders.roster_of_group.load(group_id) if e.active_on(ctx.today)]


async def chairs_of(ctx: Context, group_id: str) -> list[Person]:
    chairs = [e.person_id for e in await _current(ctx, group_id) if e.role in CHAIR_ROLES]
    return [p for p in await ctx.loaders.person.load_many(chairs) if p]


async def roster_of(
    ctx: Context,
    group_id: str,
    roles: list[RosterRole] | None,
    active_on: date | None,
    first: int | None,
    after: str | None,
    updated_since: datetime | None = None,
    order: RosterOrder = RosterOrder.ROLE_ASC,
) -> Page[RosterEntry]:
    """A page of the group's roster (loaders.roster_page: read alone, or cut
    from the whole roster when the request reads that anyway)."""
    if order is RosterOrder.UPDATED_ASC:
        kind, key_types = f"roster-updated:{group_id}", (str, str)
    else:
        kind, key_types = f"roster:{group_id}", (int, str, str)
    request = PageRequest.of(kind, first, after, default=DEFAULT_ROSTER_PAGE, cap=MAX_ROSTER_PAGE, key_types=key_types)
    page = RosterPage(
        group_id,
        limit=request.first + 1,  # one more than shown tells whether there is a next page
        order=order,
        roles=frozenset(arguments.values(roles, "roles")),
        active_on=active_on,
        updated_since=dates.instant_key(updated_since, round_up=True) if updated_since else None,
        after=request.after,
    )
    entries, total = await ctx.loaders.roster_page.load(page)

    async def count() -> int:
        if total is not None:
            return total
        return await rosters.kept_count(ctx.db, ctx.loaders.generation, page)

    shown = entries[: request.first]
    return Page(shown, len(entries) > len(shown), count, lambda entry: request.cursor(page.key_of(entry)))


async def organisations_of(ctx: Context, group_id: str) -> list[Organisation]:
    """Organisations whose people currently serve on the group, by name."""
    members = await ctx.loaders.person.load_many([e.person_id for e in await _current(ctx, group_id)])
    affiliations = sorted({p.affiliation_id for p in members if p and p.affiliation_id})
    found = await ctx.loaders.organisation.load_many(affiliations)
    return sorted((o for o in found if o), key=lambda o: (fold(o.name), o.id))
