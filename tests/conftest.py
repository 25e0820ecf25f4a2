"""A real database server for the whole session, and databases on it.

The engine is the one MEMBERDIR_ENGINE names (the default engine when unset),
started in a temporary folder: `make test` runs the database-facing tests on
each supported engine.

- `directory`: a small hand-made directory (tests/data/directory.json) for
  exact assertions;
- `demo`: the full demo dataset, for paging, statistics and batching at size.
"""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from pymongo import monitoring

from datastore import dataset, demo, generations
from datastore.client import Database, connect
from datastore.documents import MORE_OF_ONE_READ
from datastore.import_checks import check
from datastore.import_reading import read
from datastore.indexes import ensure_indexes
from memberdir.app import create_app
from memberdir.database import settings_engine
from memberdir.embedded.server import EmbeddedEngine
from memberdir.settings import Settings
from resolvers.context import Context
from resolvers.viewer import ANONYMOUS, Viewer
from memberdir.execution import build_schema
from tests.oidc_provider import oidc_provider  # noqa: F401 (a fixture: the test OpenID Connect provider)

DATA = Path(__file__).parent / "data"


class CommandRecorder(monitoring.CommandListener):
    """Counts the database reads and writes a client sends (PyMongo command
    monitoring). A read split into parts for the engine (datastore.documents.find_in)
    counts once: its parts go out together."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command.get("comment") == MORE_OF_ONE_READ:
            return
        if event.command_name not in {"ping", "hello", "isMaster", "ismaster", "endSessions"}:
            with self._lock:
                self.commands.append(f"{event.command_name} {event.command.get(event.command_name)}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        with self._lock:
            self.commands.clear()


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    """Each test starts with no answers kept (datastore.generations), so the
    commands it sees do not depend on the tests before it."""
    generations.KEPT.clear()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = settings_engine(Settings(data_dir=tmp_path_factory.mktemp("engine")))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ferretdb(engine: EmbeddedEngine) -> EmbeddedEngine:
    """The session's engine under the name tests had when FerretDB was the only one."""
    return engine


async def fresh_database(engine: EmbeddedEngine, name: str, recorder: CommandRecorder | None = None) -> Database:
    """An empty database with the directory's indexes, on the session's engine."""
    db = connect(engine.uri, name, listeners=[recorder] if recorder else [], traits=engine.traits)
    await db.drop()
    await ensure_indexes(db)
    return db


async def load_directory(db: Database) -> None:
    """The hand-made directory written directly, as `seed` writes: every record
    at version 1, no audit entries. (The import's own tests run `memberdir import`.)"""
    raws, problems = read([DATA / "directory.json"])
    await dataset.write(db, (await check(db, raws, problems, whole=True)).records())


@asynccontextmanager
async def directory_copy(engine: EmbeddedEngine, name: str) -> AsyncIterator[Database]:
    """A database of its own holding the hand-made directory, for tests that change it."""
    db = await fresh_database(engine, name)
    await load_directory(db)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture(scope="session")
async def directory(engine: EmbeddedEngine) -> AsyncIterator[Database]:
    async with directory_copy(engine, "test_directory") as db:
        yield db


@pytest.fixture(scope="session")
def recorder() -> CommandRecorder:
    return CommandRecorder()


@pytest.fixture(scope="session")
async def demo_db(engine: EmbeddedEngine, recorder: CommandRecorder) -> AsyncIterator[Database]:
    db = await fresh_database(engine, "test_demo", recorder)
    await dataset.write(db, demo.generate(1))
    yield db
    await db.close()


@pytest.fixture(scope="session")
def schema():
    return build_schema()


# The texts in force by default (settings.constitution_version, member_agreement_version):
# what applyForIndividualMembership's acceptedAgreements names in tests.
ACCEPTED_AGREEMENTS = {"constitution": "2024-03", "memberAgreement": "2024-03"}


class Run:
    """Executes GraphQL against one database, failing loudly on unexpected errors.

    As an anonymous caller unless made with `as_viewer`.
    """

    def __init__(self, schema, db: Database, viewer: Viewer = ANONYMOUS):
        self.schema, self.db, self.viewer = schema, db, viewer
        self.removal_notice_days = 30
        self.feed_settle_seconds = 0.2
        self.agreement_versions = Context.agreement_versions  # the settings' defaults

    def as_viewer(self, viewer: Viewer) -> "Run":
        made = Run(self.schema, self.db, viewer)
        made.agreement_versions = self.agreement_versions
        return made

    def _context(self) -> Context:
        context = Context.for_request(self.db, viewer=self.viewer)
        context.removal_notice_days = self.removal_notice_days
        context.agreement_versions = self.agreement_versions
        context.feed_settle_seconds = self.feed_settle_seconds
        return context

    async def __call__(self, query: str, **variables: Any) -> dict:
        result = await self.schema.execute(query, variable_values=variables, context_value=self._context())
        assert result.errors is None, result.errors
        return result.data

    async def errors(self, query: str, **variables: Any) -> list:
        result = await self.schema.execute(query, variable_values=variables, context_value=self._context())
        assert result.errors, "expected errors"
        return result.errors


@pytest.fixture(scope="session")
def run(schema, directory: Database) -> Run:
    return Run(schema, directory)


@pytest.fixture(scope="session")
def run_demo(schema, demo_db: Database) -> Run:
    return Run(schema, demo_db)


@pytest.fixture(scope="session")
async def http(directory: Database) -> AsyncIterator[AsyncClient]:
    app = create_app(Settings(), database=directory)
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test") as client:
        yield client
