"""Limits every query is checked against before it runs, as schema extensions.

The document's expanded size (fields once fragments are spread) is checked
before any validation rule runs, so graphql-core's rules that grow faster
than the document (overlapping-field merging) only ever see bounded ones.
Depth, aliases and cost are the project's own rules, which compute each
fragment's figures once (schema.shape, schema.cost): linear in the document.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from datastore.vocabulary import Role
from schema.cost import cost_limit_rule
from schema.shape import DocumentShapes


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    max_expanded_fields: int = 5_000
    # Production: the schema is no secret (the SDL is published for the
    # gateway), but anonymous callers need not explore it.
    introspection_for_anonymous: bool = True


class ExpandedSizeLimiter(SchemaExtension):
    """Refuses a document whose operations expand past `max_fields`, before validation."""

    def __init__(self, max_fields: int):
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            fields = DocumentShapes(context.graphql_document).largest().fields
            if fields > self.max_fields:
                # Set before validation runs, so Strawberry skips it and answers with this.
                context.pre_execution_errors = [
                    GraphQLError(
                        f"The query has {fields} fields once its fragments are spread, over the limit of "
                        f"{self.max_fields}; spread fragments fewer times",
                        extensions={"code": "QUERY_TOO_LARGE", "fields": fields, "limit": self.max_fields},
                    )
                ]
        yield


def shape_limit_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """Depth and aliases as Strawberry's limiters count them, each fragment walked once."""

    class ShapeLimits(ValidationRule):
        def __init__(self, context: Any):
            super().__init__(context)
            shapes = DocumentShapes(context.document)
            aliases = sum(shapes.of_operation(o).aliases for o in shapes.operations)
            if aliases > max_aliases:
                context.report_error(GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}"))
            for operation in shapes.operations:
                if shapes.of_operation(operation).depth > max_depth:
                    context.report_error(
                        GraphQLError(f"'{_name(operation)}' exceeds maximum operation depth of {max_depth}", [operation])
                    )

    return ShapeLimits


def _name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


class ShapeLimiter(SchemaExtension):
    def __init__(self, rule: type[ValidationRule]):
        self.rule = rule  # one class for every request, so validations of a document can be reused

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, self.rule)
        yield


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
    shape_rule = shape_limit_rule(limits.max_depth, limits.max_aliases)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ExpandedSizeLimiter(limits.max_expanded_fields),
        lambda: ShapeLimiter(shape_rule),
        lambda: CostLimiter(limits.max_cost, measured_cost),
    ]
    if not limits.introspection_for_anonymous:
        extensions.append(NoIntrospectionForAnonymous)
    return extensions
