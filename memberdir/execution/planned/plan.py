"""A query compiled into the work it asks for, once per operation and variables.

graphql-core decides, for every field of every object in an answer, which
resolver to call, coerces that field's arguments again, builds an info object
and wraps each value in awaitables. The plan decides each of those once per
field *of the document*: which attribute or resolver, with which arguments
(coerced and converted to Python once), and how to complete its values.

A plan holds nothing of a request (the request's `info` is passed to it when
it runs), so one plan serves every request that sends the same operation with
the same variables (memberdir.execution.planned.execution keeps the recent ones).

What the plan does not cover (introspection, abstract types, field
extensions, @defer/@stream, mutations) raises `Unplannable`, and graphql-core
runs the operation as before (memberdir.execution.planned.execution).
"""

from collections.abc import Callable
from functools import partial
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

DEFINITION = "strawberry-definition"  # where Strawberry links a GraphQL field to its own


class Unplannable(Exception):
    """Left to graphql-core: the plan does not cover this operation, or this answer."""


@dataclass(slots=True)
class Completion:
    """How a field's value becomes JSON: its GraphQL type, unwrapped once."""

    nullable: bool
    serialize: Callable[[Any], Any] | None = None  # a leaf
    exact: type | None = None  # a leaf's Python type whose values are their own JSON (str for String)
    item: "Completion | None" = None  # a list
    selection: "Selection | None" = None  # an object


@dataclass(slots=True)
class FieldPlan:
    key: str  # the response key: the alias, or the field's name
    completion: Completion
    attribute: str | None = None  # a plain field: read from the object
    typename: str | None = None  # __typename
    # A resolver: caller(info) is the request's call(source), returning a value or an awaitable.
    caller: Callable[["Info"], Callable[[Any], Any]] | None = None
    # A resolver's batch form (schema.batched): batch(info, sources) awaits one value per source.
    batch: Callable[["Info", list[Any]], Any] | None = None


@dataclass(slots=True)
class Selection:
    type: GraphQLObjectType
    origin: type | None  # the Python class of its objects
    fields: list[FieldPlan] = field(default_factory=list)
    names: frozenset[str] = frozenset()  # the fields' names (not their aliases)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


class Info:
    """What the directory's resolvers read from `info`: the request's context,
    and the names of the fields selected on what the field returns."""

    __slots__ = ("context", "selected")

    def __init__(self, context: Any, selected: frozenset[str] = frozenset()):
        self.context = context
        self.selected = selected


class Planner:
    def __init__(self, executor: Any):
        # The graphql-core executor that would otherwise run the operation.
        self.executor = executor
        self.strawberry = executor.schema._strawberry_schema

    def plan(self) -> Selection:
        executor = self.executor
        operation = executor.operation
        if operation.operation.value != "query":
            raise Unplannable("only queries are planned")
        root = executor.schema.query_type
        collected = collect_fields(
            executor.schema, executor.fragments, executor.variable_values, root, operation,
            executor.hide_suggestions,
        )
        return self._selection(root, collected)

    def _selection(self, parent: GraphQLObjectType, collected: Any) -> Selection:
        grouped, defer_usages, _ = collected
        if defer_usages:
            raise Unplannable("@defer")
        definition = parent.extensions.get(DEFINITION)
        names = frozenset(details[0].node.name.value for details in grouped.values())
        selection = Selection(parent, getattr(definition, "origin", None), names=names)
        for key, details in grouped.items():
            selection.fields.append(self._field(parent, key, details))
        return selection

    def _field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> FieldPlan:
        node = details[0].node
        name = node.name.value
        if any(d.defer_usage or d.fragment_variable_values for d in details):
            raise Unplannable("@defer or fragment variables")
        if name == "__typename":
            return FieldPlan(key, Completion(nullable=False, serialize=_same), typename=parent.name)
        definition = parent.fields.get(name)
        strawberry_field = definition.extensions.get(DEFINITION) if definition else None
        if not isinstance(strawberry_field, StrawberryField) or strawberry_field.extensions:
            raise Unplannable(f"{parent.name}.{name}")
        completion = self._completion(definition.type, details)
        if strawberry_field.base_resolver is None:
            return FieldPlan(key, completion, attribute=strawberry_field.python_name)
        arguments = get_argument_values(
            definition, node, self.executor.variable_values, None, self.executor.hide_suggestions
        )
        kwargs = convert_arguments(
            arguments, strawberry_field.arguments, scalar_registry=self.strawberry.schema_converter.scalar_registry,
            config=self.strawberry.config,
        )
        many = getattr(strawberry_field.base_resolver.wrapped_func, "many", None)
        if many is not None:
            return FieldPlan(key, completion, batch=partial(many, **kwargs))
        return FieldPlan(key, completion, caller=_caller(strawberry_field, kwargs, _selected_below(completion)))

    def _completion(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> Completion:
        nullable = True
        if isinstance(type_, GraphQLNonNull):
            nullable, type_ = False, type_.of_type
        if isinstance(type_, GraphQLList):
            return Completion(nullable, item=self._completion(type_.of_type, details))
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            return Completion(nullable, serialize=_serializer(type_), exact=_EXACT.get(type_.name))
        if isinstance(type_, GraphQLObjectType):
            executor = self.executor
            collected = collect_subfields(
                executor.schema, executor.fragments, executor.variable_values, executor.operation,
                type_, details, executor.hide_suggestions,
            )
            return Completion(nullable, selection=self._selection(type_, collected))
        raise Unplannable(f"abstract type {type_}")


def _selected_below(completion: Completion) -> frozenset[str]:
    while completion.item is not None:
        completion = completion.item
    return completion.selection.names if completion.selection is not None else frozenset()


def _caller(
    field: StrawberryField, kwargs: dict[str, Any], selected: frozenset[str]
) -> Callable[[Info], Callable[[Any], Any]]:
    """The resolver bound to its converted arguments: given a request's `info`,
    the call to make for each object (as `self`, or as the root), with an
    `info` that names the fields `selected` on what it returns."""
    resolver = field.base_resolver
    assert resolver is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    parent_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
    function = resolver.wrapped_func

    def for_request(info: Info) -> Callable[[Any], Any]:
        bound = {**kwargs, info_name: Info(info.context, selected)} if info_name else kwargs
        if resolver.self_parameter:
            return partial(function, **bound)  # called with the object as `self`
        if parent_names:
            return lambda source: function(**bound, **{name: source for name in parent_names})
        return lambda source: function(**bound)

    return for_request


def _same(value: Any) -> Any:
    return value


# The built-in scalars take a value of their own Python type unchanged (an Int within 32 bits).
_EXACT = {"String": str, "Boolean": bool, "ID": str, "Int": int}


def _serializer(type_: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    serialize = type_.serialize
    # Skip the built-in scalars' checks for values of their own type.
    exact = _EXACT.get(type_.name)
    if exact is int:
        return lambda value: value if type(value) is int and -(2**31) <= value < 2**31 else serialize(value)
    if exact is not None:
        return lambda value: value if type(value) is exact else serialize(value)
    if isinstance(type_, GraphQLEnumType) and (named := _member_names(type_)) is not None:
        enum_class, names = named

        def by_member(value: Any) -> Any:
            if type(value) is enum_class and (name := names.get(value)) is not None:
                return name
            return serialize(value)

        return by_member
    return serialize


def _member_names(type_: GraphQLEnumType) -> tuple[type, dict[Any, str]] | None:
    """The name Strawberry's serializer gives each member of the Python enum behind
    `type_` (the first whose value matches): looked up, where it compares them one by one."""
    enum_class = getattr(type_, "wrapped_cls", None)
    if enum_class is None:
        return None
    names = {}
    for member in enum_class:
        name = next((name for name, value in type_.values.items() if value.value == member.value), None)
        if name is not None:
            names[member] = name
    return enum_class, names
