"""A Strawberry extension: a span per GraphQL operation, current while it runs (so
its database commands are its children), with a child each for parsing,
validation and execution. Its own rather than Strawberry's OpenTelemetryExtension,
which records the query's text and a span per resolver: the text may quote a
person, and a span per field of a 6,000-field answer costs more than the answer."""

from collections.abc import Iterator

from opentelemetry.trace import Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension

from memberdir.edge.graphql_accounting import operation_label


class TracedOperation(SchemaExtension):
    def __init__(self, tracer: Tracer):
        self.tracer = tracer

    def on_operation(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("graphql.operation") as span:
            yield
            context = self.execution_context
            name = operation_label(context.operation_name)
            try:
                kind = context.operation_type.value
            except RuntimeError:  # no operation to run (a parse error, an unknown operationName)
                kind = "operation"
            span.update_name(f"{kind} {name}")
            span.set_attributes({"graphql.operation.name": name, "graphql.operation.type": kind})
            result = context.result
            errors = result.errors if result is not None and result.errors else context.pre_execution_errors
            if errors:
                span.set_status(Status(StatusCode.ERROR))
                span.set_attribute("graphql.errors", len(errors))

    def on_parse(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("graphql.parse"):
            yield

    def on_validate(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("graphql.validate"):
            yield

    def on_execute(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("graphql.execute"):
            yield
