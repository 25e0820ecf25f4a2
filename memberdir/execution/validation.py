"""Validation errors that name the argument at fault.

graphql-core reports a bad literal ('first: "ten"', 'orderBy: SIDEWAYS') with
only a location; clients and their logs want the argument's name, as our own
argument checks give it (resolvers.errors.BadArgument). graphql-core 3.3 checks
a whole argument literal at once and tells where inside it the fault is, so the
name is the argument plus that path: 'filter.continents'.
"""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import GraphQLError
from graphql.language import SKIP, VisitorAction
from graphql.utilities import validate_input_literal
from graphql.validation import ASTValidationRule, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension


class ValuesOfCorrectTypeNamingArguments(ValuesOfCorrectTypeRule):
    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._argument: str | None = None

    def enter_argument(self, node: Any, *_args: Any) -> None:
        self._argument = node.name.value

    def leave_argument(self, *_args: Any) -> None:
        self._argument = None

    def is_valid_value_node(self, node: Any, input_type: Any) -> VisitorAction:
        if input_type and self._argument:
            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                self.report_error(self._named(error, path))

            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
            return SKIP
        return super().is_valid_value_node(node, input_type)

    def _named(self, error: GraphQLError, path: list[str | int]) -> GraphQLError:
        # List positions are left out: 'filter.continents', not 'filter.continents.0'.
        argument = ".".join([self._argument or "", *(p for p in path if isinstance(p, str))])
        return GraphQLError(
            f"Invalid argument '{argument}': {error.message}",
            error.nodes,
            extensions={"code": "BAD_USER_INPUT", "argument": argument},
        )


class NameArgumentsInValidationErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = _naming_arguments(context.validation_rules)
        yield


@lru_cache(maxsize=16)
def _naming_arguments(rules: tuple[type[ASTValidationRule], ...]) -> tuple[type[ASTValidationRule], ...]:
    # Every request starts from the same few sets of rules: work each one out once.
    return tuple(ValuesOfCorrectTypeNamingArguments if rule is ValuesOfCorrectTypeRule else rule for rule in rules)
