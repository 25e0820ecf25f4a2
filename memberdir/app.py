"""The ASGI application: /graphql, /healthz and /readyz."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors

from datastore.client import Database
from memberdir.database import open_database
from memberdir.settings import Settings
from resolvers.context import Context
from schema import build_schema


def _is_internal(error: GraphQLError) -> bool:
    """Mask errors raised while resolving fields, but not those the client caused:
    bad arguments (ours are GraphQLErrors) and bad queries or variables (which
    fail before execution and so have no path)."""
    original = error.original_error
    return error.path is not None and original is not None and not isinstance(original, GraphQLError)


class DirectoryGraphQL(GraphQL):
    def __init__(self, settings: Settings, database: "DatabaseHolder"):
        schema = build_schema(extensions=[lambda: MaskErrors(should_mask_error=_is_internal)])
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
        )
        self.database = database

    async def get_context(self, request, response) -> Context:
        return Context.for_request(self.database.get(), request, response)


class DatabaseHolder:
    """The database, once the lifespan has opened it."""

    def __init__(self) -> None:
        self._db: Database | None = None

    def set(self, db: Database | None) -> None:
        self._db = db

    def get(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Starlette:
    """The app; with `database` given it uses that instead of opening its own."""
    settings = settings or Settings()
    holder = DatabaseHolder()
    holder.set(database)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if database is not None:  # owned by the caller
            yield
            return
        async with open_database(settings, seed_if_empty=True) as db:
            holder.set(db)
            yield
            holder.set(None)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            await holder.get().ping()
        except Exception:  # any failure to answer means not ready
            return JSONResponse({"status": "unavailable", "database": "not answering"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    graphql = DirectoryGraphQL(settings, holder)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
