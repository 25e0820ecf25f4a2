"""OpenTelemetry traces: a span per request, per GraphQL operation (with its parse,
validation and execution) and per database command.

On only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and `OTEL_SDK_DISABLED` is
not `true`): then spans go over OTLP
(HTTP/protobuf; the SDK's own OTEL_* variables apply: service name, headers,
sampling). Unset, `from_environment()` is None and nothing is installed: no
middleware, no schema extension, no command listener, and the OpenTelemetry
packages are not even imported, so tracing costs nothing when off.

A caller's W3C `traceparent` (Apollo Router sends one) makes the request's
span a child of the caller's, so the router's trace and ours are one. No span
records a query's text, its variables or a database command's filter: they
may hold a person's name or address.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer, TracerProvider
    from pymongo.monitoring import CommandListener
    from starlette.types import ASGIApp
    from strawberry.extensions import SchemaExtension

ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
INSTRUMENTATION = "memberdir"


@dataclass(frozen=True)
class Tracing:
    provider: "TracerProvider"

    @property
    def tracer(self) -> "Tracer":
        return self.provider.get_tracer(INSTRUMENTATION)

    def requests(self, app: "ASGIApp") -> "ASGIApp":
        from memberdir.tracing.requests import TracedRequests

        return TracedRequests(app, self.tracer)

    def operations(self) -> Callable[[], "SchemaExtension"]:
        from memberdir.tracing.operations import TracedOperation

        tracer = self.tracer
        return lambda: TracedOperation(tracer)

    def database_listeners(self) -> list["CommandListener"]:
        from memberdir.tracing.database import CommandSpans

        return [CommandSpans(self.tracer)]


def from_environment(environ: Mapping[str, str] = os.environ) -> Tracing | None:
    """Tracing exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; else None."""
    if not environ.get(ENDPOINT, "").strip() or environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the default name.
    resource = Resource.create({SERVICE_NAME: "memberdir"} | _named_by_environment(environ))
    provider = TracerProvider(resource=resource)  # flushed at exit (the SDK's atexit hook)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return Tracing(provider)


def _named_by_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    name = environ.get("OTEL_SERVICE_NAME", "").strip()
    return {"service.name": name} if name else {}
