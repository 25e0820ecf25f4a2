"""A PyMongo command listener: a CLIENT span per database command, a child of the
span current when the command is sent (PyMongo's async client publishes the
event in the task that sends it).

Only within a trace: commands sent by background work outside any request (the
outbox loop, the health probe, recovery) start no trace of their own, which
would be a trace a second from the outbox loop alone. The command's name and collection are recorded,
never its filter or documents (they hold people's details).
"""

import threading

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from pymongo import monitoring


class CommandSpans(monitoring.CommandListener):
    def __init__(self, tracer: Tracer):
        self.tracer = tracer
        self._open: dict[tuple, Span] = {}
        self._lock = threading.Lock()  # PyMongo may publish from its own threads too

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not trace.get_current_span().get_span_context().is_valid:
            return
        collection = event.command.get(event.command_name)
        collection = collection if isinstance(collection, str) else None
        attributes = {"db.system.name": "mongodb", "db.namespace": event.database_name,
                      "db.operation.name": event.command_name}
        if collection:
            attributes["db.collection.name"] = collection
        if event.connection_id:
            host, port = event.connection_id
            attributes |= {"server.address": host, "server.port": port}
        name = f"{event.command_name} {collection}" if collection else event.command_name
        span = self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        with self._lock:
            self._open[_key(event)] = span

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        with self._lock:
            span = self._open.pop(_key(event), None)
        if span is not None:
            span.end()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        with self._lock:
            span = self._open.pop(_key(event), None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, str(event.failure.get("codeName", "failed"))))
            span.end()


def _key(event: monitoring.CommandStartedEvent | monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent) -> tuple:
    return event.connection_id, event.request_id
