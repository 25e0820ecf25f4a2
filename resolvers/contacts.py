"""A role contact's person, organisation and (for COMMUNICATIONS) working group."""

from datastore.contacts import RoleContact
from datastore.groups import Group
from datastore.organisations import Organisation
from datastore.people import Person
from resolvers.context import Context
from resolvers.loaders import load_required


async def person_of(ctx: Context, contact: RoleContact) -> Person:
    return await load_required(ctx.loaders.person, contact.person_id, contact)


async def organisation_of(ctx: Context, contact: RoleContact) -> Organisation:
    return await load_required(ctx.loaders.organisation, contact.organisation_id, contact)


async def group_of(ctx: Context, contact: RoleContact) -> Group | None:
    return await ctx.loaders.group.load(contact.group_id) if contact.group_id else None
