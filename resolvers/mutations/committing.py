"""Committing a mutation's Write, answering retries, and turning what refused it into user errors.

A write, once started, is not the request's to cancel: it runs as a task of its
own (shielded), so a deadline or a client going away never stops a change
between its claim and its end, and the deadline's answer says how it ended.
A clientMutationId is claimed per caller (datastore.calls): a second call with
it is answered as the first was, if it is the same call (same mutation, same
input), and refused with CONFLICT otherwise.
"""

import asyncio
from datetime import UTC, datetime
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from datastore import calls, changes, edits, merging, writes
from datastore.records.changes import Change, ChangeState
from datastore.writes import Write
from resolvers import duplicates
from resolvers.context import Context
from resolvers.mutations.access import actor, identity
from resolvers.mutations.outcome import Outcome, Refused, UserError, UserErrorCode, refuse, stale

R = TypeVar("R")

# Import field names that a mutation's input calls otherwise.
_INPUT_NAMES = {"parent": "parentId", "affiliation": "affiliation"}
# How long a retry waits for the first call with its clientMutationId to end.
RETRY_WAIT_SECONDS = 5.0
RETRY_POLL_SECONDS = 0.05
USED_FOR_ANOTHER_CALL = "this clientMutationId was used for another call"
STILL_IN_FLIGHT = "An earlier call with this clientMutationId is still being applied; ask again shortly."
FIRST_NOT_APPLIED = "The first call with this clientMutationId was not applied (a value it needed was taken)."


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
    if await changes.claimed_for(ctx.db, current.id, current.version + 1):
        raise stale(current)


async def commit(
    ctx: Context,
    write: Write,
    *,
    expected: int | None,
    acting: Any,
    client_mutation_id: str | None,
    reload: Callable[[], Awaitable[Any]],
    checked: writes.ClaimCheck | None = None,
) -> writes.Committed:
    # No write leaves a reference to a person or organisation merged away meanwhile (datastore.merging).
    checked = merging.both(checked, merging.not_merged_away(ctx.db, write))
    started = asyncio.ensure_future(writes.commit(
        ctx.db, write, expected_version=expected, actor=actor(ctx, acting), client_mutation_id=client_mutation_id,
        lease=ctx.write_lease, checked=checked,
    ))
    ctx.writes_started.append(started)
    try:
        committed = await asyncio.shield(started)
        # Duplicate candidates follow each write of a person or organisation (resolvers.duplicates).
        await duplicates.refresh_after(ctx, write)
        return committed
    except writes.StaleVersion:
        raise stale(await reload()) from None
    except writes.RuleBroken as broken:
        raise refuse(UserErrorCode.CONFLICT, str(broken), *broken.path) from None
    except writes.Rejected:
        raise refuse(UserErrorCode.CONFLICT, "A value that must be unique was taken meanwhile; nothing changed.")
    finally:
        # What the request reads next (its payload, the next mutation of a batch) sees the change.
        ctx.loaders.generation.forget()


async def writes_ended(ctx: Context, wait_seconds: float = 5.0) -> list[dict]:
    """How each write the request started ended, once it has (for a deadline's answer);
    one still running after `wait_seconds` is reported IN_FLIGHT, to be read again by a retry."""
    if not ctx.writes_started:
        return []
    await asyncio.wait(ctx.writes_started, timeout=wait_seconds)
    ended = []
    for started in ctx.writes_started:
        if not started.done():
            ended.append({"record": None, "version": None, "state": "IN_FLIGHT"})
        elif isinstance(started.exception(), (writes.StaleVersion, writes.Rejected)):
            ended.append({"record": None, "version": None, "state": ChangeState.REJECTED.name})
        elif started.exception() is not None:  # cut off by a failure: recovery completes what it claimed
            ended.append({"record": None, "version": None, "state": "IN_FLIGHT"})
        else:
            change = started.result().change
            ended.append({"record": change.owner_id, "version": change.version, "state": change.state.name})
    return ended


def _refusal(errors: list[UserError]) -> dict:
    return {"errors": [{"field": list(e.field), "message": e.message, "code": e.code.value} for e in errors]}


def _errors(answer: dict) -> list[UserError]:
    return [UserError(tuple(e["field"]), e["message"], UserErrorCode(e["code"])) for e in answer["errors"]]


def _conflict(message: str) -> Outcome:
    return Outcome(None, [UserError(("input", "clientMutationId"), message, UserErrorCode.CONFLICT)])


async def outcome(
    ctx: Context,
    work: Coroutine[Any, Any, R],
    client_mutation_id: str | None,
    load: Callable[[Change], Awaitable[R]],
    digest: str = "",
) -> Outcome[R]:
    """The record `work` returns, or the user errors it was refused with. With a
    clientMutationId, `work` runs only if this call is the first with it; a retry
    (same caller, same `digest` of mutation and input) is answered as the first
    call was, once it ended, before any check that the first call made stale."""
    if not client_mutation_id:
        return await _run(work, client_mutation_id)
    key = changes.client_key(identity(ctx), client_mutation_id)
    while True:
        call, mine = await calls.claim(ctx.db, key, digest)
        if mine:
            return await _first(ctx, call, work, client_mutation_id)
        answered = await _answer_of(ctx, call, digest, load)
        if answered is not None:
            work.close()
            return Outcome(answered.record, answered.errors, client_mutation_id)
        # The first try ended without an answer or a change: it changed nothing; this one runs.


async def _run(work: Coroutine[Any, Any, R], client_mutation_id: str | None) -> Outcome[R]:
    try:
        return Outcome(await work, [], client_mutation_id)
    except Refused as refused:
        return Outcome(refused.current, refused.errors, client_mutation_id)


async def _first(ctx: Context, call: calls.Call, work: Coroutine[Any, Any, R], client_mutation_id: str) -> Outcome[R]:
    """Run the first call with this id, and keep how it ended for its retries."""
    before = len(ctx.writes_started)
    try:
        result = await _run(work, client_mutation_id)
    except BaseException:
        # Cancelled or failed: a change it started carries the id (and is carried to its end);
        # without one nothing changed, and the id is free again.
        if len(ctx.writes_started) == before:
            await asyncio.shield(calls.release(ctx.db, call))
        raise
    committed = [t.result().change for t in ctx.writes_started[before:] if t.done() and not t.exception()]
    applied = [c for c in committed if c.state is ChangeState.APPLIED]
    if result.errors:
        await calls.answer(ctx.db, call, _refusal(result.errors))
    elif applied:
        await calls.answer(ctx.db, call, {"change_id": applied[-1].id})
    else:  # nothing to change: nothing to replay, the next try looks again
        await calls.release(ctx.db, call)
    return result


async def _answer_of(
    ctx: Context, call: calls.Call, digest: str, load: Callable[[Change], Awaitable[R]]
) -> Outcome[R] | None:
    """The answer the first call with this id got (waiting a little while it runs);
    None when it ended without one (it changed nothing) and this call may run instead."""
    if call.digest != digest:
        return _conflict(USED_FOR_ANOTHER_CALL)
    loop = asyncio.get_running_loop()
    give_up = loop.time() + RETRY_WAIT_SECONDS
    while True:
        if call.state == calls.ANSWERED and call.answer and "errors" in call.answer:
            return Outcome(None, _errors(call.answer))
        change = await _change_of(ctx, call)
        if change is not None and change.state is ChangeState.APPLIED:
            return Outcome(await load(change), [])
        if change is not None and change.state is ChangeState.REJECTED:
            return _conflict(FIRST_NOT_APPLIED)
        if change is None and datetime.now(UTC) - call.at > ctx.write_lease:
            # Its process died before it claimed a change: nothing was changed.
            await calls.release(ctx.db, call)
            return None
        if loop.time() > give_up:
            return _conflict(STILL_IN_FLIGHT)
        await asyncio.sleep(RETRY_POLL_SECONDS)
        again = await calls.get(ctx.db, call.key)
        if again is None or again.at != call.at:
            return None  # released: the first try changed nothing
        call = again


async def _change_of(ctx: Context, call: calls.Call) -> Change | None:
    """The change the call made, settled if it was cut off (recovery's rule), or None."""
    if call.answer and call.answer.get("change_id"):
        return await writes.settled(ctx.db, call.answer["change_id"], ctx.write_lease)
    found = await changes.by_client_key(ctx.db, call.key)
    return await writes.settled(ctx.db, found.id, ctx.write_lease) if found else None
