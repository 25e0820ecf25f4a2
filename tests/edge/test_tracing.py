"""OpenTelemetry traces (memberdir/tracing): a request's span under the caller's
`traceparent`, its operation's, and its database commands' as children; and
nothing at all when OTEL_EXPORTER_OTLP_ENDPOINT is unset."""

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from datastore.client import connect
from memberdir import tracing
from memberdir.database import open_database
from memberdir.edge.database_commands import DATABASE_COMMANDS
from memberdir.settings import Settings
from tests.security_helpers import client_for

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
QUERY = 'query Lagos { organisation(id: "org_lagos") { name contacts { role person { name } } } }'


def _in_memory() -> tuple[tracing.Tracing, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return tracing.Tracing(provider), exporter


async def test_a_request_traces_its_operation_and_database_commands_under_the_callers_trace(engine, directory):
    traced, exporter = _in_memory()
    db = connect(engine.uri, directory.name, listeners=traced.database_listeners(), traits=engine.traits)
    try:
        async with client_for(db, Settings(), tracing=traced) as http:
            response = await http.post("/graphql", json={"query": QUERY},
                                        headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"})
    finally:
        await db.close()
    assert response.json()["data"]["organisation"]["name"] == "Lagos Rare Disease Foundation"
    spans = exporter.get_finished_spans()
    assert {format(s.context.trace_id, "032x") for s in spans} == {TRACE_ID}
    by_id = {s.context.span_id: s for s in spans}
    [request] = [s for s in spans if s.kind is SpanKind.SERVER]
    assert format(request.parent.span_id, "016x") == CALLER_SPAN and request.parent.is_remote
    assert request.name == "POST /graphql" and request.attributes["http.response.status_code"] == 200
    [operation] = [s for s in spans if s.name == "query Lagos"]
    assert operation.parent.span_id == request.context.span_id
    commands = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert {s.attributes["db.collection.name"] for s in commands} >= {"organisations", "contacts", "people"}
    for command in commands:  # each under the operation (through its execution span)
        ancestors = []
        parent = command.parent
        while parent is not None and parent.span_id in by_id:
            ancestors.append(by_id[parent.span_id].name)
            parent = by_id[parent.span_id].parent
        assert ancestors[-2:] == ["query Lagos", "POST /graphql"], ancestors
        assert "db.query.text" not in command.attributes and command.attributes["db.system.name"] == "mongodb"


@pytest.fixture
def global_spans(monkeypatch) -> InMemorySpanExporter:
    """An in-memory exporter behind OpenTelemetry's global API: any span anything starts lands there."""
    monkeypatch.delenv(tracing.ENDPOINT, raising=False)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    return exporter


async def test_off_without_an_endpoint_nothing_is_installed(directory, engine, global_spans):
    assert tracing.from_environment({}) is None
    assert tracing.from_environment({tracing.ENDPOINT: "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}) is None
    async with client_for(directory, Settings()) as http:
        app = http._transport.app
        # Every span starts from a Tracing (its middleware, extension and listener); none exists.
        assert app.state.tracing is None
        assert not any(isinstance(getattr(m.cls, "__self__", None), tracing.Tracing) for m in app.user_middleware)
        response = await http.post("/graphql", json={"query": QUERY}, headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"})
    assert response.status_code == 200
    assert global_spans.get_finished_spans() == ()
    # The database the app opens for itself has only the per-request command count as a listener.
    async with open_database(Settings(mongodb_uri=engine.uri, database="tracing_off")) as db:
        assert db.client.options.event_listeners == [DATABASE_COMMANDS]


def test_on_with_an_endpoint():
    traced = tracing.from_environment({tracing.ENDPOINT: "http://127.0.0.1:4318", "OTEL_SERVICE_NAME": "directory-eu"})
    assert traced is not None and traced.provider.resource.attributes["service.name"] == "directory-eu"
    traced.provider.shutdown()
