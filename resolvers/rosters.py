"""A roster entry's person and group."""

from datastore.groups import Group
from datastore.people import Person
from datastore.rosters import RosterEntry
from resolvers.context import Context
from resolvers.loaders import load_required


async def person_of(ctx: Context, entry: RosterEntry) -> Person:
    return await load_required(ctx.loaders.person, entry.person_id, entry)


async def group_of(ctx: Context, entry: RosterEntry) -> Group:
    return await load_required(ctx.loaders.group, entry.group_id, entry)
