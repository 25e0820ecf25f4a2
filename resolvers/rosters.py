"""A roster entry's person and group."""

from datastore.groups import Group
from datastore.people import Person
from datastore.rosters import RosterEntry
from resolvers.context import Context


async def person_of(ctx: Context, entry: RosterEntry) -> Person:
    found = await ctx.loaders.person.load(entry.person_id)
    assert found is not None, f"roster entry {entry.id} names a missing person"
    return found


async def group_of(ctx: Context, entry: RosterEntry) -> Group:
    found = await ctx.loaders.group.load(entry.group_id)
    assert found is not None, f"roster entry {entry.id} names a missing group"
    return found
