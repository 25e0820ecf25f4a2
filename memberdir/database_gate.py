"""What a client gets while the database is down or cannot write: a clear error,
never a 500 page nor "Unexpected error.".

- `DatabaseGate` answers /graphql with 503 and a GraphQL-shaped JSON error
  while the supervisor knows the database is unavailable (the engine restarts,
  or cannot write), before any work is done;
- `DatabaseErrors` turns a database error met during execution into the same
  error: a lost connection (the engine died mid-request, or MONGODB_URI
  stopped answering) and the server's own failure (InternalError,
  OutOfDiskSpace) always; any other database error when a fresh write probe
  fails too (a full disk: the engine answers, but refuses every write). Any
  other database error while the database writes is a fault of ours, masked
  as usual. The change that met the error was not acknowledged (one already
  claimed may still be completed by recovery; a retry with the same
  clientMutationId says which).
"""

from collections.abc import Awaitable, Callable

from graphql import GraphQLError
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

CODE = "DATABASE_UNAVAILABLE"
MESSAGE = "The database is unavailable; try again in a few seconds"


class DatabaseGate:
    def __init__(self, app: ASGIApp, available: Callable[[], bool]):
        self.app = app
        self.available = available

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.available():
            response = JSONResponse(
                {"errors": [{"message": MESSAGE, "extensions": {"code": CODE}}]},
                status_code=503,
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _writes() -> bool:
    return True


class DatabaseErrors(SchemaExtension):
    """`writes`: a fresh verdict on whether the database writes (the supervisor's probe)."""

    def __init__(self, *, writes: Callable[[], Awaitable[bool]] = _writes):
        self.writes = writes

    async def on_operation(self):  # type: ignore[override]
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        met = [e.original_error for e in result.errors if isinstance(e.original_error, PyMongoError)]
        if not met:
            return
        # A lost connection needs no probe; any other error asks for one (which
        # also tells the supervisor at once), and counts if writes fail now.
        writes = all(isinstance(error, ConnectionFailure) for error in met) or await self.writes()

        def unavailable(error: Exception | None) -> bool:
            return isinstance(error, PyMongoError) and (not writes or _engine_failure(error))

        result.errors = [
            GraphQLError(MESSAGE, path=e.path, extensions={"code": CODE}) if unavailable(e.original_error) else e
            for e in result.errors
        ]


# The server's own failure, whatever a probe says: InternalError (how SecantusDB
# reports a write that found no room, or WiredTiger's panic) and OutOfDiskSpace.
ENGINE_FAILURE_CODES = frozenset({1, 14031})


def _engine_failure(error: PyMongoError) -> bool:
    if isinstance(error, ConnectionFailure):
        return True
    return isinstance(error, OperationFailure) and error.code in ENGINE_FAILURE_CODES
