"""updatedSince (inclusive) and UPDATED_ASC on organisations, people and rosters,
over a directory whose records were changed at different instants."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from datastore import organisations, people, rosters
from datastore.importer import import_files
from tests.conftest import DATA, Run, fresh_database

BASE = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def _when(index: int) -> datetime:
    """Changes an hour apart, two records at each instant (ties break by id)."""
    return BASE + timedelta(hours=index // 2)


@pytest.fixture(scope="module")
async def updated_db(ferretdb):
    db = await fresh_database(ferretdb, "test_updated")
    await import_files(db, [DATA / "directory.json"])
    # Written through the datastore, as the write path stores a changed record.
    found = [organisations.from_document(d) async for d in db.organisations.find({}, sort=[("_id", -1)])]
    await organisations.upsert(db, [replace(o, updated_at=_when(i)) for i, o in enumerate(found)])
    found = [people.from_document(d) async for d in db.people.find({}, sort=[("_id", -1)])]
    await people.upsert(db, [replace(p, updated_at=_when(i)) for i, p in enumerate(found)])
    found = [rosters.from_document(d) async for d in db.roster.find({"group_id": "grp_clinical"}, sort=[("_id", -1)])]
    await rosters.upsert(db, [replace(r, updated_at=_when(i)) for i, r in enumerate(found)])
    yield db
    await db.close()


@pytest.fixture(scope="module")
def run_updated(schema, updated_db) -> Run:
    return Run(schema, updated_db)


async def _expected(collection, since: datetime, query: dict | None = None) -> list[str]:
    documents = [d async for d in collection.find(query or {})]
    return [d["_id"] for d in sorted(documents, key=lambda d: (d["updated_at"], d["_id"])) if d["updated_at"] >= since]


QUERIES = {
    "organisations": """query($since: DateTime, $after: String) {
      page: organisations(filter: {updatedSince: $since}, orderBy: UPDATED_ASC, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id } } }""",
    "people": """query($since: DateTime, $after: String) {
      page: people(filter: {updatedSince: $since}, orderBy: UPDATED_ASC, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id } } }""",
}


async def _pages(run: Run, query: str, since: str | None) -> tuple[int, list[str]]:
    ids, after = [], None
    while True:
        page = (await run(query, since=since, after=after))["page"]
        ids += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], ids
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("collection", list(QUERIES))
@pytest.mark.parametrize(
    ("since", "instant"),
    [(None, datetime.min.replace(tzinfo=UTC)),
     ("2026-11-03T09:00:00Z", BASE + timedelta(hours=1)),  # exactly an update: included
     ("2026-11-03T11:00:00+02:00", BASE + timedelta(hours=1)),  # the same instant in another zone
     ("2026-11-03T09:00:00.000001Z", BASE + timedelta(hours=1, microseconds=1)),
     ("2026-11-03T10:30:00", BASE + timedelta(hours=2, minutes=30)),  # no zone: UTC
     ("2030-01-01T00:00:00Z", datetime(2030, 1, 1, tzinfo=UTC))],
)
async def test_updated_since_is_inclusive_and_updated_order_pages_by_keyset(run_updated, updated_db, collection, since, instant):
    expected = await _expected(getattr(updated_db, collection), instant)
    total, ids = await _pages(run_updated, QUERIES[collection], since)
    assert ids == expected and total == len(expected)


ROSTER = """query($since: DateTime, $after: String, $order: RosterOrder) {
  workingGroup(id: "grp_clinical") {
    roster(updatedSince: $since, orderBy: $order, first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { role since person { id } } } } }"""


async def _roster(run: Run, since: str | None, order: str) -> tuple[int, list[tuple]]:
    rows, after = [], None
    while True:
        page = (await run(ROSTER, since=since, after=after, order=order))["workingGroup"]["roster"]
        rows += [(n["person"]["id"], n["role"], n["since"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], rows
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("since", [None, "2026-11-03T09:00:00Z", "2026-11-03T10:00:00.5Z"])
async def test_roster_updated_since_and_updated_order(run_updated, updated_db, since):
    instant = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else datetime.min.replace(tzinfo=UTC)
    documents = {d["_id"]: d async for d in updated_db.roster.find({"group_id": "grp_clinical"})}
    expected = [(documents[i]["person_id"], documents[i]["role"], documents[i]["since"])
                for i in await _expected(updated_db.roster, instant, {"group_id": "grp_clinical"})]
    assert expected
    total, rows = await _roster(run_updated, since, "UPDATED_ASC")
    assert rows == expected and total == len(expected)
    by_role = (await _roster(run_updated, since, "ROLE_ASC"))[1]
    assert sorted(by_role) == sorted(expected)
    if since is None:
        assert by_role != expected  # the two orders differ on the whole roster


async def test_a_cursor_of_one_order_is_refused_by_another(run_updated):
    page = (await run_updated(QUERIES["people"], since=None, after=None))["page"]
    errors = await run_updated.errors(
        "query($after: String) { people(first: 2, after: $after) { nodes { id } } }", after=page["pageInfo"]["endCursor"])
    assert errors[0].extensions["argument"] == "after"


@pytest.mark.parametrize(("since", "found"), [("0001-01-01T00:00:00+05:00", True), ("9999-12-31T23:00:00-05:00", False)])
async def test_instants_at_the_ends_of_the_calendar_are_answered(run_updated, since, found):
    page = (await run_updated(QUERIES["organisations"], since=since, after=None))["page"]
    assert (page["totalCount"] > 0) is found
