"""Running a plan level by level.

Each selection is resolved for all the objects that reach it at once: every
field's resolver is called for every object, the awaitables among the results
(DataLoader loads, mostly) are awaited together, so each loader still sends
one command per level, and the objects the values point to are completed and
passed on, as one batch, to their own selection. An answer of thousands of
objects costs a few awaits per level instead of several per field.

Anything graphql-core would report as an error (an exception in a resolver, a
null where the schema promises a value, a value of the wrong kind) raises
`Unplannable`; the caller then runs the operation with graphql-core, which
reports it with its path and location.
"""

import asyncio
from collections.abc import Coroutine
from inspect import isawaitable
from operator import attrgetter
from types import CoroutineType, NoneType
from typing import Any, NamedTuple

from graphql import Undefined

from memberdir.execution.planned.plan import Completion, Info, Selection, Unplannable

Pending = dict[int, tuple[Selection, list[Any], list[dict[str, Any]]]]


async def run(selection: Selection, root: Any, info: Info) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    await _resolve(selection, [root], [answer], info)
    return answer


async def _resolve(selection: Selection, sources: list[Any], answers: list[dict[str, Any]], info: Info) -> None:
    values: list[list[Any]] = []
    try:
        for field in selection.fields:
            # A batch form's one awaitable stands for the whole column until it is settled.
            values.append([field.batch(info, sources)] if field.batch is not None else _values_of(field, sources, info))
        await _settle([column for field, column in zip(selection.fields, values) if field.attribute is None])
    except BaseException:
        _close(values)
        raise
    for position, field in enumerate(selection.fields):
        if field.batch is not None:
            values[position] = _batch_column(values[position][0], len(sources))
    pending: Pending = {}
    completed = [_complete_column(field.completion, column, pending) for field, column in zip(selection.fields, values)]
    keys = selection.keys
    for answer, row in zip(answers, zip(*completed)):
        answer.update(zip(keys, row))  # in the order of the selection, as graphql-core answers
    if pending:
        # Every child selection runs to its end before a failure is passed on, so none is left running.
        # A selection over no objects is not run at all, as graphql-core calls no resolver without a
        # parent (its arguments, say a bad `first`, are then never checked).
        outcomes = await asyncio.gather(
            *(_resolve(s, objects, dicts, info) for s, objects, dicts in pending.values() if objects),
            return_exceptions=True,
        )
        failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failed is not None:
            raise failed


def _batch_column(found: Any, expected: int) -> list[Any]:
    if not isinstance(found, list) or len(found) != expected:
        raise Unplannable("a batch resolver gave no value for each object")
    return found


def _values_of(field: Any, sources: list[Any], info: Info) -> list[Any]:
    if field.attribute is not None:
        return list(map(attrgetter(field.attribute), sources))
    if field.typename is not None:
        return [field.typename] * len(sources)
    call = field.caller(info)
    return [call(source) for source in sources]


async def _settle(columns: list[list[Any]]) -> None:
    """Replace every awaitable among the values with its result, in place.

    The resolvers' coroutines are stepped here side by side rather than each
    wrapped in a task: every one runs until it waits on a future (a DataLoader
    load, mostly), and is resumed as soon as that future is done, as a task
    would be. Resuming each one only when its own future is done matters: one
    coroutine may wait for what another holds (a pool connection, a lock)
    until that other is resumed. It is what gathering them as tasks would do,
    without a task, a callback and two trips through the event loop per object.

    When one resolver fails, or the run is cancelled (the deadline), the others
    are cancelled as tasks would be and stepped to their ends before the
    failure goes on (_wind_down): none is left suspended holding what its
    clean-up must give back.
    """
    blocked: list[_Blocked] = []
    try:
        for column in columns:
            for index, value in enumerate(column):
                if type(value) is CoroutineType:
                    _step(value, column, index, blocked)
                elif isawaitable(value):
                    blocked.append(_Blocked(asyncio.ensure_future(value), None, column, index))
        while blocked:
            await _until_one_is_ready(blocked)
            now, blocked = blocked, []
            for position, waiting in enumerate(now):
                try:
                    if waiting.awaited is not None and not waiting.awaited.done():
                        blocked.append(waiting)
                    elif waiting.coroutine is not None:
                        _step(waiting.coroutine, waiting.column, waiting.index, blocked)
                    else:
                        waiting.column[waiting.index] = _result_of(waiting.awaited)
                except BaseException:
                    blocked.extend(now[position + 1:])
                    raise
    except BaseException:
        await _wind_down(blocked)
        raise


async def _wind_down(blocked: list["_Blocked"]) -> None:
    """Cancel what a failed or cancelled level left waiting, as a cancelled task
    is: cancel what each waits on (a DataLoader's shared future refuses:
    resolvers.loaders.SharedFuture), throw CancelledError into it, and step it
    to its end. Its clean-up may itself await: PyMongo's connection checkout
    gives its place in the pool back under a lock. Closing the coroutine
    instead (GeneratorExit, no await allowed) left the pool's counters at
    their maximum, and every later query of the process waiting for a connection.

    A cancellation that arrives meanwhile waits for the clean-up, then goes on."""
    cancelled = False
    remaining: list[_Blocked] = []
    for waiting in blocked:
        if waiting.awaited is not None:
            waiting.awaited.cancel()
        if waiting.coroutine is not None:
            _finish_step(waiting, remaining, asyncio.CancelledError())
        elif isinstance(waiting.awaited, asyncio.Task) and not waiting.awaited.done():
            remaining.append(waiting)  # its own clean-up runs as a task
    while remaining:
        try:
            await _until_one_is_ready(remaining)
        except asyncio.CancelledError:
            cancelled = True
            continue
        now, remaining = remaining, []
        for waiting in now:
            if waiting.awaited is not None and not waiting.awaited.done():
                remaining.append(waiting)
            elif waiting.coroutine is not None:
                _finish_step(waiting, remaining, None)
    if cancelled:
        raise asyncio.CancelledError


def _finish_step(waiting: "_Blocked", remaining: list["_Blocked"], error: BaseException | None) -> None:
    """One step of a cancelled coroutine: however it ends is its own affair."""
    coroutine = waiting.coroutine
    assert coroutine is not None
    try:
        awaited = coroutine.send(None) if error is None else coroutine.throw(error)
    except (Exception, asyncio.CancelledError):
        return
    if awaited is not None:
        awaited._asyncio_future_blocking = False
    remaining.append(_Blocked(awaited, coroutine, waiting.column, waiting.index))


def _close(columns: list[list[Any]]) -> None:
    """Close the coroutines a failed level never started (those it started
    were wound down by _settle): each column holds its coroutine until it is
    replaced by the result, and an unstarted one holds nothing."""
    for column in columns:
        for value in column:
            if type(value) is CoroutineType:
                value.close()


class _Blocked(NamedTuple):
    awaited: Any  # what the coroutine waits on: a future, or None to yield once
    coroutine: Coroutine | None  # None: `awaited` is itself the value to settle
    column: list[Any]
    index: int


def _step(coroutine: Coroutine, column: list[Any], index: int, blocked: list[_Blocked]) -> None:
    try:
        awaited = coroutine.send(None)
    except StopIteration as done:
        column[index] = done.value
    except (Exception, asyncio.CancelledError) as error:  # a CancelledError of its own, not the run's
        raise Unplannable("a resolver raised") from error
    else:
        if awaited is not None:
            awaited._asyncio_future_blocking = False  # as a task would, before it waits
        blocked.append(_Blocked(awaited, coroutine, column, index))


async def _until_one_is_ready(blocked: list[_Blocked]) -> None:
    if any(b.awaited is None for b in blocked):
        await asyncio.sleep(0)  # a bare yield: one turn of the event loop, as a task gets
        return
    futures = {id(b.awaited): b.awaited for b in blocked}
    if not any(future.done() for future in futures.values()):
        # Never raises a future's own error: the coroutine that awaits it gets that.
        await asyncio.wait(futures.values(), return_when=asyncio.FIRST_COMPLETED)


def _result_of(future: asyncio.Future) -> Any:
    if future.cancelled() or future.exception() is not None:
        raise Unplannable("an awaitable failed") from (None if future.cancelled() else future.exception())
    return future.result()


def _already_json(completion: Completion, column: list[Any]) -> bool:
    """Whether a leaf column's values are all their own JSON, as most are:
    checked once for the column, in C, rather than once per value."""
    exact = completion.exact
    if exact is None:
        return False
    kinds = set(map(type, column))
    if not kinds <= {exact, NoneType}:
        return False
    if exact is int:  # a 32-bit range, which min() and max() cannot check past a None
        return NoneType not in kinds and (not column or (-(2**31) <= min(column) and max(column) < 2**31))
    return completion.nullable or NoneType not in kinds


def _complete_column(completion: Completion, column: list[Any], pending: Pending) -> list[Any]:
    """One field's values for every object of a level, as JSON values (objects
    as empty dicts, queued in `pending` for their own selection)."""
    serialize = completion.serialize
    if serialize is not None:
        if _already_json(completion, column):
            return column
        completed = [None if value is None else serialize(value) for value in column]
        if None in completed or Undefined in completed:
            for value, done in zip(column, completed):
                if done is Undefined or (done is None and (value is not None or not completion.nullable)):
                    raise Unplannable("a null in a non-null field, or a leaf that does not serialize")
        return completed
    item = completion.item
    if item is not None:
        if not completion.nullable and None in column:
            raise Unplannable("a null in a non-null field")
        if not all(value is None or isinstance(value, list | tuple) for value in column):
            raise Unplannable("a list field that is not a list")
        # Every object's list completed as one column, then cut back into lists.
        done = _complete_column(item, [v for values in column if values is not None for v in values], pending)
        completed, start = [], 0
        for values in column:
            if values is None:
                completed.append(None)
            else:
                completed.append(done[start:start + len(values)])
                start += len(values)
        return completed
    selection = completion.selection
    assert selection is not None
    objects = [value for value in column if value is not None]
    if len(objects) < len(column) and not completion.nullable:
        raise Unplannable("a null in a non-null field")
    if not set(map(type, objects)) <= {selection.origin}:
        is_type_of = selection.type.is_type_of
        if is_type_of is not None and not all(is_type_of(value, None) for value in objects):
            raise Unplannable(f"not a {selection.type.name}")
    completed = [None if value is None else {} for value in column]
    batch = pending.get(id(selection))
    if batch is None:
        pending[id(selection)] = batch = (selection, [], [])
    batch[1].extend(objects)
    batch[2].extend(answer for answer in completed if answer is not None)
    return completed
