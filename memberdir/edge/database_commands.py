"""Database commands counted and timed for the request that sent them.

A PyMongo command listener (command monitoring) sees every command; it adds
each one to the current request's record (edge.request_record), which the
access log and the metrics read. Commands sent outside a request (start-up,
seeding, the CLI) belong to no request and are not counted.
"""

from pymongo import monitoring

from datastore import reads
from memberdir.edge.request_record import current_request

# Connection upkeep, not work done for the request.
_NOT_COUNTED = frozenset({"hello", "isMaster", "ismaster", "saslStart", "saslContinue", "endSessions"})


def _collection_of(event: monitoring.CommandStartedEvent) -> str:
    target = event.command.get(event.command_name)
    if event.command_name == "getMore":
        target = event.command.get("collection")
    return target if isinstance(target, str) else "-"


class DatabaseCommandMonitor(monitoring.CommandListener):
    """PyMongo's async client reports a command from the task that sent it, so
    the request's record is current both when it starts and when it ends. A
    command cancelled mid-way (the deadline) stays pending in its record and
    goes with it."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in _NOT_COUNTED:
            reads.note(_collection_of(event))  # what an answer depends on (datastore.reads)
        record = current_request()
        if record is not None and event.command_name not in _NOT_COUNTED:
            record.pending_commands[(event.connection_id, event.request_id)] = _collection_of(event)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finish(event)

    def _finish(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent) -> None:
        record = current_request()
        if record is None:
            return
        collection = record.pending_commands.pop((event.connection_id, event.request_id), None)
        if collection is not None:
            record.add_database_command(collection, event.duration_micros / 1_000_000)


# One listener for every client the app opens (memberdir.database passes it).
DATABASE_COMMANDS = DatabaseCommandMonitor()
