"""The response cache and conditional requests never answer what the directory
no longer holds (memberdir/edge/answer_reuse.py).

A seeded random run of queries and mutations by four callers (anonymous, a
member, a Primary, staff) against `memberdir serve --workers 2` (two
processes, each with its own cache), each request on a new connection so
either process may take it. After every query, the same query is asked of
the app with the cache off (`MEMBERDIR_RESPONSE_CACHE_BYTES=0`) over the same
database: nothing wrote in between, so the two answers must be the same. A
304 stands for the answer it was tagged on. After every acknowledged write,
the cached server is asked for what it wrote and must show it.

CACHE_PROPERTY_STEPS and CACHE_PROPERTY_SEED change the run; a failure names its seed.
"""

import json
import os
import random
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from datastore.client import connect
from datastore.indexes import ensure_indexes
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings
from tests.conftest import load_directory
from tests.served import free_port, until_stopped

STEPS = int(os.environ.get("CACHE_PROPERTY_STEPS", "120"))
SEED = int(os.environ.get("CACHE_PROPERTY_SEED", "20261207"))

ORGANISATIONS = ("org_montreal", "org_helix", "org_lagos", "org_victoria")
PEOPLE = ("per_ana", "per_jean", "per_priya")
CITIES = ("Accra", "Basel", "Cusco", "Dakar", "Espoo")
VISIBILITIES = ("PUBLIC", "MEMBERS", "STAFF")

QUERIES = {
    "organisations": ("query Organisations { organisations(first: 5) { totalCount nodes { id name city } } }", None),
    "organisation": ("query Organisation($id: ID!) { organisation(id: $id) { id city version } }", ORGANISATIONS),
    "stats": ("query Stats { membershipStats(by: COUNTRY) { key count } }", None),
    "person": ("query Person($id: ID!) { person(id: $id) { id name email orcid contactVisibility } }", PEOPLE),
    "roster": ("""query Roster { workingGroup(slug: "data-work-stream") { name
        roster(first: 50) { totalCount nodes { role active person { name email } } } } }""", None),
    "viewer": ("query Me { viewer { role person { name email } manages { name city } } }", None),
}
UPDATE_ORGANISATION = """mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
    organisation { id city version } userErrors { code message } } }"""
PERSON_NOW = "query($id: ID!) { person(id: $id) { version contactVisibility } }"
UPDATE_PERSON = """mutation($input: UpdatePersonInput!) { updatePerson(input: $input) {
    person { id contactVisibility version } userErrors { code message } } }"""


@contextmanager
def _serving(uri: str, database: str) -> Iterator[str]:
    """`memberdir serve --workers 2` over `database`, cache on; yields its base URL."""
    port = free_port()
    env = {**os.environ, "MONGODB_URI": uri, "MEMBERDIR_DATABASE": database,
           "MEMBERDIR_RATE_LIMIT_POINTS_PER_MINUTE": "10000000"}
    env.pop("MEMBERDIR_RESPONSE_CACHE_BYTES", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "memberdir", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"

    with until_stopped(process, base, 120, "memberdir serve --workers 2"):
        yield base


@dataclass
class Tally:
    hits: int = 0
    not_modified: int = 0
    writes: int = 0
    steps: list[str] = field(default_factory=list)


@pytest.fixture
async def database(engine) -> AsyncIterator:
    db = connect(engine.uri, "test_answer_cache_property", traits=engine.traits)
    await db.drop()
    await ensure_indexes(db)
    await load_directory(db)
    yield db
    await db.close()


async def test_cached_answers_are_the_uncached_answers_and_writes_are_seen(engine, database):
    keys = {
        "anonymous": None,
        "member": (await api_keys.issue(database, "member", Role.MEMBER, "per_jean")).secret_key,
        "primary": (await api_keys.issue(database, "primary", Role.MEMBER, "per_ana")).secret_key,
        "staff": (await api_keys.issue(database, "staff", Role.STAFF)).secret_key,
    }
    uncached_app = create_app(Settings(response_cache_bytes=0, rate_limit_points_per_minute=10_000_000), database=database)
    random_ = random.Random(SEED)
    tally = Tally()
    held: dict[tuple, tuple[str, dict]] = {}  # (caller, query, variables) -> (etag, data) the server sent
    with _serving(engine.uri, database.name) as base:
        # No keep-alive: each request is a new connection, taken by either process.
        cached = httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))
        uncached = httpx.AsyncClient(transport=httpx.ASGITransport(app=uncached_app), base_url="http://uncached")
        async with cached, uncached:
            try:
                for _ in range(STEPS):
                    caller = random_.choice(list(keys))
                    if random_.random() < 0.25:
                        await _write(random_, cached, keys, caller, tally)
                    else:
                        await _query(random_, cached, uncached, keys, caller, held, tally)
            except AssertionError as failed:
                raise AssertionError(f"seed {SEED}, steps:\n" + "\n".join(tally.steps[-12:])) from failed
    # The run exercised what it checks: answers served from a cache, and free 304s.
    assert tally.hits > 0 and tally.not_modified > 0 and tally.writes > 0, tally


async def _query(random_, cached, uncached, keys, caller, held, tally) -> None:
    name = random_.choice(list(QUERIES))
    document, ids = QUERIES[name]
    variables = {"id": random_.choice(ids)} if ids else {}
    headers = {"X-API-Key": keys[caller]} if keys[caller] else {}
    how = random_.choice(("POST", "GET", "GET if-none-match"))
    tally.steps.append(f"{caller} {how} {name} {variables}")
    remembered = held.get((caller, name, json.dumps(variables)))
    if how == "POST":
        response = await cached.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
    else:
        if how == "GET if-none-match" and remembered:
            headers["If-None-Match"] = remembered[0]
        params = {"query": document, "variables": json.dumps(variables)}
        response = await cached.get("/graphql", params=params, headers=headers)
    if response.status_code == 304:
        assert remembered and response.headers["etag"] == remembered[0], response.headers
        data = remembered[1]
        tally.not_modified += 1
    else:
        answer = response.json()
        assert response.status_code == 200 and "errors" not in answer, answer
        data = answer["data"]
        tally.hits += answer["extensions"].get("cache") == "HIT"
        if "etag" in response.headers:
            held[(caller, name, json.dumps(variables))] = (response.headers["etag"], data)
    truth = (await uncached.post("/graphql", json={"query": document, "variables": variables}, headers=headers)).json()
    assert "cache" not in truth["extensions"]
    assert data == truth["data"], (caller, name, variables)


async def _write(random_, cached, keys, caller, tally) -> None:
    """A write the caller may or may not be allowed; when acknowledged, the cached server shows it at once."""
    headers = {"X-API-Key": keys[caller]} if keys[caller] else {}
    if random_.random() < 0.5:
        organisation = random_.choice(ORGANISATIONS)
        city = random_.choice(CITIES)
        tally.steps.append(f"{caller} sets {organisation}'s city to {city}")
        now = (await cached.post("/graphql", headers=headers, json={
            "query": QUERIES["organisation"][0], "variables": {"id": organisation}})).json()
        version = now["data"]["organisation"]["version"]
        patch = {"id": organisation, "expectedVersion": version, "patch": {"city": city}}
        answer = (await cached.post("/graphql", headers=headers, json={"query": UPDATE_ORGANISATION, "variables": {"input": patch}})).json()
        payload = (answer.get("data") or {}).get("updateOrganisation")
        if payload and not payload["userErrors"]:
            tally.writes += 1
            seen = (await cached.get("/graphql", params={"query": QUERIES["organisation"][0],
                                                         "variables": json.dumps({"id": organisation})})).json()
            assert seen["data"]["organisation"]["city"] == city, seen
    else:
        person = random_.choice(PEOPLE)
        visibility = random_.choice(VISIBILITIES)
        tally.steps.append(f"{caller} sets {person}'s contact visibility to {visibility}")
        staff = {"X-API-Key": keys["staff"]}
        now = (await cached.post("/graphql", headers=staff, json={"query": PERSON_NOW, "variables": {"id": person}})).json()
        version = now["data"]["person"]["version"]
        patch = {"id": person, "expectedVersion": version, "patch": {"contactVisibility": visibility}}
        answer = (await cached.post("/graphql", headers=headers, json={"query": UPDATE_PERSON, "variables": {"input": patch}})).json()
        payload = (answer.get("data") or {}).get("updatePerson")
        if payload and not payload["userErrors"]:
            tally.writes += 1
            seen = (await cached.post("/graphql", headers=staff, json={"query": PERSON_NOW, "variables": {"id": person}})).json()
            assert seen["data"]["person"]["contactVisibility"] == visibility, seen
