"""Creating and changing groups (staff): name, description, active, place in the hierarchy."""


from datastore import edits, groups
from datastore.groups import Group
from datastore.vocabulary import ChangeAction
from resolvers.context import Context
from resolvers.edits import access
from resolvers.edits.committing import check_settled, check_version, commit, merged
from resolvers.edits.outcome import UserErrorCode, not_found, refuse
from resolvers.permissions import Action, Capacity

SECTION = "groups"


async def load(ctx: Context, group_id: str, path: str = "id") -> Group:
    found = await groups.by_ids(ctx.db, [group_id])
    if not found:
        raise not_found("group", path)
    return found[0]


async def _check_parent(ctx: Context, group_id: str | None, parent_id: str | None, *path: str) -> None:
    """The parent exists, and is not the group itself or one of its descendants."""
    seen: set[str] = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == group_id:
            raise refuse(UserErrorCode.INVALID, "That parent would make the group its own ancestor.", *path)
        found = await groups.by_ids(ctx.db, [parent_id])
        if not found:
            raise refuse(UserErrorCode.NOT_FOUND, "No group with this id.", *path)
        seen.add(parent_id)
        parent_id = found[0].parent_id


async def _save(ctx: Context, current: Group | None, after: Group, action: ChangeAction, acting: Capacity,
                reason: str | None, cmid: str | None) -> Group:
    write = edits.write_of(SECTION, current, after, action, reason=reason)
    committed = await commit(ctx, write, expected=current.version if current else None, acting=acting,
                             client_mutation_id=cmid, reload=lambda: load(ctx, after.id))
    # A replayed creation made its record under the id of the first attempt.
    return await load(ctx, committed.change.owner_id)


async def create(ctx: Context, given: dict, reason: str | None, cmid: str | None) -> Group:
    acting = access.require(Action.MANAGE_GROUPS, await access.facts(ctx))
    if await groups.by_slug(ctx.db, given.get("slug") or ""):
        raise refuse(UserErrorCode.CONFLICT, "That slug is already in use; choose another.", "slug")
    await _check_parent(ctx, None, given.get("parent"), "parentId")
    after = merged(SECTION, None, {**given, "id": edits.new_id("grp", given.get("slug") or "")})
    return await _save(ctx, None, after, ChangeAction.CREATE, acting, reason, cmid)


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
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, reason, cmid)
