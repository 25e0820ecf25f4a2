"""Opening the directory's database: MongoDB if configured, else embedded FerretDB."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from datastore import dataset, demo, writes
from datastore.client import Database, connect
from datastore.indexes import ensure_indexes
from memberdir.ferretdb import EmbeddedFerretDB
from memberdir.settings import Settings


@asynccontextmanager
async def open_database(settings: Settings, *, seed_if_empty: bool = False) -> AsyncIterator[Database]:
    """A connected database with its indexes; the embedded one is seeded when empty."""
    embedded = None
    uri = settings.mongodb_uri
    if uri is None:
        embedded = EmbeddedFerretDB(settings.ferretdb_binary, settings.data_dir / "ferretdb")
        uri = embedded.start()
    db = connect(uri, settings.database)
    try:
        await ensure_indexes(db)
        # Complete changes a killed process left claimed but not applied.
        await writes.recover(db, timedelta(seconds=settings.write_lease_seconds))
        if embedded and seed_if_empty and await dataset.is_empty(db):
            await dataset.write(db, demo.generate(settings.seed_scale))
        yield db
    finally:
        await db.close()
        if embedded:
            embedded.stop()
