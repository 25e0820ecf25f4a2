"""Conditional requests and the exact response cache (memberdir/edge/answer_reuse.py),
through the whole app over a real engine whose client notes what each request reads."""

import json
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient

from datastore import reads
from datastore.client import connect
from datastore.indexes import ensure_indexes
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.edge.answer_cache import KEPT_OVER
from memberdir.edge.database_commands import DATABASE_COMMANDS
from memberdir.settings import Settings
from resolvers.context import Context
from resolvers.exports import EXPORTS, csv_chunks
from resolvers.exports.tables import roster
from resolvers.viewer import Viewer
from tests.conftest import load_directory

COUNTS = "query Counts { organisations(first: 3) { totalCount nodes { id name city } } }"
CITY = "query City($id: ID!) { organisation(id: $id) { id city version } }"
UPDATE = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { version city } userErrors { code message } } }"""
FEED = "{ changes(first: 5) { nodes { recordId } } }"


@pytest.fixture
async def served(engine) -> AsyncIterator[tuple[AsyncClient, dict[str, str], object]]:
    """The app over a directory of its own, and API keys for a member, a Primary and staff."""
    db = connect(engine.uri, "test_answer_reuse", listeners=[DATABASE_COMMANDS], traits=engine.traits)
    await db.drop()
    await ensure_indexes(db)
    await load_directory(db)
    keys = {
        "member": (await api_keys.issue(db, "member", Role.MEMBER, "per_jean")).secret_key,
        "primary": (await api_keys.issue(db, "primary", Role.MEMBER, "per_ana")).secret_key,
        "staff": (await api_keys.issue(db, "staff", Role.STAFF)).secret_key,
    }
    app = create_app(Settings(rate_limit_points_per_minute=100_000), database=db)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, keys, app
    await db.close()


def _get(client: AsyncClient, query: str, key: str | None = None, etag: str | None = None, **variables):
    headers = {}
    if key:
        headers["X-API-Key"] = key
    if etag:
        headers["If-None-Match"] = etag
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    return client.get("/graphql", params=params, headers=headers)


async def _update_city(client: AsyncClient, staff: str, city: str) -> None:
    now = (await client.post("/graphql", json={"query": CITY, "variables": {"id": "org_lagos"}},
                             headers={"X-API-Key": staff})).json()
    version = now["data"]["organisation"]["version"]
    answer = (await client.post("/graphql", headers={"X-API-Key": staff}, json={"query": UPDATE, "variables": {
        "input": {"id": "org_lagos", "expectedVersion": version, "patch": {"city": city}}}})).json()
    assert answer["data"]["updateOrganisation"]["userErrors"] == [], answer


async def test_a_repeated_query_is_served_from_the_cache_until_a_write(served):
    client, keys, _ = served
    first = (await client.post("/graphql", json={"query": CITY, "variables": {"id": "org_lagos"}})).json()
    second = (await client.post("/graphql", json={"query": CITY, "variables": {"id": "org_lagos"}})).json()
    assert (first["extensions"]["cache"], second["extensions"]["cache"]) == ("MISS", "HIT")
    assert first["data"] == second["data"]
    # Per-caller extensions are computed for each request, never kept.
    assert first["extensions"]["requestId"] != second["extensions"]["requestId"]
    assert second["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]

    await _update_city(client, keys["staff"], "Ikeja")
    after = (await client.post("/graphql", json={"query": CITY, "variables": {"id": "org_lagos"}})).json()
    assert after["extensions"]["cache"] == "MISS"
    assert after["data"]["organisation"]["city"] == "Ikeja"


async def test_callers_never_share_an_answer(served):
    client, keys, _ = served
    seen = []
    for key in (None, keys["member"], keys["primary"], keys["staff"], None):
        answer = (await _get(client, COUNTS, key)).json()
        seen.append(answer["extensions"]["cache"])
    # Each signed-in caller computes its own; only the second anonymous request is a hit.
    assert seen == ["MISS", "MISS", "MISS", "MISS", "HIT"]


async def test_a_get_answer_carries_an_etag_and_a_matching_one_is_a_free_304(served):
    client, keys, app = served
    answer = await _get(client, COUNTS)
    assert answer.status_code == 200
    etag = answer.headers["etag"]
    assert etag.startswith('"g') and answer.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert {"Accept", "Authorization", "Cookie", "X-API-Key"} <= {v.strip() for v in answer.headers["vary"].split(",")}

    limiter = app.state.rate_limiter
    spent_before = limiter.peek("address:127.0.0.1").remaining
    again = await _get(client, COUNTS, etag=etag)
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert limiter.peek("address:127.0.0.1").remaining == spent_before  # no points taken

    await _update_city(client, keys["staff"], "Lekki")
    changed = await _get(client, COUNTS, etag=etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["data"]["organisations"]["nodes"]


async def test_signed_in_answers_stay_private_and_their_etags_are_theirs(served):
    client, keys, _ = served
    member = await _get(client, COUNTS, keys["member"])
    assert member.headers["cache-control"] == "private, no-cache"
    staff = await _get(client, COUNTS, keys["staff"], etag=member.headers["etag"])
    assert staff.status_code == 200  # another caller's ETag is not theirs
    assert (await _get(client, COUNTS, keys["member"], etag=member.headers["etag"])).status_code == 304


async def test_answers_over_other_collections_are_not_kept_and_304_only_after_running(served):
    client, keys, app = served
    first = await _get(client, FEED, keys["staff"])
    body = first.json()
    assert "errors" not in body, body
    assert body["extensions"]["cache"] == "MISS"
    assert first.headers["etag"].startswith('"c.')
    second = await _get(client, FEED, keys["staff"], etag=first.headers["etag"])
    assert second.status_code == 304
    assert (await _get(client, FEED, keys["staff"])).json()["extensions"]["cache"] == "MISS"


async def test_answers_with_errors_are_neither_kept_nor_tagged(served):
    client, _, _ = served
    for _ in range(2):
        answer = await _get(client, CITY, id="x" * 300)
        assert "errors" in answer.json() and "etag" not in answer.headers


async def test_metrics_count_hits_and_misses(served):
    client, _, _ = served
    for _ in range(3):
        await _get(client, COUNTS)
    text = (await client.get("/metrics")).text
    assert "memberdir_response_cache_hits_total 2.0" in text
    assert "memberdir_response_cache_misses_total 1.0" in text


async def test_an_export_carries_an_etag_and_a_matching_one_is_a_free_304(served):
    client, keys, app = served
    path = "/export/roster/data-work-stream.csv"
    first = await client.get(path, headers={"X-API-Key": keys["member"]})
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"
    etag = first.headers["etag"]
    limiter = app.state.rate_limiter
    before = limiter.peek(limiter.client_of({"state": {"viewer": _viewer(app, keys)}})).remaining
    again = await client.get(path, headers={"X-API-Key": keys["member"], "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert limiter.peek(limiter.client_of({"state": {"viewer": _viewer(app, keys)}})).remaining == before
    # Another caller's tag is not theirs; a write makes a new one.
    assert (await client.get(path, headers={"X-API-Key": keys["staff"], "If-None-Match": etag})).status_code == 200
    await _update_city(client, keys["staff"], "Yaba")
    changed = await client.get(path, headers={"X-API-Key": keys["member"], "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def _viewer(app, keys):
    key_id = keys["member"].split("_")[1]
    return Viewer(role=Role.MEMBER, person_id="per_jean", credential=f"api-key:{key_id}")


async def test_exports_read_only_the_collections_their_etag_stands_for(engine):
    """An export's ETag is made from the directory's collections alone (edge.exports):
    every export, streamed to its end, reads nothing else."""
    db = connect(engine.uri, "test_answer_reuse_exports", listeners=[DATABASE_COMMANDS], traits=engine.traits)
    await db.drop()
    await ensure_indexes(db)
    await load_directory(db)
    try:
        for viewer in (Viewer(), Viewer(role=Role.STAFF, credential="api-key:x")):
            given = {"stats": {"by": ["COUNTRY"]}}
            builds = [(kind, lambda ctx, k=kind: EXPORTS[k](ctx, given.get(k, {}))) for kind in EXPORTS if kind != "roster"]
            builds.append(("roster", lambda ctx: roster(ctx, {}, "data-work-stream")))
            for kind, build in builds:
                with reads.recording() as read:
                    ctx = Context.for_request(db, viewer=viewer)
                    table = await build(ctx)
                    async for _ in csv_chunks(table):
                        pass
                assert read.collections and read.collections - {"meta"} <= KEPT_OVER, (kind, read.collections)
    finally:
        await db.close()


async def test_an_answer_showing_the_rate_budget_is_never_kept(served):
    client, _, _ = served
    query = "{ rateLimit { limit cost remaining } }"
    first = (await client.post("/graphql", json={"query": query})).json()
    second = (await client.post("/graphql", json={"query": query})).json()
    assert (first["extensions"]["cache"], second["extensions"]["cache"]) == ("MISS", "MISS")
    assert second["data"]["rateLimit"]["remaining"] < first["data"]["rateLimit"]["remaining"]
