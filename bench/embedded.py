"""A throwaway embedded engine, for the benchmarks (MEMBERDIR_ENGINE chooses which)."""

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pymongo import monitoring

from datastore import dataset, demo
from datastore.client import Database, connect
from datastore.indexes import ensure_indexes
from memberdir.database import settings_engine
from memberdir.edge.database_commands import DATABASE_COMMANDS
from memberdir.settings import Settings


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in {"hello", "isMaster", "ismaster", "ping", "endSessions"}:
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@asynccontextmanager
async def embedded_database(scale: int = 1, seeded: bool = True) -> AsyncIterator[tuple[Database, CommandCounter]]:
    """A fresh engine in a temporary folder, on a free loopback port; with
    `seeded`, holding the demo directory at `scale`."""
    with tempfile.TemporaryDirectory(prefix="memberdir-bench-") as folder:
        with settings_engine(Settings(data_dir=Path(folder))) as server:
            counter = CommandCounter()
            # The app's own listener too, as `serve` connects: the response cache needs it (datastore.reads).
            db = connect(server.uri, "bench", listeners=[counter, DATABASE_COMMANDS], traits=server.traits)
            try:
                await ensure_indexes(db)
                if seeded:
                    await dataset.write(db, demo.generate(scale))
                yield db, counter
            finally:
                await db.close()
