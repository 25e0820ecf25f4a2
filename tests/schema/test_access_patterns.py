"""Every query shape the datastore sends is answered from an index, never a
collection scan, as the engine's own query plans (`explain`) report.

Substring search (`search:` filters of 3 or more characters) is checked by its
shape instead: an equality on one of the name's grams as the first condition,
which SecantusDB reads through the grams index, then the `$regex` on the folded
name that decides the match. SecantusDB's explain reports such a filter of
several conditions as a COLLSCAN all the same, so the gram alone is explained.
Exceptions, by design: reads of a whole collection without a sort (counts and
statistics over every record). FerretDB 1.24 reports plans as SQL, not as
MongoDB's stages, so this runs on the engines that report stages (SecantusDB,
MongoDB).
"""

import json

import pytest
from pymongo import monitoring

from datastore.client import Database, connect
from datastore.documents import EVERY_DOCUMENT
from tests.conftest import Run

QUERIES = [
    '{ organisation(slug: "university-of-boston") { name } }',
    "{ organisations { totalCount nodes { name } pageInfo { endCursor } } }",
    "{ organisations(orderBy: JOINED_DESC, first: 5) { nodes { name } } }",
    """{ organisations(filter: {continents: [AFRICA], statuses: [ACTIVE]}, first: 100) {
        totalCount nodes { name contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name } } } } }""",
    """{ organisations(first: 20) { nodes { contacts { person { affiliation { name }
        groups { group { name } } } } people(first: 5) { nodes { name } } } } }""",
    """{ workingGroup(slug: "clinical-work-stream") { chairs { name } children { name } parent { name }
        roster(first: 500) { totalCount nodes { role person { name affiliation { name } } } } } }""",
    # A roster page alone (its page read, its count), without and with filters, in both orders.
    """{ workingGroup(slug: "clinical-work-stream") { roster(first: 50) { totalCount pageInfo { endCursor } } } }""",
    """{ workingGroup(slug: "clinical-work-stream") { roster(first: 50, roles: [MEMBER, OBSERVER], activeOn: "2024-01-01") {
        totalCount pageInfo { endCursor } } } }""",
    """{ workingGroup(slug: "clinical-work-stream") { roster(first: 50, orderBy: UPDATED_ASC,
        updatedSince: "2020-01-01T00:00:00Z") { totalCount pageInfo { endCursor } } } }""",
    "{ workingGroups(filter: {kinds: [TASK_TEAM]}) { name } }",
    "{ membershipStats(by: SECTOR, filter: {continents: [EUROPE]}) { key count } }",
    "{ people(first: 20) { nodes { name } pageInfo { endCursor } } }",
    '{ people(filter: {search: "silva"}, first: 5) { totalCount nodes { name } } }',
    '{ organisations(filter: {search: "genomics", countries: ["US"]}, first: 5) { totalCount nodes { name } } }',
    '{ workingGroups(filter: {search: "stream", kinds: [WORK_STREAM]}) { name } }',
]
READS = {"find", "aggregate", "count", "distinct"}


class Sent(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[dict] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in READS:
            command = {k: v for k, v in event.command.items() if not k.startswith("$") and k != "lsid"}
            self.commands.append(command)

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


def _filters(command: dict) -> list[dict | None]:
    return [command.get("filter"), command.get("query")] + [
        stage.get("$match") for stage in command.get("pipeline", []) if "$match" in stage
    ]


def _searches(command: dict) -> bool:
    return '"$regex"' in json.dumps(command, default=str)


def _scan_allowed(command: dict) -> bool:
    """A read of every document, unsorted: an empty filter, or a count of them all."""
    return all(not f or f == EVERY_DOCUMENT for f in _filters(command)) and not command.get("sort")


def _collection(command: dict) -> str:
    return command.get("find") or command.get("aggregate") or command["count"]


def _first_condition(command: dict) -> tuple[str, object] | None:
    found = next((f for f in _filters(command) if f), None)
    return next(iter(found.items())) if found else None


@pytest.fixture(scope="module")
async def sent(engine, demo_db, schema):
    """The read commands the datastore sends for typical queries, with the next page of three lists."""
    listener = Sent()
    db: Database = connect(engine.uri, demo_db.name, listeners=[listener], traits=engine.traits)
    run = Run(schema, db)
    for query in QUERIES:
        data = await run(query)
        for listing in ("organisations", "people"):
            if listing in data and "pageInfo" in data[listing]:
                await run(f'{{ {listing}(after: "{data[listing]["pageInfo"]["endCursor"]}") {{ nodes {{ id }} }} }}')
        roster = (data.get("workingGroup") or {}).get("roster") or {}
        if "pageInfo" in roster:
            await run(query.replace("roster(first: 50", f'roster(after: "{roster["pageInfo"]["endCursor"]}", first: 50'))
    yield db, listener.commands
    await db.close()


async def test_every_query_shape_uses_an_index(sent):
    db, commands = sent
    assert len(commands) > 20
    scans = []
    for command in commands:
        if _searches(command):
            continue  # by its shape: test_every_search_reads_through_a_gram
        plan = await db.client[db.name].command("explain", command, verbosity="queryPlanner")
        if "COLLSCAN" in json.dumps(plan, default=str) and not _scan_allowed(command):
            scans.append(command)
    assert scans == [], "\n".join(json.dumps(s, default=str) for s in scans)


async def test_every_search_reads_through_a_gram(sent):
    db, commands = sent
    searches = [c for c in commands if _searches(c)]
    assert {_collection(c) for c in searches} >= {"people", "organisations", "groups"}
    for command in searches:
        field, gram = _first_condition(command)
        assert field == "name_grams" and isinstance(gram, str), json.dumps(command, default=str)
        collection = _collection(command)
        plan = await db.client[db.name].command(
            "explain", {"find": collection, "filter": {"name_grams": gram}}, verbosity="queryPlanner")
        assert "IXSCAN" in json.dumps(plan, default=str) and "COLLSCAN" not in json.dumps(plan, default=str)
