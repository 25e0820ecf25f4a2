"""Relay object identification: any record by its id, told apart by the id's prefix."""

from collections.abc import Sequence
from typing import Any

from datastore import merging
from datastore.records.invitations import Invitation
from datastore.records.outbox import Notification
from resolvers import arguments, invitations, notifications
from resolvers.context import Context
from resolvers.errors import BadArgument

MAX_NODES = 100

# The prefix of each kind's ids, and the loader that finds them.
_LOADERS = {
    "org_": "organisation",
    "per_": "person",
    "grp_": "group",
    "rc_": "contact",
    "ros_": "roster_entry",
    "inv_": "invitation",
    "ntf_": "notification",
}


# Kinds whose records can be merged into another.
_REDIRECTED = ("org_", "per_")


def _loader(ctx: Context, node_id: str):
    name = next((loader for prefix, loader in _LOADERS.items() if node_id.startswith(prefix)), None)
    return getattr(ctx.loaders, name) if name else None


async def nodes(ctx: Context, ids: Sequence[str], argument: str = "ids") -> list[Any | None]:
    """The records with these ids, in order (None where unknown): one command per kind."""
    if len(ids) > MAX_NODES:
        raise BadArgument(argument, f"at most {MAX_NODES} ids, got {len(ids)}")
    checked = [arguments.identifier(i, argument) for i in ids]
    found = []
    for node_id in checked:
        loader = _loader(ctx, node_id)
        found.append(loader.load(node_id) if loader else None)
    loaded = [await f if f is not None else None for f in found]
    # A person or organisation merged into another answers as the record kept (datastore.merging).
    missing = [i for i, r in zip(checked, loaded) if r is None and i.startswith(_REDIRECTED)]
    if missing:
        kept = await merging.kept_ids(ctx.db, missing)
        for index, node_id in enumerate(checked):
            if loaded[index] is None and node_id in kept:
                loaded[index] = await _loader(ctx, kept[node_id]).load(kept[node_id])
    # Invitations are seen only by those they concern (resolvers.invitations); a notification
    # by its recipient and staff (resolvers.notifications).
    shown = [None if isinstance(r, Notification) and not notifications.may_see(ctx, r) else r for r in loaded]
    return [await invitations.visible(ctx, r) if isinstance(r, Invitation) else r for r in shown]
