"""Merging two people or two organisations, and undoing a merge: staff only (datastore.merging)."""

from typing import Any

from datastore import merging, organisations, people
from datastore.records.vocabulary import RecordType
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import commit
from resolvers.mutations.outcome import Refused, UserError, UserErrorCode, refuse
from resolvers.permissions import Action

_CODES = {"STALE": UserErrorCode.STALE_VERSION, "NOT_FOUND": UserErrorCode.NOT_FOUND,
          "CONFLICT": UserErrorCode.CONFLICT, "INVALID": UserErrorCode.INVALID}


def _refused(failed: merging.Refused) -> Refused:
    return Refused(UserError(("input", *failed.path), str(failed), _CODES[failed.code]))


async def load(ctx: Context, record_type: RecordType, record_id: str) -> Any:
    reader = people.by_ids if record_type is RecordType.PERSON else organisations.by_ids
    found = await reader(ctx.db, [record_id])
    if not found:
        raise refuse(UserErrorCode.NOT_FOUND, "No record with this id.")
    return found[0]


async def merge(ctx: Context, record_type: RecordType, keep: str, merge_id: str, keep_version: int,
                merge_version: int, reason: str | None, cmid: str | None) -> Any:
    """`merge_id` into `keep`, in one claimed change; answers the kept record."""
    acting = access.require(Action.MERGE_RECORDS, await access.facts(ctx))
    try:
        write, expected = await merging.plan_merge(ctx.db, record_type, keep, merge_id, keep_version=keep_version,
                                                   merge_version=merge_version, reason=reason)
    except merging.Refused as failed:
        raise _refused(failed) from None
    await commit(ctx, write, expected=expected, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, record_type, keep), checked=merging.still_as_planned(ctx.db, write))
    return await load(ctx, record_type, keep)


async def unmerge(ctx: Context, change_id: str, reason: str | None, cmid: str | None) -> list[Any]:
    """Undo the merge `change_id` (within 30 days, nothing changed since): answers both records."""
    acting = access.require(Action.MERGE_RECORDS, await access.facts(ctx))
    try:
        write, expected = await merging.plan_unmerge(ctx.db, change_id, reason)
    except merging.Refused as failed:
        raise _refused(failed) from None
    record_type = write.owner_type
    await commit(ctx, write, expected=expected, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, record_type, write.owner_id))
    return [await load(ctx, record_type, write.owner_id), await load(ctx, record_type, write.record_id)]
