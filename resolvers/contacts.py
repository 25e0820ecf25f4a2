"""A role contact's person, organisation and (for COMMUNICATIONS) working group."""

from datastore.contacts import RoleContact
from datastore.groups import Group
from datastore.organisations import Organisation
from datastore.people import Person
from resolvers.context import Context


async def person_of(ctx: Context, contact: RoleContact) -> Person:
    found = await ctx.loaders.person.load(contact.person_id)
    assert found is not None, f"contact {contact.id} names a missing person"
    return found


async def organisation_of(ctx: Context, contact: RoleContact) -> Organisation:
    found = await ctx.loaders.organisation.load(contact.organisation_id)
    assert found is not None, f"contact {contact.id} names a missing organisation"
    return found


async def group_of(ctx: Context, contact: RoleContact) -> Group | None:
    return await ctx.loaders.group.load(contact.group_id) if contact.group_id else None
