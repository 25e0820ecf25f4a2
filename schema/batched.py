"""Resolvers that also come in a batch form.

`@batched(many)`, under `@strawberry.field`, marks a resolver whose values for
many objects `many(info, objects, **arguments)` gives at once, one per object,
in order. A planned run calls `many` once for all the objects of a level,
with one DataLoader load for all of them; graphql-core calls the resolver,
object by object, and the resolver is `many` of one (`one_of`), so both run
the same code.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

R = TypeVar("R")
Many = Callable[..., Awaitable[Sequence[Any]]]


def batched(many: Many) -> Callable[[Callable[..., R]], Callable[..., R]]:
    def mark(resolver: Callable[..., R]) -> Callable[..., R]:
        resolver.many = many  # type: ignore[attr-defined]
        return resolver

    return mark


async def one_of(many: Many, info: Any, root: Any, **arguments: Any) -> Any:
    return (await many(info, [root], **arguments))[0]
