"""Spreadsheet exports, read back with real readers (csv, openpyxl, json) and
compared with GraphQL's answers for the same credential and filter."""

import csv
import io
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from httpx import ASGITransport, AsyncClient

from datastore.client import Database, connect
from datastore.documents import STREAM_BATCH
from datastore.importer import import_files
from datastore.indexes import ensure_indexes
from datastore.records import countries
from datastore.records.vocabulary import Role, label
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import PROJECT_ROOT, Settings

DATA = Path(__file__).parents[1] / "data"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
async def exports_db(ferretdb) -> AsyncIterator[Database]:
    """The hand-made directory in a database of its own, with the keys below."""
    db = connect(ferretdb.uri, "test_exports")
    await db.drop()
    await ensure_indexes(db)
    await import_files(db, [DATA / "directory.json"])
    yield db
    await db.drop()
    await db.close()


async def _client(db: Database) -> AsyncClient:
    transport = ASGITransport(app=create_app(Settings(), database=db), raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture(scope="module")
async def client(exports_db) -> AsyncIterator[AsyncClient]:
    async with await _client(exports_db) as client:
        yield client


@pytest.fixture(scope="module")
async def viewers(exports_db) -> dict[str, dict[str, str]]:
    """Headers for each kind of caller. per_priya is Primary of Helix, whose
    Signer per_tom shows his address to staff only: she does not see it either."""

    async def key(role: Role, person: str | None = None) -> dict[str, str]:
        issued = await api_keys.issue(exports_db, f"exports {role.value} {person}", role, person)
        return {"X-API-Key": issued.secret_key}

    return {
        "anonymous": {},
        "member": await key(Role.MEMBER),
        "manager": await key(Role.MEMBER, "per_priya"),
        "staff": await key(Role.STAFF),
    }


async def graphql(client: AsyncClient, headers: dict[str, str], query: str, **variables) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


async def export(client: AsyncClient, url: str, headers: dict[str, str] | None = None):
    response = await client.get(url, headers=headers or {})
    assert response.status_code == 200, response.text
    return response


def read_csv(response) -> list[dict[str, str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf"), "CSV opens in Excel with accents intact only with a BOM"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[dict]:
    assert response.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row)) for row in rows]


def read_ndjson(response) -> list[dict]:
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


def day(value) -> str:
    """An exported date as ISO text, whichever reader gave it."""
    return value.date().isoformat() if isinstance(value, datetime) else value


ROSTER = """query($slug: String) { workingGroup(slug: $slug) { name kind roster(first: 500) { nodes {
  role since until active person { id name email orcid affiliation { name } country { name } } } } } }"""


@pytest.mark.parametrize("viewer", ["anonymous", "member", "manager", "staff"])
async def test_a_groups_roster_as_csv_is_graphqls_roster(client, viewers, viewer):
    headers = viewers[viewer]
    response = await export(client, "/export/roster/data-work-stream.csv", headers)
    assert response.headers["content-disposition"] == 'attachment; filename="roster-data-work-stream.csv"'
    rows = read_csv(response)
    group = (await graphql(client, headers, ROSTER, slug="data-work-stream"))["workingGroup"]
    expected = [
        {
            "Group": group["name"], "Group kind": "Work Stream", "Role": label(n["role"]), "Since": n["since"],
            "Until": n["until"] or "", "Active": "Yes" if n["active"] else "No", "Name": n["person"]["name"],
            "E-mail": n["person"]["email"] or "", "ORCID": n["person"]["orcid"] or "",
            "Country": (n["person"]["country"] or {}).get("name", ""),
            "Affiliation": (n["person"]["affiliation"] or {}).get("name", ""), "Person ID": n["person"]["id"],
        }
        for n in group["roster"]["nodes"]
    ]
    assert [{k: row[k] for k in expected[0]} for row in rows] == expected
    assert len(rows) >= 3


async def test_rosters_of_some_kinds_on_a_day(client, viewers):
    query = """query($kinds: [GroupKind!], $on: Date) { workingGroups(filter: {kinds: $kinds}, first: 50) { name
      roster(activeOn: $on, first: 500) { nodes { role person { id } } } } }"""
    found = await graphql(client, viewers["staff"], query, kinds=["WORK_STREAM", "TASK_TEAM"], on="2019-06-01")
    expected = Counter((g["name"], label(n["role"]), n["person"]["id"]) for g in found["workingGroups"] for n in g["roster"]["nodes"])
    response = await export(client, "/export/roster.ndjson?kinds=WORK_STREAM,TASK_TEAM&activeOn=2019-06-01", viewers["staff"])
    assert response.headers["content-disposition"] == 'attachment; filename="roster-work-stream-task-team.ndjson"'
    rows = read_ndjson(response)
    assert Counter((r["group"], r["role"], r["personId"]) for r in rows) == expected
    assert all(r["since"] <= "2019-06-01" and (r["until"] is None or r["until"] >= "2019-06-01") for r in rows)
    assert len(rows) >= 2


CONTACTS = """query($statuses: [MembershipStatus!]) { organisations(first: 100, filter: {statuses: $statuses}) {
  nodes { name contacts(roles: [PRIMARY, ADMINISTRATOR]) { role person { name email } } } } }"""


@pytest.mark.parametrize("viewer", ["anonymous", "manager", "staff"])
async def test_role_contacts_as_xlsx_are_graphqls(client, viewers, viewer):
    headers = viewers[viewer]
    response = await export(client, "/export/contacts.xlsx?roles=PRIMARY,ADMINISTRATOR&statuses=ACTIVE", headers)
    assert response.headers["content-disposition"] == 'attachment; filename="contacts.xlsx"'
    rows = read_xlsx(response)
    found = (await graphql(client, headers, CONTACTS, statuses=["ACTIVE"]))["organisations"]["nodes"]
    expected = [(o["name"], label(c["role"]), c["person"]["name"], c["person"]["email"]) for o in found for c in o["contacts"]]
    assert [(r["Organisation"], r["Role"], r["Name"], r["E-mail"]) for r in rows] == expected
    assert {r["Membership status"] for r in rows} == {"Active"}


async def test_contacts_of_a_group_are_its_organisations_and_its_communications_contacts(client, viewers):
    query = """{ workingGroup(slug: "data-work-stream") { id organisations { name contacts { role person { name }
      workingGroup { id } } } } }"""
    group = (await graphql(client, viewers["staff"], query))["workingGroup"]
    expected = [
        (o["name"], label(c["role"]), c["person"]["name"])
        for o in group["organisations"] for c in o["contacts"]
        if c["role"] != "COMMUNICATIONS" or c["workingGroup"]["id"] == group["id"]
    ]
    rows = read_csv(await export(client, "/export/contacts.csv?group=data-work-stream", viewers["staff"]))
    assert [(r["Organisation"], r["Role"], r["Name"]) for r in rows] == expected
    assert {r["Working group"] for r in rows if r["Role"] == "Communications"} == {"Data Work Stream"}


ORGANISATIONS = """query($filter: OrganisationFilter) { organisations(first: 100, filter: $filter) { nodes {
  id name kind sectors designations country { code name } continent city website rorId
  membership { status joinedOn lastReviewedOn nextReviewDue } } } }"""


@pytest.mark.parametrize("format", ["csv", "xlsx", "ndjson"])
async def test_organisations_in_every_format_are_graphqls(client, format):
    url = f"/export/organisations.{format}?continents=NORTH_AMERICA,EUROPE&joinedAfter=2010-01-01"
    read = {"csv": read_csv, "xlsx": read_xlsx, "ndjson": read_ndjson}[format]
    rows = read(await export(client, url))
    filter = {"continents": ["NORTH_AMERICA", "EUROPE"], "joinedAfter": "2010-01-01"}
    found = (await graphql(client, {}, ORGANISATIONS, filter=filter))["organisations"]["nodes"]
    assert len(found) >= 3
    keys = ("ID", "Name", "Kind", "Sectors", "Country", "Continent", "Membership status", "Joined on", "Next review due")
    if format == "ndjson":
        keys = ("id", "name", "kind", "sectors", "country", "continent", "status", "joinedOn", "nextReviewDue")
    separator = (lambda items: items) if format == "ndjson" else (lambda items: "; ".join(items))
    blank = None if format != "csv" else ""
    expected = [
        (o["id"], o["name"], label(o["kind"]), separator([label(s) for s in o["sectors"]]) or blank,
         o["country"]["name"], label(o["continent"]), label(o["membership"]["status"]),
         o["membership"]["joinedOn"], o["membership"]["nextReviewDue"] or blank)
        for o in found
    ]
    got = [tuple(day(r[k]) if k in ("Joined on", "Next review due") else r[k] for k in keys) for r in rows]
    assert got == expected
    assert any("Information Technology" in str(r[keys[3]]) for r in rows)  # a human label, not the enum


PEOPLE = "{ people(first: 100) { nodes { id name email orcid country { name } affiliation { name } } } }"


@pytest.mark.parametrize("viewer", ["anonymous", "member", "manager", "staff"])
async def test_people_show_an_address_exactly_where_graphql_does(client, viewers, viewer):
    headers = viewers[viewer]
    found = {p["id"]: p for p in (await graphql(client, headers, PEOPLE))["people"]["nodes"]}
    for format, read in (("csv", read_csv), ("ndjson", read_ndjson)):
        rows = read(await export(client, f"/export/people.{format}", headers))
        by_id = {r["ID" if format == "csv" else "id"]: r for r in rows}
        assert set(by_id) == set(found)
        for person_id, person in found.items():
            row = by_id[person_id]
            if format == "csv":
                assert (row["E-mail"] or None, row["ORCID"] or None) == (person["email"], person["orcid"]), person_id
            else:
                assert (row["email"], row["orcid"]) == (person["email"], person["orcid"]), person_id
    # The cases differ, so the comparison above is not vacuous: Tom (Helix's
    # Signer, visible to staff only) shows to staff, never to Helix's Primary,
    # who sees what a member sees (and her own).
    shown = sum(p["email"] is not None for p in found.values())
    assert shown == {"anonymous": 0, "member": 6, "manager": 7, "staff": 8}[viewer]
    assert (found["per_tom"]["email"] is not None) is (viewer == "staff")


@pytest.mark.parametrize(
    ("parameters", "filter"),
    [("reviewDueBefore=2026-11-01", {"reviewDueBefore": "2026-11-01"}),
     ("updatedSince=2000-01-01T00:00:00Z", {"updatedSince": "2000-01-01T00:00:00Z"})],
)
async def test_review_due_and_updated_since_filter_exports_as_graphql(client, parameters, filter):
    query = "query($filter: OrganisationFilter) { organisations(filter: $filter, first: 100) { nodes { id } } }"
    found = [o["id"] for o in (await graphql(client, {}, query, filter=filter))["organisations"]["nodes"]]
    rows = read_ndjson(await export(client, f"/export/organisations.ndjson?{parameters}"))
    assert sorted(r["id"] for r in rows) == sorted(found) and found


async def test_people_filter_is_graphqls(client):
    query = '{ people(first: 100, filter: {continents: [NORTH_AMERICA], search: "a"}) { nodes { id } } }'
    found = [p["id"] for p in (await graphql(client, {}, query))["people"]["nodes"]]
    rows = read_ndjson(await export(client, "/export/people.ndjson?continents=NORTH_AMERICA&search=a"))
    assert [r["id"] for r in rows] == found and found


async def test_statistics_by_one_dimension_are_membership_stats(client):
    query = '{ membershipStats(by: SECTOR, filter: {statuses: [ACTIVE, LAPSED]}) { key label count } }'
    found = (await graphql(client, {}, query))["membershipStats"]
    response = await export(client, "/export/stats.xlsx?by=SECTOR&statuses=ACTIVE,LAPSED")
    assert response.headers["content-disposition"] == 'attachment; filename="stats-sector.xlsx"'
    rows = read_xlsx(response)
    assert [(r["Sector"], r["Sector code"], r["Organisations"]) for r in rows] == [(b["label"], b["key"], b["count"]) for b in found]
    assert isinstance(rows[0]["Organisations"], int) and "Information Technology" in {r["Sector"] for r in rows}


async def test_crossed_statistics_cells_equal_organisation_counts(client):
    rows = read_csv(await export(client, "/export/stats.csv?by=COUNTRY&thenBy=SECTOR"))
    assert len(rows) >= 8
    query = "query($filter: OrganisationFilter) { organisations(filter: $filter) { totalCount } }"
    for row in rows:
        filter = {"countries": [row["Country code"]], "sectors": [row["Sector code"]]}
        total = (await graphql(client, {}, query, filter=filter))["organisations"]["totalCount"]
        assert int(row["Organisations"]) == total, row
        assert row["Country"] == countries.country(row["Country code"]).name
        assert row["Sector"] == label(row["Sector code"])
    every = {(c, s) for c in {r["Country code"] for r in rows} for s in {r["Sector code"] for r in rows}}
    absent = every - {(r["Country code"], r["Sector code"]) for r in rows}
    for country, sector in sorted(absent)[:5]:  # a pair not listed has no organisation
        filter = {"countries": [country], "sectors": [sector]}
        assert (await graphql(client, {}, query, filter=filter))["organisations"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("url", "argument"),
    [
        ("/export/stats.csv", "by"),
        ("/export/stats.csv?by=PLANET", "by"),
        ("/export/stats.csv?by=COUNTRY&thenBy=COUNTRY", "thenBy"),
        ("/export/organisations.csv?countries=QQ", "countries"),
        ("/export/organisations.csv?sectors=MINING", "sectors"),
        ("/export/organisations.csv?joinedAfter=2020-01-01&joinedBefore=2019-01-01", "joinedAfter"),
        ("/export/organisations.csv?joinedAfter=yesterday", "joinedAfter"),
        ("/export/organisations.csv?reviewDueBefore=soon", "reviewDueBefore"),
        ("/export/people.csv?updatedSince=yesterday", "updatedSince"),
        ("/export/organisations.csv?search=" + "x" * 101, "search"),
        ("/export/people.csv?countrys=CA", "countrys"),
        ("/export/roster.csv?kinds=BAND", "kinds"),
        ("/export/roster/data-work-stream.csv?kinds=FORUM", "kinds"),
        ("/export/roster/data-work-stream.csv?activeOn=2020-02-30", "activeOn"),
        ("/export/contacts.csv?roles=JANITOR", "roles"),
        ("/export/contacts.csv?search=a&search=b", "search"),
        ("/export/people.pdf", "format"),
    ],
)
async def test_bad_parameters_get_400_naming_the_parameter(client, url, argument):
    response = await client.get(url)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert "Traceback" not in response.text


@pytest.mark.parametrize("url", ["/export/roster/no-such-group.csv", "/export/contacts.csv?group=no-such-group", "/export/members.csv"])
async def test_what_does_not_exist_gets_404(client, url):
    response = await client.get(url)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_head_answers_the_headers_without_the_file(client):
    response = await client.head("/export/organisations.xlsx?countries=CA")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="organisations.xlsx"'
    assert (await client.head("/export/organisations.xlsx?countries=QQ")).status_code == 400


@pytest.mark.parametrize("headers", [{"X-API-Key": "mdk_not_a_real_key"}, {"Authorization": "Basic dXNlcjpwYXNz"}])
async def test_a_bad_credential_gets_401_not_anonymous_data(client, headers):
    response = await client.get("/export/people.csv", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "www-authenticate" in response.headers


HOSTILE = ['=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


@pytest.fixture
async def hostile_db(ferretdb, tmp_path) -> AsyncIterator[Database]:
    db = connect(ferretdb.uri, "test_exports_hostile")
    await db.drop()
    await ensure_indexes(db)
    records = [
        {"type": "organisation", "id": "org_evil", "slug": "evil", "name": HOSTILE[0], "kind": "CORPORATION",
         "country": "PL", "city": "Łódź", "status": "ACTIVE", "sectors": ["INFORMATION_TECHNOLOGY"]},
        *({"type": "person", "id": f"per_{i}", "givenName": name, "familyName": "Zoë", "email": f"{i}@evil.example",
           "affiliation": "org_evil", "contactVisibility": "PUBLIC"} for i, name in enumerate(HOSTILE)),
    ]
    path = tmp_path / "hostile.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    await import_files(db, [path])
    yield db
    await db.drop()
    await db.close()


async def test_cells_that_a_spreadsheet_would_run_are_neutralised(hostile_db):
    async with await _client(hostile_db) as client:
        organisation = read_csv(await export(client, "/export/organisations.csv"))[0]
        assert organisation["Name"] == "'" + HOSTILE[0]
        assert (organisation["City"], organisation["Sectors"]) == ("Łódź", "Information Technology")
        people = read_csv(await export(client, "/export/people.csv"))
        assert sorted(p["Given name"] for p in people) == sorted("'" + name for name in HOSTILE)
        assert all(p["Family name"] == "Zoë" and p["Affiliation"] == "'" + HOSTILE[0] for p in people)

        response = await export(client, "/export/people.xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        given = [row[header.index("Given name")] for row in sheet.iter_rows(min_row=2)]
        assert sorted(c.value for c in given) == sorted(HOSTILE)  # the text itself, stored as text
        assert {c.data_type for c in given} == {"s"}  # never "f", a formula

        raw = read_ndjson(await export(client, "/export/people.ndjson"))
        assert sorted(p["givenName"] for p in raw) == sorted(HOSTILE)  # JSON is never run: left as it is


async def test_an_export_reads_related_records_in_batches_never_per_row(demo_db, recorder):
    async with await _client(demo_db) as client:
        recorder.reset()
        rows = read_csv(await export(client, "/export/people.csv"))
        commands = list(recorder.commands)
    finds = Counter(c.split()[1] for c in commands if c.startswith("find "))
    assert len(rows) > 5000
    chunks = -(-len(rows) // STREAM_BATCH)
    # One cursor on people (its further batches are getMores), one read of
    # affiliations per chunk of rows; never one per person.
    assert finds["people"] == 1, commands
    assert finds["organisations"] <= chunks, commands
    assert len(commands) <= 3 * chunks + 5, commands


README_EXAMPLES = re.findall(r"http://127\.0\.0\.1:8000(/export/[^'\s]+)", (PROJECT_ROOT / "README.md").read_text())


async def test_the_readmes_examples_export_rows_from_the_demo(demo_db):
    assert len(README_EXAMPLES) >= 6
    readers = {".csv": read_csv, ".xlsx": read_xlsx, ".ndjson": read_ndjson}
    async with await _client(demo_db) as client:
        for url in README_EXAMPLES:
            path = url.split("?")[0]
            rows = readers[path[path.rindex("."):]](await export(client, url))
            assert len(rows) >= 2, url
