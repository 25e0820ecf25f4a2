"""People: lookups, filtered pages and their relationships."""

from datetime import date
from typing import Any

from datastore import people
from datastore.contacts import RoleContact
from datastore.organisations import Organisation
from datastore.people import Person, PersonFilter
from datastore.rosters import RosterEntry
from resolvers import arguments
from resolvers.context import Context
from resolvers.pagination import Page, PageRequest, page_from_query

DEFAULT_PAGE = 20
MAX_PAGE = 100


async def person(ctx: Context, id: str) -> Person | None:
    return await ctx.loaders.person.load(arguments.identifier(id, "id"))


def person_filter(given: Any | None, argument: str = "filter") -> PersonFilter:
    if given is None:
        return PersonFilter()
    affiliation = given.affiliation
    return PersonFilter(
        search=arguments.search_text(given.search, f"{argument}.search"),
        countries=arguments.country_codes(given.countries, f"{argument}.countries"),
        continents=arguments.values(given.continents, f"{argument}.continents"),
        affiliation_id=arguments.identifier(affiliation, f"{argument}.affiliation") if affiliation else None,
    )


async def people_page(ctx: Context, given: Any | None, first: int | None, after: str | None) -> Page[Person]:
    where = person_filter(given)
    request = PageRequest.of("people", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE, key_types=(str, str))
    return await page_from_query(
        request,
        fetch=lambda key, limit: people.page(ctx.db, where, key, limit),
        key_of=lambda p: p.sort_key,
        count=lambda: people.count(ctx.db, where),
    )


async def affiliation_of(ctx: Context, person: Person) -> Organisation | None:
    if person.affiliation_id is None:
        return None
    return await ctx.loaders.organisation.load(person.affiliation_id)


async def roles_of(ctx: Context, person_id: str) -> list[RoleContact]:
    return await ctx.loaders.contacts_of_person.load(person_id)


async def groups_of(ctx: Context, person_id: str, active_on: date | None) -> list[RosterEntry]:
    entries = await ctx.loaders.roster_of_person.load(person_id)
    return [e for e in entries if active_on is None or e.active_on(active_on)]
