"""A small directory of organisations whose names exercise the matcher, served by the app."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient

from datastore.client import Database, connect
from datastore.importer import import_files
from datastore.indexes import ensure_indexes
from datastore.records.vocabulary import Role
from memberdir import api_keys
from tests.matching_helpers import client_of

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
