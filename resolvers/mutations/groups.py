"""Creating and changing groups (staff): name, description, active, place in the hierarchy.

A new parent is checked against the tree before the change's claim and again
after it, with the changes in flight (datastore.group_tree): concurrent moves
never make a cycle.
"""

from datastore import edits, group_tree, groups, writes
from datastore.records.changes import Change
from datastore.records.groups import Group
from datastore.records.vocabulary import ChangeAction
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_settled, check_version, commit, merged
from resolvers.mutations.outcome import UserErrorCode, not_found, refuse
from resolvers.permissions import Action, Capacity

SECTION = "groups"


async def load(ctx: Context, group_id: str, path: str = "id") -> Group:
    found = await groups.by_ids(ctx.db, [group_id])
    if not found:
        raise not_found("group", path)
    return found[0]


CYCLE = "That parent would make the group its own ancestor."


async def _check_parent(ctx: Context, group_id: str | None, parent_id: str | None, *path: str) -> None:
    """The parent exists, and is not the group itself or one of its descendants
    (as groups are, or as changes in flight are making them)."""
    if parent_id is None:
        return
    if not await groups.by_ids(ctx.db, [parent_id]):
        raise refuse(UserErrorCode.NOT_FOUND, "No group with this id.", *path)
    if group_id is not None and await group_tree.would_cycle(ctx.db, group_id, parent_id):
        raise refuse(UserErrorCode.INVALID, CYCLE, *path)


def _tree_check(ctx: Context, after: Group, *path: str) -> writes.ClaimCheck:
    """Once claimed: still no cycle, counting every other change in flight."""

    async def check(change: Change) -> None:
        if await group_tree.would_cycle(ctx.db, after.id, after.parent_id, without_change=change.id):
            raise writes.RuleBroken(f"{CYCLE} Another change of the group tree was made at the same time.", *path)

    return check


async def _save(ctx: Context, current: Group | None, after: Group, action: ChangeAction, acting: Capacity,
                reason: str | None, cmid: str | None, *path: str) -> Group:
    write = edits.write_of(SECTION, current, after, action, reason=reason)
    # A new group has no children yet: only a move can close a cycle.
    moved = current is not None and after.parent_id is not None and current.parent_id != after.parent_id
    committed = await commit(ctx, write, expected=current.version if current else None, acting=acting,
                             client_mutation_id=cmid, reload=lambda: load(ctx, after.id),
                             checked=_tree_check(ctx, after, *path) if moved else None)
    # A replayed creation made its record under the id of the first attempt.
    return await load(ctx, committed.change.owner_id)


async def create(ctx: Context, given: dict, reason: str | None, cmid: str | None) -> Group:
    acting = access.require(Action.MANAGE_GROUPS, await access.facts(ctx))
    if await groups.by_slug(ctx.db, given.get("slug") or ""):
        raise refuse(UserErrorCode.CONFLICT, "That slug is already in use; choose another.", "slug")
    await _check_parent(ctx, None, given.get("parent"), "parentId")
    after = merged(SECTION, None, {**given, "id": edits.new_id("grp", given.get("slug") or "")})
    return await _save(ctx, None, after, ChangeAction.CREATE, acting, reason, cmid, "parentId")


async def update(ctx: Context, group_id: str, expected: int, given: dict, reason: str | None,
                 cmid: str | None) -> Group:
    current = await load(ctx, group_id)
    acting = access.require(Action.MANAGE_GROUPS, await access.facts(ctx))
    check_version(current, expected)
    await _check_parent(ctx, current.id, given.get("parent"), "patch", "parentId")
    after = merged(SECTION, current, given, "patch")
    if not edits.field_changes(SECTION, current, after):
        await check_settled(ctx, current)
        return current
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, reason, cmid, "patch", "parentId")
