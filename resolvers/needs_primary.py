"""The staff's queue of ACTIVE organisations that have no Primary (theirs was erased)."""

from datastore.needs_primary import organisations_needing_primary
from datastore.records.organisations import Organisation
from datastore.records.vocabulary import Role
from resolvers import list_sizes
from resolvers.arguments import page_size
from resolvers.context import Context
from resolvers.errors import Forbidden


async def needing_primary(ctx: Context, first: int | None) -> list[Organisation]:
    if not ctx.viewer.role.at_least(Role.STAFF):
        raise Forbidden("list organisations needing a Primary (staff and admin only)")
    size = list_sizes.NEEDS_PRIMARY
    wanted = size.default if first is None else page_size(first, size.maximum)
    return await organisations_needing_primary(ctx.db, wanted)
