"""Limits every query is checked against before it runs, as schema extensions."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from datastore.vocabulary import Role
from schema.cost import cost_limit_rule


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    # Production: the schema is no secret (the SDL is published for the
    # gateway), but anonymous callers need not explore it.
    introspection_for_anonymous: bool = True


class CostLimiter(SchemaExtension):
    """Refuses operations whose page sizes multiply past `max_cost` (schema.cost)."""

    def __init__(self, max_cost: int, measured: Callable[[int], None] | None = None):
        self.max_cost, self.measured = max_cost, measured

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        rule = cost_limit_rule(self.max_cost, context.variables, self.measured)
        context.validation_rules = (*context.validation_rules, rule)
        yield


class NoIntrospectionForAnonymous(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        viewer = getattr(context.context, "viewer", None)
        if viewer is None or viewer.role is Role.ANONYMOUS:
            context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
        yield


def limit_extensions(
    limits: QueryLimits, measured_cost: Callable[[int], None] | None = None
) -> list[Callable[[], SchemaExtension]]:
    """Factories, so every request gets fresh extension instances; `measured_cost`
    is told the cost of every operation checked."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: CostLimiter(limits.max_cost, measured_cost),
    ]
    if not limits.introspection_for_anonymous:
        extensions.append(NoIntrospectionForAnonymous)
    return extensions
