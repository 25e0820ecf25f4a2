"""Validation done once per document, not once per request.

graphql-core's validation walks the whole document with some twenty rules:
half a millisecond of CPU for `{ __typename }`, most of a small query's cost.
Every rule but one depends only on the document and on which rules run (the
viewer decides one of them), never on the variables, so a document they found
valid stays valid. The exception is the cost rule (schema.cost), which reads
the variables, and it looks at operation definitions only. So a document
already found valid under the same rules is checked again by such
`VariableRule`s alone: with every other rule silent, their errors are all the
errors the whole validation would report, in the same order.

Only documents found valid are remembered (invalid ones are validated again,
which costs no more than before), at most MAX_DOCUMENTS of them, each of at
most MAX_QUERY_CHARACTERS, so a client sending endless new queries cannot
grow the memory.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, TypeInfo, ValidationRule
from graphql.validation import ValidationContext
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

MAX_DOCUMENTS = 512
MAX_QUERY_CHARACTERS = 16_384
MAX_ERRORS = 100  # graphql-core's validate() default, which Strawberry keeps


class VariableRule(ValidationRule):
    """A rule whose verdict depends on the variables, so it runs on every request.
    It may act only in `enter_operation_definition` (the cache calls nothing else)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
        raise NotImplementedError


class KnownValidDocuments:
    """The (query, parse options, rules) last found valid, least recently used dropped first."""

    def __init__(self, size: int = MAX_DOCUMENTS, max_characters: int = MAX_QUERY_CHARACTERS):
        self.size, self.max_characters = size, max_characters
        self._valid: OrderedDict[Hashable, None] = OrderedDict()

    def key(self, query: str, parse_options: dict[str, Any], rules: Sequence[type]) -> Hashable | None:
        """What identifies a validation's outcome; None for a query too long to remember."""
        if len(query) > self.max_characters:
            return None
        return query, tuple(sorted(parse_options.items())), tuple(rules)

    def __contains__(self, key: Hashable) -> bool:
        if key not in self._valid:
            return False
        self._valid.move_to_end(key)
        return True

    def add(self, key: Hashable) -> None:
        self._valid[key] = None
        if len(self._valid) > self.size:
            self._valid.popitem(last=False)


def variable_rule_errors(
    schema: GraphQLSchema, document: DocumentNode, rules: Sequence[type[VariableRule]]
) -> list[GraphQLError]:
    """What `rules` report on `document`, as graphql-core's validate() would (error limit included)."""
    errors: list[GraphQLError] = []

    def on_error(error: GraphQLError) -> None:
        if len(errors) >= MAX_ERRORS:
            raise ValidationAbortedError("Too many validation errors, error limit reached. Validation aborted.")
        errors.append(error)

    context = ValidationContext(schema, document, TypeInfo(schema), on_error)
    visitors = [rule(context) for rule in rules]
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                for visitor in visitors:
                    visitor.enter_operation_definition(definition)
    except ValidationAbortedError as error:
        error.__context__ = None
        errors.append(error.with_traceback(None))
    return errors


class ReuseValidation(SchemaExtension):
    """Skips the document-only rules for a document they already found valid.
    Listed after every extension that sets validation rules or refuses before validation."""

    def __init__(self, known: KnownValidDocuments):
        self.known = known

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key = None
        if (
            context.pre_execution_errors is None  # validation will run
            and context.validation_rules
            and context.graphql_document is not None
            and isinstance(context.query, str)
        ):
            document_rules = [r for r in context.validation_rules if not issubclass(r, VariableRule)]
            key = self.known.key(context.query, context.parse_options, document_rules)
            if key is not None and key in self.known:
                variable_rules = [r for r in context.validation_rules if issubclass(r, VariableRule)]
                context.pre_execution_errors = variable_rule_errors(
                    context.schema._schema, context.graphql_document, variable_rules
                )
                key = None
        yield
        if key is not None and context.pre_execution_errors == []:
            self.known.add(key)


def reuse_validation(known: KnownValidDocuments | None = None) -> Callable[[], ReuseValidation]:
    """A factory of the extension, every request's instance sharing one memory."""
    known = known or KnownValidDocuments()
    return lambda: ReuseValidation(known)
