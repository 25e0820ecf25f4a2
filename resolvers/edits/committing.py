"""Committing a mutation's Write, and turning what refused it into user errors."""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from datastore import changes, edits, writes
from datastore.writes import Write
from resolvers.context import Context
from resolvers.edits.access import actor
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
) -> writes.Committed:
    try:
        return await writes.commit(
            ctx.db, write, expected_version=expected, actor=actor(ctx, acting), client_mutation_id=client_mutation_id
        )
    except writes.StaleVersion:
        raise stale(await reload()) from None
    except writes.Rejected:
        raise refuse(UserErrorCode.CONFLICT, "A value that must be unique was taken meanwhile; nothing changed.")


async def outcome(work: Awaitable[R], client_mutation_id: str | None) -> Outcome[R]:
    """The record `work` returns, or the user errors it was refused with."""
    try:
        return Outcome(await work, [], client_mutation_id)
    except Refused as refused:
        return Outcome(refused.current, refused.errors, client_mutation_id)
