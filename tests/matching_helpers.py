"""Helpers of tests/matching: the app over a database, and matchAffiliation as a client calls it."""

from httpx import ASGITransport, AsyncClient

from datastore.client import Database
from memberdir.app import create_app
from memberdir.settings import Settings

MATCH = """query($text: String!, $first: Int) { matchAffiliation(text: $text, first: $first) {
  organisation { id name } score chosen matchingType matchedText } }"""


def client_of(db: Database, settings: Settings | None = None) -> AsyncClient:
    app = create_app(settings or Settings(), database=db)
    return AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


async def match(client: AsyncClient, headers: dict, text: str, first: int | None = None) -> list[dict]:
    response = await client.post("/graphql", json={"query": MATCH, "variables": {"text": text, "first": first}},
                                 headers=headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]["matchAffiliation"]


def chosen(found: list[dict]) -> tuple[str, str] | None:
    """The chosen candidate's (id, matching type), checking there is at most one."""
    picked = [m for m in found if m["chosen"]]
    assert len(picked) <= 1, found
    return (picked[0]["organisation"]["id"], picked[0]["matchingType"]) if picked else None
