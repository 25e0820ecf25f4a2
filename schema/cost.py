"""A query's cost: how many nodes it may return, from the page sizes it asks for.

In the manner of GitHub's GraphQL API: a connection asked for with `first: N`
returns up to N nodes, and each of them may ask for its own nested pages, so
sizes multiply along a path; the cost is the sum over every list in the query.
Plain lists with no `first` (contacts, children, chairs...) count as
ASSUMED_LIST_SIZE each. It is computed from the document and the variables,
before anything runs.
"""

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from resolvers import groups, organisations, people

ASSUMED_LIST_SIZE = 10
# A `first` over its field's cap is refused by the resolver's own argument
# check, which names the argument; the cost counts it at the largest cap.
LARGEST_PAGE = max(groups.MAX_ROSTER_PAGE, organisations.MAX_PAGE, people.MAX_PAGE)


def _is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList)


class _Cost:
    def __init__(self, context: Any, variables: Mapping[str, Any]):
        self.context, self.variables = context, variables

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                if isinstance(argument.value, VariableNode):
                    return self.variables.get(argument.value.name.value)
                return value_from_ast_untyped(argument.value)
        return None

    def size(self, parent: GraphQLNamedType, field: GraphQLField, node: FieldNode) -> int | None:
        """How many items this field returns per parent, or None for a single value."""
        if "first" in field.args:
            first = self.argument(node, "first")
            if not isinstance(first, int) or isinstance(first, bool):
                first = field.args["first"].default_value
            return min(max(first, 0), LARGEST_PAGE) if isinstance(first, int) else ASSUMED_LIST_SIZE
        if "representations" in field.args:  # federation's _entities
            given = self.argument(node, "representations")
            return len(given) if isinstance(given, list) else ASSUMED_LIST_SIZE
        if not _is_list(field):
            return None
        # A connection's edges and nodes are the page its `first` already counted.
        return 1 if parent.name.endswith("Connection") else ASSUMED_LIST_SIZE

    def of(self, selections: SelectionSetNode, parent: GraphQLNamedType, times: int, seen: frozenset[str]) -> int:
        total = 0
        schema = self.context.schema
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                field = fields.get(selection.name.value)
                if field is None:  # __typename, introspection, or unknown (another rule reports it)
                    continue
                size = self.size(parent, field, selection)
                here = times * size if size is not None else times
                if size is not None and size != 1:
                    total += here
                if selection.selection_set:
                    total += self.of(selection.selection_set, get_named_type(field.type), here, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = schema.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, kind or parent, times, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in seen:  # cycles are another rule's error
                    continue
                kind = schema.get_type(fragment.type_condition.name.value) or parent
                total += self.of(fragment.selection_set, kind, times, seen | {name})
        return total


def cost_limit_rule(
    max_cost: int, variables: Mapping[str, Any] | None, measured: Callable[[int], None] | None = None
) -> type[ValidationRule]:
    """A validation rule refusing operations whose cost is over `max_cost`;
    `measured` is told every operation's cost (for reporting and rate limits)."""
    given = dict(variables or {})

    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            values = {
                d.variable.name.value: value_from_ast_untyped(d.default_value)
                for d in node.variable_definitions or ()
                if d.default_value is not None
            } | given
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost = _Cost(self.context, values).of(node.selection_set, root, 1, frozenset())
            if measured is not None:
                measured(cost)
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query cost {cost} is over the limit of {max_cost}: it may return that many nodes. "
                        "Ask for smaller pages (`first`) or fewer nested lists.",
                        node,
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": max_cost},
                    )
                )

    return CostLimit


def query_cost(schema: Any, query: str, variables: Mapping[str, Any] | None = None) -> int:
    """The cost of every operation in `query`, for tests and tools."""
    from graphql import parse, validate

    found: list[int] = []

    class Record(cost_limit_rule(-1, variables)):  # type: ignore[misc]
        def report_error(self, error: GraphQLError) -> None:
            found.append(error.extensions["cost"])

    validate(schema, parse(query), [Record])
    return sum(found)
