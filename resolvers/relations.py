"""How the caller stands to a record: the facts resolvers.privacy decides on,
read through the request's DataLoaders.

Only a role contact who is currently affiliated with the organisation counts as
its Primary or Administrator: a person who left keeps no power from a role
they failed to hand over (resolvers/mutations/access.py reads the same rule).
"""

from datastore.records.contacts import RoleContact
from datastore.records.people import Person
from datastore.records.vocabulary import Role
from resolvers import privacy
from resolvers.context import Context
from resolvers.privacy import MANAGING_ROLES, PERSON, Relation, relations


def current_contacts(person: Person | None, held: list[RoleContact]) -> list[RoleContact]:
    """The role contacts of `held` that count: those for the organisation the person
    is affiliated with now (and none of an erased person)."""
    if person is None or person.erased or person.affiliation_id is None:
        return []
    return [c for c in held if c.organisation_id == person.affiliation_id]


def current_contacts_of(held: list[RoleContact], holders: dict[str, Person]) -> list[RoleContact]:
    """The role contacts of `held` (of any people) whose holder, found in `holders`, is
    currently affiliated with the contact's organisation and not erased."""
    return [c for c in held if c in current_contacts(holders.get(c.person_id), [c])]


async def managed_ids(ctx: Context) -> frozenset[str]:
    """Organisations the caller is currently Primary or Administrator of (at most their affiliation)."""
    viewer = ctx.viewer
    if viewer.person_id is None or viewer.role is Role.ANONYMOUS:
        return frozenset()
    # One after the other, like every resolver: both loaders batch with the rest of the request.
    me = await ctx.loaders.person.load(viewer.person_id)
    held = await ctx.loaders.contacts_of_person.load(viewer.person_id)
    return frozenset(c.organisation_id for c in current_contacts(me, held) if c.role in MANAGING_ROLES)


def to_person(ctx: Context, person_id: str) -> frozenset[Relation]:
    """The caller's relations to a person (a Primary or Administrator is asked for apart, by part_seen)."""
    viewer = ctx.viewer
    return relations(viewer.role, is_self=viewer.person_id is not None and viewer.person_id == person_id)


async def to_organisation(ctx: Context, organisation_id: str) -> frozenset[Relation]:
    viewer = ctx.viewer
    if viewer.role is Role.ANONYMOUS:
        return relations(viewer.role)
    if viewer.role.at_least(Role.STAFF):
        return relations(viewer.role)  # staff see everything of an organisation: no lookup needed
    return relations(viewer.role, manages=organisation_id in await managed_ids(ctx))


async def sees(ctx: Context, kind: str, record_id: str, path: str) -> bool:
    """Whether the caller sees the whole of a field of a Person or an Organisation."""
    held = to_person(ctx, record_id) if kind == PERSON else await to_organisation(ctx, record_id)
    return privacy.sees_field(kind, path, held)
