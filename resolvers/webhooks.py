"""Webhook endpoints as staff and admin read them (never their secrets)."""

from datastore import webhooks
from datastore.webhooks import Endpoint
from resolvers import permissions
from resolvers.context import Context
from resolvers.errors import Forbidden
from resolvers.permissions import Action, Facts


def may_manage(ctx: Context) -> bool:
    return permissions.capacity(Action.MANAGE_WEBHOOKS, Facts(role=ctx.viewer.role)) is not None


async def endpoints(ctx: Context) -> list[Endpoint]:
    if not may_manage(ctx):
        raise Forbidden("list webhook endpoints (staff and admin only)")
    return await webhooks.every(ctx.db)
