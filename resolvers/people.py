"""People: lookups, filtered pages and their relationships."""

import dataclasses
from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

from datastore import people
from datastore.people import PersonFilter
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.memberships import AgreementVersions, StatusChange
from datastore.records.organisations import Organisation
from datastore.records.people import Person, PersonOrder
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import ContactRole, ContactVisibility
from datastore.text import fold
from resolvers import arguments
from resolvers.context import Context
from resolvers.pagination import Page, PageRequest, page_from_query
from resolvers import privacy, relations
from resolvers.privacy import PERSON, ContactField, Part, Relation, ViewerClass

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
        updated_since=given.updated_since,
        individual_statuses=arguments.values(getattr(given, "individual_membership_statuses", None),
                                             f"{argument}.individualMembershipStatuses"),
    )


async def people_page(
    ctx: Context, given: Any | None, first: int | None, after: str | None, order: PersonOrder = PersonOrder.NAME_ASC,
    count_too: bool = False,
) -> Page[Person]:
    where = person_filter(given)
    # The name order keeps its original cursor tag, so cursors handed out before stay valid.
    kind = "people" if order is PersonOrder.NAME_ASC else f"people:{order.name}"
    request = PageRequest.of(kind, first, after, default=DEFAULT_PAGE, cap=MAX_PAGE, key_types=(str, str))
    return await page_from_query(
        request,
        fetch=lambda key, limit: people.page(ctx.db, where, key, limit, order),
        key_of=partial(people.order_key, order),
        # Kept while the people stay as they are (datastore.generations).
        count=partial(ctx.loaders.generation.answer, ["people"], ("people", where), partial(people.count, ctx.db, where)),
        count_too=count_too,
    )


async def affiliations_of(ctx: Context, people: Sequence[Person]) -> list[Organisation | None]:
    wanted = [p.affiliation_id for p in people if p.affiliation_id is not None]
    found = iter(await ctx.loaders.organisation.load_many(wanted))
    return [None if p.affiliation_id is None else next(found) for p in people]


async def roles_of(ctx: Context, person_id: str) -> list[RoleContact]:
    return await ctx.loaders.contacts_of_person.load(person_id)


async def groups_of(ctx: Context, person_ids: Sequence[str], active_on: date | None) -> list[list[RosterEntry]]:
    """Each person's tenures (held on `active_on`, when given)."""
    tenures = await ctx.loaders.roster_of_person.load_many(person_ids)
    if active_on is None:
        return tenures
    return [[e for e in entries if e.active_on(active_on)] for entries in tenures]


async def contact_detail(ctx: Context, person: Person, field: ContactField) -> str | None:
    """The field's value if the viewer may see it (resolvers.privacy), else None.
    Decided from the person's own choice and who the viewer is, nothing else:
    no role contact widens it, so no lookup is needed."""
    value = _on_file(person, field)
    if value is None:
        return None
    held = relations.to_person(ctx, person.id)
    return value if privacy.sees_field(PERSON, field.value, held, person.contact_visibility) else None


async def hidden_contact_details(ctx: Context, person: Person) -> list[ContactField]:
    """The details the person has on file that the viewer may not see: which,
    never their values. Asked through contact_detail, so it is the same rule."""
    return [
        field
        for field in ContactField
        if _on_file(person, field) is not None and await contact_detail(ctx, person, field) is None
    ]


def _on_file(person: Person, field: ContactField) -> str | None:
    return person.email if field is ContactField.EMAIL else person.orcid


def contact_visibility(ctx: Context, person: Person) -> ContactVisibility | None:
    """The person's choice, for the person themself and staff; None for everyone else."""
    held = relations.to_person(ctx, person.id)
    return person.contact_visibility if privacy.sees_field(PERSON, "contactVisibility", held) else None


def membership_reason(ctx: Context, person: Person, change: StatusChange) -> str | None:
    held = relations.to_person(ctx, person.id)
    return change.reason if privacy.sees_field(PERSON, "individualMembership.history.reason", held) else None


def accepted_agreements(ctx: Context, person: Person, change: StatusChange) -> AgreementVersions | None:
    held = relations.to_person(ctx, person.id)
    seen = privacy.sees_field(PERSON, "individualMembership.history.acceptedAgreements", held)
    return change.accepted_agreements if seen else None


def _by_name(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (fold(g.name), g.id))


async def communications_of(ctx: Context, person: Person) -> list[Group]:
    """Groups whose updates the person receives: their own subscriptions and the
    COMMUNICATIONS assignments their organisation made for them, by name; as much
    of it as the viewer may see (resolvers.privacy): the whole for the person and
    staff, the assignments their organisation made for its Primary and
    Administrator, nothing for anyone else."""
    held = relations.to_person(ctx, person.id)
    whole = privacy.sees_field(PERSON, "communications", held)
    managed = frozenset() if whole else await relations.managed_ids(ctx)
    if managed:
        held = held | {Relation.MANAGER}
    if not whole and privacy.part_seen(PERSON, "communications", held) is not Part.ASSIGNMENTS:
        return []
    assignments = [
        c for c in relations.current_contacts(person, await ctx.loaders.contacts_of_person.load(person.id))
        if c.role is ContactRole.COMMUNICATIONS and c.group_id and (whole or c.organisation_id in managed)
    ]
    wanted = [*(person.communications if whole else ()), *(c.group_id for c in assignments)]
    found = [g for g in await ctx.loaders.group.load_many(list(dict.fromkeys(wanted))) if g]
    return _by_name(found)


async def subscriptions_of(ctx: Context, person: Person) -> list[Group] | None:
    """The person's own subscriptions (setCommunications), by name, apart from their organisation's
    assignments: the person and staff only (resolvers.privacy); None for anyone else."""
    if not privacy.sees_field(PERSON, "subscriptions", relations.to_person(ctx, person.id)):
        return None
    found = [g for g in await ctx.loaders.group.load_many(list(person.communications)) if g]
    return _by_name(found)


def visible_as(ctx: Context, person: Person, kind: ViewerClass) -> Context | None:
    """The context to resolve the person's fields in for a preview as `kind` (same
    request, same loaders, the preview's viewer); None if the caller may not ask."""
    viewer = privacy.preview_viewer(ctx.viewer, person.id, kind)
    return dataclasses.replace(ctx, viewer=viewer) if viewer is not None else None
