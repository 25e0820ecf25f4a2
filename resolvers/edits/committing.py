"""Committing a mutation's Write, and turning what refused it into user errors."""

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from datastore import changes, edits, writes
from datastore.writes import Write
from resolvers.context import Context
from resolvers.edits.access import actor, identity
from resolvers.edits.outcome import Outcome, Refused, UserError, UserErrorCode, refuse, stale
from resolvers.permissions import Capacity

R = TypeVar("R")

# Import field names that a mutation's input calls otherwise.
_INPUT_NAMES = {"parent": "parentId", "affiliation": "affiliation"}


def invalid(problems: Iterable[edits.Problem], *prefix: str) -> Refused:
    return Refused(*(
        UserError(("input", *prefix, *(_INPUT_NAMES.get(p, p) for p in problem.field[:1]), *problem.field[1:]),
                  problem.message, UserErrorCode.INVALID)
        for problem in problems
    ))


def merged(section: str, current: Any | None, given: dict, *prefix: str) -> Any:
    """edits.merged, with its problems as INVALID user errors under `prefix`."""
    try:
        return edits.merged(section, current, given)
    except edits.Invalid as failed:
        raise invalid(failed.problems, *prefix) from None


def check_version(current: Any, expected: int) -> None:
    if current.version != expected:
        raise stale(current)


async def check_settled(ctx: Context, current: Any) -> None:
    """Before answering "nothing to change": no change to the record may be in flight,
    since its effects can already show while the record itself is not yet written."""
    if await changes.by_id(ctx.db, changes.claim_id(current.id, current.version + 1)):
        raise stale(current)


async def commit(
    ctx: Context,
    write: Write,
    *,
    expected: int | None,
    acting: Capacity,
    client_mutation_id: str | None,
    reload: Callable[[], Awaitable[Any]],
    checked: writes.ClaimCheck | None = None,
) -> writes.Committed:
    try:
        return await writes.commit(
            ctx.db, write, expected_version=expected, actor=actor(ctx, acting), client_mutation_id=client_mutation_id,
            checked=checked,
        )
    except writes.StaleVersion:
        raise stale(await reload()) from None
    except writes.RuleBroken as broken:
        raise refuse(UserErrorCode.CONFLICT, str(broken), *broken.path) from None
    except writes.Rejected:
        raise refuse(UserErrorCode.CONFLICT, "A value that must be unique was taken meanwhile; nothing changed.")
    finally:
        # What the request reads next (its payload, the next mutation of a batch) sees the change.
        ctx.loaders.generation.forget()


async def replayed(ctx: Context, client_mutation_id: str | None) -> changes.Change | None:
    """The change an earlier try of this same mutation made, when this is a retry of it."""
    if not client_mutation_id:
        return None
    earlier = await changes.by_client_key(ctx.db, f"{identity(ctx)}|{client_mutation_id}")
    return earlier if earlier and earlier.state is changes.ChangeState.APPLIED else None


async def outcome(
    ctx: Context,
    work: Coroutine[Any, Any, R],
    client_mutation_id: str | None,
    load: Callable[[changes.Change], Awaitable[R]],
) -> Outcome[R]:
    """The record `work` returns, or the user errors it was refused with. A retry of a
    mutation already applied (same caller, same clientMutationId) is answered with the
    record it changed, before any check that its first try made stale."""
    if (earlier := await replayed(ctx, client_mutation_id)) is not None:
        work.close()
        return Outcome(await load(earlier), [], client_mutation_id)
    try:
        return Outcome(await work, [], client_mutation_id)
    except Refused as refused:
        return Outcome(refused.current, refused.errors, client_mutation_id)
