"""Extensions' hooks wrapped once per class (memberdir.execution.extension_hooks) run as Strawberry runs them."""

from collections.abc import Iterator

import pytest
from strawberry.extensions import SchemaExtension

from memberdir.execution import build_schema
from memberdir.execution import extension_hooks

STAGES = ("on_operation", "on_parse", "on_validate", "on_execute")


Entry = tuple[str, SchemaExtension]  # ("A on_parse" or "A /on_parse", the instance)


def recording(name: str, log: list[Entry]) -> type[SchemaExtension]:
    def hook(stage: str):
        def run(self: SchemaExtension) -> Iterator[None]:
            log.append((f"{name} {stage}", self))
            yield
            log.append((f"{name} /{stage}", self))

        return run

    return type(f"Recording{name}", (SchemaExtension,), {stage: hook(stage) for stage in STAGES})


def instances(log: list[Entry], name: str) -> list[SchemaExtension]:
    found: list[SchemaExtension] = []
    for step, instance in log:
        if step.startswith(name) and not any(instance is seen for seen in found):
            found.append(instance)
    return found


async def test_hooks_nest_in_order_on_each_requests_own_extension():
    log: list[Entry] = []
    schema = build_schema(extensions=[recording("A", log), recording("B", log)])

    for _ in range(2):
        result = await schema.execute("{ __typename }")
        assert result.errors is None and result.data == {"__typename": "Query"}

    first, second = log[: len(log) // 2], log[len(log) // 2 :]
    expected = []
    for stage in ("on_parse", "on_validate", "on_execute"):
        expected += [f"A {stage}", f"B {stage}", f"B /{stage}", f"A /{stage}"]
    expected = ["A on_operation", "B on_operation", *expected, "B /on_operation", "A /on_operation"]
    assert [step for step, _ in first] == [step for step, _ in second] == expected
    # Each request made its own instance of each extension, and every stage used it.
    assert len(instances(first, "A")) == len(instances(second, "A")) == 1
    assert instances(first, "A")[0] is not instances(second, "A")[0]


async def test_a_hook_after_its_yield_sees_the_result_and_errors():
    seen: list[object] = []

    class Inspect(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            yield
            result = self.execution_context.result
            seen.append((result.data, [error.message for error in result.errors or ()]))

    schema = build_schema(extensions=[Inspect])
    await schema.execute("{ __typename }")
    await schema.execute("{ noSuchField }")
    assert seen[0] == ({"__typename": "Query"}, [])
    assert seen[1][0] is None and "noSuchField" in seen[1][1][0]


async def test_hooks_of_other_kinds_are_left_to_strawberry():
    calls: list[str] = []

    class Plain(SchemaExtension):
        def on_execute(self) -> None:  # a plain method, called on entering the stage
            calls.append("plain")

    class Async(SchemaExtension):
        async def on_operation(self) -> None:
            calls.append("async")

    schema = build_schema(extensions=[Plain, Async])
    result = await schema.execute("{ __typename }")
    assert result.data == {"__typename": "Query"}
    assert calls == ["async", "plain"]


async def test_a_class_hooks_are_wrapped_once(monkeypatch: pytest.MonkeyPatch):
    wraps: list[object] = []
    real = extension_hooks.contextlib.contextmanager

    def counting(function):
        wraps.append(function)
        return real(function)

    extension_hooks._wrapped.cache_clear()  # as at a process's start
    monkeypatch.setattr(extension_hooks.contextlib, "contextmanager", counting)
    log: list[Entry] = []
    schema = build_schema(extensions=[recording("A", log)])
    assert (await schema.execute("{ __typename }")).errors is None
    # The recording class's four hooks and the schema's own extensions' generator hooks.
    wrapped_at_first = len(wraps)
    assert wrapped_at_first >= len(STAGES)
    for _ in range(2):
        assert (await schema.execute("{ __typename }")).errors is None
    assert len(wraps) == wrapped_at_first  # later requests wrap nothing
    assert len(log) == 3 * 2 * len(STAGES)  # yet every hook ran every time
