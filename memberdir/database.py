"""Opening the directory's database: MongoDB if configured, else the embedded engine."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from datastore import dataset, demo, duplicates, faults, generations, unique_keys, writes
from pymongo.monitoring import CommandListener

from datastore.client import Database, connect
from datastore.engines import MongoDB
from datastore.indexes import ensure_indexes
from memberdir.edge.database_commands import DATABASE_COMMANDS
from memberdir.embedded.server import EmbeddedEngine
from memberdir.embedded import embedded_engine
from memberdir.settings import Settings


def settings_engine(settings: Settings) -> EmbeddedEngine:
    """The embedded engine the settings choose, on its folder under the data folder."""
    return embedded_engine(settings.engine, settings.engine_binary, settings.data_dir)


@asynccontextmanager
async def open_database(
    settings: Settings, *, seed_if_empty: bool = False, engine: EmbeddedEngine | None = None,
    listeners: Sequence[CommandListener] = (),
) -> AsyncIterator[Database]:
    """A connected database with its indexes, no change left half-done and current
    derived fields (names re-folded after an upgrade); the embedded one is seeded
    when empty.

    With MONGODB_URI unset it starts (or joins) the embedded engine, or uses
    `engine` when the caller runs it (and so may watch and restart it).
    `listeners`: more command listeners (tracing's, when it is on).
    """
    started = None
    faults.configure(settings.fault_points)  # tests only: named fault points in the write path
    uri = settings.mongodb_uri
    if uri is None:
        if engine is None:
            engine = started = settings_engine(settings)
            engine.start()
        uri = engine.uri
    db = connect(uri, settings.database, listeners=[DATABASE_COMMANDS, *listeners],  # counted per request
                 traits=engine.traits if engine else MongoDB())
    try:
        await ensure_indexes(db, unique_keys=False)
        # Complete changes a killed process left claimed but not applied.
        await writes.recover(db, timedelta(seconds=settings.write_lease_seconds))
        # Current derived fields, then the unique indexes on canonical keys over them.
        await unique_keys.prepare(db)
        if engine and seed_if_empty and await dataset.is_empty(db):
            await dataset.write(db, demo.generate(settings.seed_scale))
        # Duplicate candidates of records an import, seed or restore wrote (mutations keep them current).
        await duplicates.build_missing(db)
        # Whatever wrote before (a bulk write cut off included), keep nothing from it.
        await generations.advance(db, dataset.COLLECTIONS, unsettled=False)
        yield db
    finally:
        await db.close()
        if started:
            started.stop()
