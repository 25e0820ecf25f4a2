"""What a client gets while the database is down: a clear error, never a 500 page.

- `DatabaseGate` answers /graphql with 503 and a GraphQL-shaped JSON error
  while the supervisor knows the engine is down, before any work is done;
- `DatabaseErrors` turns a lost connection met during execution (the engine
  died mid-request, or MONGODB_URI stopped answering) into the same error.
"""

from collections.abc import Callable

from graphql import GraphQLError
from pymongo.errors import ConnectionFailure
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


class DatabaseErrors(SchemaExtension):
    def on_operation(self):  # type: ignore[override]
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [
            GraphQLError(MESSAGE, path=e.path, extensions={"code": CODE})
            if isinstance(e.original_error, ConnectionFailure) else e
            for e in result.errors
        ]
