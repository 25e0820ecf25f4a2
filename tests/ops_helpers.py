"""Helpers shared by the observability tests (tests/ops/)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from datastore.client import Database, connect
from memberdir.app import create_app
from memberdir.edge.database_commands import DATABASE_COMMANDS
from memberdir.embedded.ferretdb import EmbeddedFerretDB
from memberdir.settings import Settings


@asynccontextmanager
async def observed_app(
    ferretdb: EmbeddedFerretDB, directory: Database, settings: Settings | None = None, **app_options
) -> AsyncIterator[tuple[AsyncClient, Starlette]]:
    """An app over the test directory through a client that, as `memberdir serve`'s
    does, reports its commands to the request being served."""
    db = connect(ferretdb.uri, directory.name, listeners=[DATABASE_COMMANDS])
    app = create_app(settings or Settings(), database=db, **app_options)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app
    finally:
        await db.close()
