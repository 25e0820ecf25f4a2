"""A request's operation and variables, checked once before anything runs.

- A document with several operations needs `operationName`: Strawberry would
  run the first one, which the client may not have meant.
- Coerced here, as graphql-core's execution would: a value of the wrong type
  is then a request error (it never ran: GraphQL over HTTP's 400 without
  `data`), not an execution result.
- Strings must be Unicode text. JSON can carry a lone surrogate ("\\ud800"),
  which no database driver can encode; GraphQL literals cannot (the lexer
  refuses them), so variables are the one way in. Refused naming the argument
  the variable feeds (`filter.search`), as every bad argument is.
"""

from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
    visit,
)
from graphql.execution.values import get_variable_values
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

MAX_ERRORS = 20


class CheckRequestBeforeExecution(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)] if document else []
        # A request error, as parse errors are: validation is skipped (pre_execution_errors set).
        if len(operations) > 1 and getattr(context, "_provided_operation_name", None) is None:
            context.pre_execution_errors = [
                GraphQLError(
                    f"The document has {len(operations)} operations; name the one to run in `operationName`",
                    extensions={"code": "OPERATION_NAME_REQUIRED"},
                )
            ]
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if operation is not None and context.result is None:
            errors = _coercion_errors(context.schema._schema, operation, context.variables or {})
            errors = errors or _lone_surrogates(document, context.variables or {})
            if errors:
                context.result = PreExecutionError(data=None, errors=errors)
        yield


def _coercion_errors(schema: Any, operation: OperationDefinitionNode, variables: dict) -> list[GraphQLError]:
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables, max_errors=MAX_ERRORS)
    return coerced if isinstance(coerced, list) else []


def _lone_surrogates(document: DocumentNode, variables: dict[str, Any]) -> list[GraphQLError]:
    bad = {name for name, value in variables.items() if not _is_text(value)}
    if not bad:
        return []
    errors = []
    for argument, variable in _arguments_fed_by_variables(document):
        if variable in bad:
            bad.discard(variable)
            errors.append(
                GraphQLError(
                    f"Invalid argument '{argument}': variable ${variable} holds a string that is not valid "
                    "Unicode text (a lone surrogate, such as \\ud800)",
                    extensions={"code": "BAD_USER_INPUT", "argument": argument},
                )
            )
    return errors


def _is_text(value: Any) -> bool:
    """Iterative: a deep value costs no stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _arguments_fed_by_variables(document: DocumentNode) -> list[tuple[str, str]]:
    """(argument path, variable name) for every variable used in an argument."""
    found: list[tuple[str, str]] = []

    class Arguments(Visitor):
        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            found.extend(_variables_in(node.value, node.name.value))

    visit(document, Arguments())
    return found


def _variables_in(value: ValueNode, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, VariableNode):
        yield path, value.name.value
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _variables_in(field.value, f"{path}.{field.name.value}")
    elif isinstance(value, ListValueNode):
        for item in value.values:
            yield from _variables_in(item, path)
