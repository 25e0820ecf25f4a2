"""A query's cost: an upper bound of the list items it can return, before anything runs.

In the manner of GitHub's GraphQL API, sizes multiply along a path: a list
asked for with `first: N` holds up to N items, each of which may ask for its
own lists. Every list has a bound the cost knows (resolvers.list_sizes): a
connection's or a plain list's `first` (its default when not given, counted
at most at the field's maximum, over which the resolver refuses it), the
vocabulary's length for fixed lists (countries, statistics buckets, enum
values), the number of representations for `_entities`. A connection's page
is counted once for each of `edges` and `nodes` asked for (once if neither).
So the cost bounds the objects in the answer; tests check it does.

Each fragment's cost is computed once and reused wherever it is spread (cost
is proportional to the multiplier it is spread under), so the rule is linear
in the document however its fragments fan out.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from resolvers import duplicates, groups, invitations, list_sizes, matching, nodes, organisations, people, periods, trends
from memberdir.execution.document_cache import VariableRule

# The largest `first` each field accepts; over it the resolver refuses the query.
FIRST_MAXIMA: dict[str, int] = {
    "Query.organisations": organisations.MAX_PAGE,
    "Query.people": people.MAX_PAGE,
    "Organisation.people": organisations.MAX_PAGE,
    "WorkingGroup.roster": groups.MAX_ROSTER_PAGE,
    "Query.workingGroups": list_sizes.WORKING_GROUPS.maximum,
    "WorkingGroup.organisations": list_sizes.GROUP_ORGANISATIONS.maximum,
    "WorkingGroup.children": list_sizes.GROUP_CHILDREN.maximum,
    "WorkingGroup.chairs": list_sizes.GROUP_CHAIRS.maximum,
    "Organisation.workingGroups": list_sizes.ORGANISATION_GROUPS.maximum,
    "Organisation.contacts": list_sizes.ORGANISATION_CONTACTS.maximum,
    "Person.roles": list_sizes.PERSON_ROLES.maximum,
    "Person.groups": list_sizes.PERSON_TENURES.maximum,
    "Person.communications": list_sizes.PERSON_COMMUNICATIONS.maximum,
    "Person.subscriptions": list_sizes.PERSON_COMMUNICATIONS.maximum,
    "Viewer.manages": list_sizes.VIEWER_MANAGES.maximum,
    "Viewer.chairs": list_sizes.VIEWER_CHAIRS.maximum,
    "Query.organisationsNeedingPrimary": list_sizes.NEEDS_PRIMARY.maximum,
    "Query.duplicateCandidates": duplicates.MAX_PAGE,
    "WorkingGroup.invitations": invitations.MAX_PAGE,
    "Person.invitations": invitations.MAX_PAGE,
    "Query.matchAffiliation": matching.MAX_FIRST,
}
# Lists whose length the vocabulary fixes.
FIXED_LISTS: dict[str, int] = {
    "Query.countries": list_sizes.COUNTRIES,
    "Query.membershipStats": list_sizes.STAT_BUCKETS,
    "Query.nodes": nodes.MAX_NODES,
    "Membership.history": list_sizes.MEMBERSHIP_HISTORY,
    "IndividualMembership.history": list_sizes.MEMBERSHIP_HISTORY,
    "Change.fields": list_sizes.CHANGED_FIELDS,
    "UserError.field": list_sizes.ERROR_PATH,
    **{f"{payload}.userErrors": list_sizes.USER_ERRORS
       for payload in ("OrganisationPayload", "PersonPayload", "RosterEntryPayload", "WorkingGroupPayload",
                       "InvitationPayload", "WebhookEndpointPayload")},
    "Query.webhookEndpoints": list_sizes.WEBHOOK_ENDPOINTS,
    "StatBucket.breakdown": list_sizes.STAT_BUCKETS,
    "Query.membershipTrend": periods.MAX_PERIODS,
    "Query.individualMembershipTrend": periods.MAX_PERIODS,
    "TrendPoint.leftBy": len(trends.LEFT_STATUSES),
    "DuplicateCandidate.records": duplicates.PAIR,
    "DuplicateCandidate.reasons": duplicates.MAX_REASONS,
    "UnmergePayload.records": duplicates.PAIR,
    "UnmergePayload.userErrors": list_sizes.USER_ERRORS,
    "Organisation.aliases": matching.MATCHING_NAMES,
    "Organisation.acronyms": matching.MATCHING_NAMES,
}
# Never reached for a schema whose lists all have a bound (a test checks that);
# a list added without one is counted large rather than small.
UNKNOWN_LIST_SIZE = max(FIRST_MAXIMA.values())


def _is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList)


def _is_connection(type_: GraphQLNamedType) -> bool:
    return type_.name.endswith("Connection")


def list_bound(parent: GraphQLNamedType, name: str, field: GraphQLField) -> int | None:
    """The most items a list field can hold without looking at arguments, or None if it has no known bound."""
    coordinate = f"{parent.name}.{name}"
    if coordinate in FIRST_MAXIMA:
        return FIRST_MAXIMA[coordinate]
    if coordinate in FIXED_LISTS:
        return FIXED_LISTS[coordinate]
    if _is_connection(parent) and name in ("edges", "nodes"):
        return 1  # relative to the page its connection counted
    named = get_named_type(field.type)
    if isinstance(named, GraphQLEnumType):
        return len(named.values)  # sectors, designations: each value at most once
    return None


class QueryCost:
    def __init__(self, context: Any, variables: Mapping[str, Any]):
        self.context, self.variables = context, variables
        self._fragments: dict[tuple[str, str, int], int] = {}
        self._page_lists: dict[str, int] = {}
        self._in_progress: set[str] = set()
        self.nodes_walked = 0
        # Buckets in each StatBucket.breakdown: the `thenBy` of the membershipStats around it.
        self._breakdown = list_sizes.STAT_BUCKETS

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                if isinstance(argument.value, VariableNode):
                    return self.variables.get(argument.value.name.value)
                return value_from_ast_untyped(argument.value)
        return None

    def size(self, parent: GraphQLNamedType, field: GraphQLField, node: FieldNode) -> int | None:
        """How many items this field returns per parent, or None for a single value."""
        coordinate = f"{parent.name}.{node.name.value}"
        if coordinate == "Query.membershipStats":
            return list_sizes.stat_buckets(self.argument(node, "by"))
        if coordinate == "StatBucket.breakdown":
            return self._breakdown
        if "first" in field.args:
            first = self.argument(node, "first")
            if not isinstance(first, int) or isinstance(first, bool):
                first = field.args["first"].default_value
            maximum = FIRST_MAXIMA.get(coordinate, UNKNOWN_LIST_SIZE)
            return min(max(first, 0), maximum) if isinstance(first, int) else maximum
        if "representations" in field.args:  # federation's _entities
            given = self.argument(node, "representations")
            return len(given) if isinstance(given, list) else UNKNOWN_LIST_SIZE
        if not _is_list(field):
            return None
        bound = list_bound(parent, node.name.value, field)
        return UNKNOWN_LIST_SIZE if bound is None else bound

    def of(self, selections: SelectionSetNode, parent: GraphQLNamedType, times: int) -> int:
        """Items under `selections`, reached `times` times. Linear in `times`, so fragments
        are costed once at times=1 and scaled."""
        total = 0
        schema = self.context.schema
        for selection in selections.selections:
            self.nodes_walked += 1
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                field = fields.get(selection.name.value)
                if field is None:  # __typename, introspection, or unknown (another rule reports it)
                    continue
                size = self.size(parent, field, selection)
                here = times * size if size is not None else times
                child = get_named_type(field.type)
                if _is_connection(child) and size is not None:
                    # The page, once per list of it asked for (edges, nodes), at least once.
                    total += here * max(1, self.page_lists(selection.selection_set, child))
                elif size is not None and not (_is_connection(parent) and selection.name.value in ("edges", "nodes")):
                    total += here
                if selection.selection_set:
                    outer = self._breakdown
                    if f"{parent.name}.{selection.name.value}" == "Query.membershipStats":
                        then_by = self.argument(selection, "thenBy")
                        self._breakdown = 0 if then_by is None else list_sizes.stat_buckets(then_by)
                    total += self.of(selection.selection_set, child, here)
                    self._breakdown = outer
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = schema.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, kind or parent, times)
            elif isinstance(selection, FragmentSpreadNode):
                total += times * self.fragment(selection.name.value, parent)
        return total

    def fragment(self, name: str, parent: GraphQLNamedType) -> int:
        definition = self.context.get_fragment(name)
        if definition is None or name in self._in_progress:  # unknown or a cycle: other rules report it
            return 0
        kind = self.context.schema.get_type(definition.type_condition.name.value) or parent
        key = (name, kind.name, self._breakdown)
        if key not in self._fragments:
            self._in_progress.add(name)
            self._fragments[key] = self.of(definition.selection_set, kind, 1)
            self._in_progress.discard(name)
        return self._fragments[key]

    def page_lists(self, selections: SelectionSetNode | None, connection: GraphQLNamedType) -> int:
        """How many of `edges` and `nodes` a connection's selection asks for (fragments included)."""
        count = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                count += selection.name.value in ("edges", "nodes")
            elif isinstance(selection, InlineFragmentNode):
                count += self.page_lists(selection.selection_set, connection)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in self._page_lists and name not in self._in_progress:
                    definition = self.context.get_fragment(name)
                    self._in_progress.add(name)
                    found = self.page_lists(definition.selection_set, connection) if definition else 0
                    self._in_progress.discard(name)
                    self._page_lists[name] = found
                count += self._page_lists.get(name, 0)
        return count


# The variables of the operation being validated. graphql-core makes a rule
# from its class and the document alone, and one class per limiter (not one
# per request: making a class costs more than costing most queries) reads
# them here; memberdir.execution.limits sets them for each operation.
_VARIABLES: ContextVar[Mapping[str, Any]] = ContextVar("operation_variables", default={})


@contextmanager
def operation_variables(variables: Mapping[str, Any] | None) -> Iterator[None]:
    """The cost rule reads `variables` within `with`."""
    token = _VARIABLES.set(dict(variables or {}))
    try:
        yield
    finally:
        _VARIABLES.reset(token)


def cost_limit_rule(max_cost: int, measured: Callable[[int], None] | None = None) -> type[ValidationRule]:
    """A validation rule refusing operations whose cost (under operation_variables)
    is over `max_cost`; `measured` is told every operation's cost (for reporting and rate limits)."""

    class CostLimit(VariableRule):  # reads the variables: run on every request (memberdir.execution.document_cache)
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            values = {
                d.variable.name.value: value_from_ast_untyped(d.default_value)
                for d in node.variable_definitions or ()
                if d.default_value is not None
            } | _VARIABLES.get()
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost = QueryCost(self.context, values).of(node.selection_set, root, 1)
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

    class Record(cost_limit_rule(-1)):  # type: ignore[misc]
        def report_error(self, error: GraphQLError) -> None:
            found.append(error.extensions["cost"])

    with operation_variables(variables):
        validate(schema, parse(query), [Record])
    return sum(found)
