"""Role contacts' people, organisations and (for COMMUNICATIONS) working groups,
for many contacts at once."""

from collections.abc import Sequence

from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from resolvers.context import Context
from resolvers.loaders import load_required


async def people_of(ctx: Context, contacts: Sequence[RoleContact]) -> list[Person]:
    return await load_required(ctx.loaders.person, [c.person_id for c in contacts], contacts)


async def organisations_of(ctx: Context, contacts: Sequence[RoleContact]) -> list[Organisation]:
    return await load_required(ctx.loaders.organisation, [c.organisation_id for c in contacts], contacts)


async def group_of(ctx: Context, contact: RoleContact) -> Group | None:
    return await ctx.loaders.group.load(contact.group_id) if contact.group_id else None
