"""Helpers shared by the security suite (tests/security/, tests/edge/, tests/execution/)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from httpx import ASGITransport, AsyncClient

from datastore.client import Database
from memberdir.app import create_app
from memberdir.settings import Settings

NORMAL_QUERY = '{ organisation(id: "org_lagos") { name } }'


@asynccontextmanager
async def client_for(db: Database, settings: Settings | None = None, **app_options) -> AsyncIterator[AsyncClient]:
    app = create_app(settings or Settings(), database=db, **app_options)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def assert_still_serves(client: AsyncClient, headers: dict[str, str] | None = None) -> None:
    """After refusing an attack, the server answers an ordinary query."""
    response = await client.post("/graphql", json={"query": NORMAL_QUERY}, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}
    assert "errors" not in response.json()


def error_codes(response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]


def messages(response) -> str:
    return " | ".join(e["message"] for e in response.json()["errors"])
