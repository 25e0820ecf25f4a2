"""Limits every query is checked against before it runs, as one schema extension.

The document's expanded size (fields once fragments are spread) is checked
before any validation rule runs, so graphql-core's rules that grow faster
than the document (overlapping-field merging) only ever see bounded ones.
Depth, aliases and cost are the project's own rules, which compute each
fragment's figures once (memberdir.execution.shape, memberdir.execution.cost): linear in the document.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from datastore.records.vocabulary import Role
from memberdir.execution.cost import cost_limit_rule, operation_variables
from memberdir.execution.document_cache import MAX_QUERY_CHARACTERS
from memberdir.execution.memo import Memo
from memberdir.execution.shape import DocumentShapes


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


class QueryLimiter(SchemaExtension):
    """Every limit, in one extension: Strawberry sets up each extension's hooks
    anew for every request, about 13 µs apiece.

    - The token limit, while parsing (graphql-core's parser counts).
    - The expanded size, before validation: a document over it is refused
      with no rule run. Worked out once per query text the document cache keeps.
    - Depth, aliases, cost and, in production, introspection for anonymous
      callers: validation rules.
    """

    def __init__(
        self,
        limits: QueryLimits,
        shape_rule: type[ValidationRule],
        cost_rule: type[ValidationRule],
        sizes: Memo[int],
    ):
        self.limits, self.shape_rule, self.cost_rule, self.sizes = limits, shape_rule, cost_rule, sizes

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.limits.max_tokens
        # The shape rule is one class for every request, so validations of a document can be reused.
        rules = [self.shape_rule, self.cost_rule]
        if not self.limits.introspection_for_anonymous and _is_anonymous(context.context):
            rules.append(NoSchemaIntrospectionCustomRule)
        context.validation_rules = (*context.validation_rules, *rules)
        with operation_variables(context.variables):
            yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            query = context.query
            if isinstance(query, str) and len(query) <= MAX_QUERY_CHARACTERS:
                fields = self.sizes.get(query, lambda: DocumentShapes(document).largest().fields)
            else:
                fields = DocumentShapes(document).largest().fields
            if fields > self.limits.max_expanded_fields:
                # Set before validation runs, so Strawberry skips it and answers with this.
                limit = self.limits.max_expanded_fields
                context.pre_execution_errors = [
                    GraphQLError(
                        f"The query has {fields} fields once its fragments are spread, over the limit of "
                        f"{limit}; spread fragments fewer times",
                        extensions={"code": "QUERY_TOO_LARGE", "fields": fields, "limit": limit},
                    )
                ]
        yield


def _is_anonymous(request_context: Any) -> bool:
    viewer = getattr(request_context, "viewer", None)
    return viewer is None or viewer.role is Role.ANONYMOUS


def limit_extensions(
    limits: QueryLimits, measured_cost: Callable[[int], None] | None = None
) -> list[Callable[[], SchemaExtension]]:
    """A factory, so every request gets a fresh extension instance; `measured_cost`
    is told the cost of every operation checked."""
    shape_rule = shape_limit_rule(limits.max_depth, limits.max_aliases)
    cost_rule = cost_limit_rule(limits.max_cost, measured_cost)
    sizes: Memo[int] = Memo()
    return [lambda: QueryLimiter(limits, shape_rule, cost_rule, sizes)]
