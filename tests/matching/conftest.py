"""A small directory of organisations whose names exercise the matcher, served by the app."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from datastore.client import Database, connect
from datastore.importer import import_files
from datastore.indexes import ensure_indexes
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings

DIRECTORY = Path(__file__).with_name("directory.json")


@pytest.fixture(scope="module")
async def matching_db(ferretdb) -> AsyncIterator[Database]:
    db = connect(ferretdb.uri, "test_matching")
    await db.drop()
    await ensure_indexes(db)
    await import_files(db, [DIRECTORY])
    yield db
    await db.drop()
    await db.close()


def client_of(db: Database, settings: Settings | None = None) -> AsyncClient:
    app = create_app(settings or Settings(), database=db)
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


@pytest.fixture(scope="module")
async def client(matching_db) -> AsyncIterator[AsyncClient]:
    async with client_of(matching_db) as client:
        yield client


@pytest.fixture(scope="module")
async def keys(matching_db) -> dict[str, dict[str, str]]:
    async def key(role: Role) -> dict[str, str]:
        issued = await api_keys.issue(matching_db, f"matching {role.value}", role, None)
        return {"X-API-Key": issued.secret_key}

    return {"anonymous": {}, "member": await key(Role.MEMBER), "staff": await key(Role.STAFF)}
