"""Roster entries' people and groups, for many entries at once."""

from collections.abc import Sequence

from datastore.records.groups import Group
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry
from resolvers.context import Context
from resolvers.loaders import load_required


async def people_of(ctx: Context, entries: Sequence[RosterEntry]) -> list[Person]:
    return await load_required(ctx.loaders.person, [e.person_id for e in entries], entries)


async def groups_of(ctx: Context, entries: Sequence[RosterEntry]) -> list[Group]:
    return await load_required(ctx.loaders.group, [e.group_id for e in entries], entries)
