"""A document is parsed and validated once, not once per request.

Clients send the same few query texts again and again. Parsing one is
0.02-0.1 ms of CPU; validating it, graphql-core walking it with some twenty
rules, 0.5 ms for `{ __typename }`: most of a small query's cost.

- Parsing depends on the text and the parse options only, so the document
  parsed from a text is kept and reused (nothing changes a parsed document).
  Texts that fail to parse are parsed again each time, as before.
- Every validation rule but one depends only on the document and on which
  rules run (the viewer decides one of them), never on the variables, so a
  document they found valid stays valid under the same rules. The exception
  is the cost rule (memberdir.execution.cost), which reads the variables and looks at
  operation definitions only: a `VariableRule`. So for a document already
  found valid under the same rules, the `VariableRule`s alone run again; with
  every other rule silent, their errors are all the errors the whole
  validation would report, in the same order. A document found invalid is
  validated again each time, as before.

The memory is bounded (entries, characters each and in all; least recently
used dropped first), so a client sending endless new queries cannot grow it:
a parsed document takes about a hundred bytes per character of its text.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, TypeInfo, ValidationRule
from graphql.validation import ValidationContext
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from datastore.erasure import forget_on_erasure

MAX_DOCUMENTS = 256
MAX_QUERY_CHARACTERS = 4_096
MAX_TOTAL_CHARACTERS = 262_144  # about 25 MB of parsed documents at most
MAX_RULE_SETS = 4  # per document: one per kind of viewer, in practice
MAX_ERRORS = 100  # graphql-core's validate() default, which Strawberry keeps


class VariableRule(ValidationRule):
    """A rule whose verdict depends on the variables, so it runs on every request.
    It may act only in `enter_operation_definition` (the cache calls nothing else)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
        raise NotImplementedError


@dataclass
class KnownDocument:
    document: DocumentNode
    valid_under: set[tuple[type, ...]] = field(default_factory=set)  # document-only rule sets that passed it


class KnownDocuments:
    """Parsed documents by (query text, parse options), least recently used dropped first."""

    def __init__(
        self,
        size: int = MAX_DOCUMENTS,
        max_characters: int = MAX_QUERY_CHARACTERS,
        max_total_characters: int = MAX_TOTAL_CHARACTERS,
    ):
        self.size, self.max_characters, self.max_total_characters = size, max_characters, max_total_characters
        self._known: OrderedDict[Hashable, KnownDocument] = OrderedDict()
        self._characters = 0
        forget_on_erasure(self)  # a query's text may hold a person's name or address

    def clear(self) -> None:
        self._known.clear()
        self._characters = 0

    @staticmethod
    def key(query: str, parse_options: dict[str, Any]) -> Hashable:
        return query, tuple(sorted(parse_options.items()))

    def get(self, query: str, parse_options: dict[str, Any]) -> KnownDocument | None:
        key = self.key(query, parse_options)
        known = self._known.get(key)
        if known is not None:
            self._known.move_to_end(key)
        return known

    def add(self, query: str, parse_options: dict[str, Any], document: DocumentNode) -> KnownDocument | None:
        """Remember `document`, parsed from `query`; None when it is too long to."""
        if len(query) > self.max_characters:
            return None
        key = self.key(query, parse_options)
        if key in self._known:
            return self._known[key]
        known = self._known[key] = KnownDocument(document)
        self._characters += len(query)
        while len(self._known) > self.size or self._characters > self.max_total_characters:
            (dropped, _), _ = self._known.popitem(last=False)
            self._characters -= len(dropped)
        return known


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


class ReuseDocuments(SchemaExtension):
    """Parses and validates through the shared memory. Listed after every extension that
    sets parse options or validation rules, or refuses a document before validation."""

    def __init__(self, known: KnownDocuments):
        self.known = known
        self.document: KnownDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and isinstance(query, str):
            self.document = self.known.get(query, context.parse_options)
            if self.document is not None:
                context.graphql_document = self.document.document  # Strawberry then parses nothing
        yield
        if self.document is None and context.graphql_document is not None and isinstance(query, str):
            self.document = self.known.add(query, context.parse_options, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        known, checked = self.document, None
        if known is not None and context.pre_execution_errors is None and context.validation_rules:
            document_rules = tuple(r for r in context.validation_rules if not issubclass(r, VariableRule))
            if document_rules in known.valid_under:
                variable_rules = [r for r in context.validation_rules if issubclass(r, VariableRule)]
                context.pre_execution_errors = variable_rule_errors(
                    context.schema._schema, known.document, variable_rules
                )
            else:
                checked = document_rules
        yield
        if checked is not None and context.pre_execution_errors == [] and len(known.valid_under) < MAX_RULE_SETS:
            known.valid_under.add(checked)


def reuse_documents(known: KnownDocuments | None = None) -> Callable[[], ReuseDocuments]:
    """A factory of the extension, every request's instance sharing one memory."""
    known = known or KnownDocuments()
    return lambda: ReuseDocuments(known)
