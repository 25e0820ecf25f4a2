"""The `memberdir` command, run as a user would."""

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from memberdir.cli import app
from memberdir.execution import build_schema

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


@pytest.fixture
def environment(engine, request) -> dict[str, str]:
    database = "test_cli_" + request.node.name[:30]
    return {"MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": database}


def test_schema_prints_the_sdl():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.output.strip() == build_schema().as_str().strip()


def test_import_reports_problems_and_exits_nonzero(environment, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"organisations": [{"id": "org_a", "slug": "a", "name": "A", "kind": "ACADEMIC", "country": "QQ", "status": "ACTIVE"}]}))
    result = runner.invoke(app, ["import", str(bad)], env=environment)
    assert result.exit_code == 1
    assert "organisations[0]: country:" in result.output and "nothing was imported" in result.output


def test_import_then_reimport(environment):
    first = runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment)
    assert first.exit_code == 0, first.output
    assert "8 organisations" in first.output and "(58 new or changed)" in first.output
    again = runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment)
    assert again.exit_code == 0, again.output
    assert again.output == first.output.replace("(58 new or changed)", "(0 new or changed)")


def test_seed_twice_leaves_the_same_data(environment):
    from pymongo import MongoClient

    first = runner.invoke(app, ["seed", "--reset"], env=environment)
    assert first.exit_code == 0, first.output
    with MongoClient(environment["MONGODB_URI"]) as client:
        db = client[environment["MEMBERDIR_DATABASE"]]
        before = {name: db[name].count_documents({}) for name in ("organisations", "people", "contacts", "groups", "roster")}
        sample = db.organisations.find_one({}, sort=[("_id", 1)])
        second = runner.invoke(app, ["seed"], env=environment)
        assert second.exit_code == 0, second.output
        assert "(0 new or changed)" in second.output
        after = {name: db[name].count_documents({}) for name in before}
        assert after == before and before["organisations"] >= 600
        assert db.organisations.find_one({"_id": sample["_id"]}) == sample
        client.drop_database(environment["MEMBERDIR_DATABASE"])


def _wait_for(url: str, process: subprocess.Popen, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else "exited"
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_with_embedded_database_seeds_answers_and_stops_cleanly(tmp_path, stop):
    """The README's first command, minus the setup: the embedded engine, demo data, then Ctrl-C or SIGTERM."""
    port = _free_port()
    env = {**os.environ, "MEMBERDIR_DATA_DIR": str(tmp_path / "var")}
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "memberdir", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", process, 120).status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.status_code == 200
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ organisations(filter: {continents: [AFRICA]}) { totalCount } }"}, timeout=30,
        ).json()
        assert answer["data"]["organisations"]["totalCount"] > 0
        # A second command on the same data folder joins the server's engine,
        # so the key it stores is one the server knows at once.
        created = subprocess.run(
            [sys.executable, "-m", "memberdir", "keys", "create", "--name", "laptop", "--role", "staff"],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip().splitlines()[-1]
        emails = {"query": "{ people(first: 20) { nodes { email } } }"}
        url = f"http://127.0.0.1:{port}/graphql"
        as_staff = httpx.post(url, headers={"X-API-Key": key}, json=emails, timeout=30).json()
        as_anyone = httpx.post(url, json=emails, timeout=30).json()
        assert any(n["email"] for n in as_staff["data"]["people"]["nodes"]), as_staff
        assert not any(n["email"] for n in as_anyone["data"]["people"]["nodes"])
        engine_children = _children_of(process.pid)  # the embedded engine, and nothing else
        assert len(engine_children) == 1
    finally:
        process.send_signal(stop)
        output, _ = process.communicate(timeout=30)
    assert "Application shutdown complete." in output, output  # the lifespan closed the database
    # After a clean shutdown uvicorn re-raises SIGTERM, so the exit status names it.
    assert process.returncode == (0 if stop == signal.SIGINT else -signal.SIGTERM), output
    assert "Traceback" not in output
    assert not any(_alive(pid) for pid in engine_children), "the engine outlived the server"


def _children_of(parent: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(parent):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


def test_unreachable_database_is_one_clear_line(tmp_path):
    env = {"MONGODB_URI": "mongodb://127.0.0.1:9/?directConnection=true&serverSelectionTimeoutMS=300"}
    result = runner.invoke(app, ["import", str(DATA / "directory.json")], env=env)
    assert result.exit_code == 2
    assert result.output.startswith("Database: ") and "Traceback" not in result.output


def test_keys_create_list_revoke(environment):
    import re

    from pymongo import MongoClient

    runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment)
    created = runner.invoke(app, ["keys", "create", "--name", "EBI roster sync", "--role", "staff", "--person", "per_ana"], env=environment)
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    # The secret is URL-safe base64, which may itself hold "_".
    key_id, secret = re.match(r"^mdk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$", key).groups()
    assert f"Created key {key_id} (staff) for 'EBI roster sync'." in created.output

    listed = runner.invoke(app, ["keys", "list"], env=environment)
    assert listed.exit_code == 0
    assert key_id in listed.output and "active" in listed.output and "person=per_ana" in listed.output
    assert key not in listed.output
    with MongoClient(environment["MONGODB_URI"]) as client:
        stored = client[environment["MEMBERDIR_DATABASE"]].api_keys.find_one({"_id": key_id})
    assert secret not in str(stored)

    revoked = runner.invoke(app, ["keys", "revoke", key_id], env=environment)
    assert revoked.exit_code == 0 and f"Revoked key {key_id}." in revoked.output
    assert "revoked" in runner.invoke(app, ["keys", "list"], env=environment).output
    again = runner.invoke(app, ["keys", "revoke", key_id], env=environment)
    assert again.exit_code == 1 and "No active key" in again.output


def test_keys_create_with_any_document(environment):
    """The router's key runs any document when only trusted ones are allowed (README, "Trusted documents")."""
    from pymongo import MongoClient

    created = runner.invoke(app, ["keys", "create", "--name", "router", "--role", "member", "--any-document"], env=environment)
    assert created.exit_code == 0 and "(member, any document)" in created.output, created.output
    key_id = created.output.strip().splitlines()[-1].split("_")[1]
    assert f"{key_id}" in (listed := runner.invoke(app, ["keys", "list"], env=environment).output) and "any-document" in listed
    with MongoClient(environment["MONGODB_URI"]) as client:
        assert client[environment["MEMBERDIR_DATABASE"]].api_keys.find_one({"_id": key_id})["any_document"] is True


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--name", "x", "--role", "anonymous"], "--role must be one of member, staff, admin"),
        (["--name", "x", "--role", "god"], "--role must be one of member, staff, admin"),
        (["--name", "x", "--role", "member", "--person", "per_nobody"], "No person 'per_nobody'"),
    ],
)
def test_keys_create_refuses_bad_input(environment, arguments, problem):
    result = runner.invoke(app, ["keys", "create", *arguments], env=environment)
    assert result.exit_code == 1 and problem in result.output


def test_seed_reset_replaces_the_records_and_keeps_the_api_keys(environment):
    from pymongo import MongoClient

    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment).exit_code == 0
    created = runner.invoke(app, ["keys", "create", "--name", "dashboard", "--role", "member"], env=environment)
    assert created.exit_code == 0, created.output
    reset = runner.invoke(app, ["seed", "--reset"], env=environment)
    assert reset.exit_code == 0, reset.output
    with MongoClient(environment["MONGODB_URI"]) as client:
        db = client[environment["MEMBERDIR_DATABASE"]]
        assert db.organisations.find_one({"_id": "org_lagos"}) is None  # imported, not demo: gone
        assert db.organisations.count_documents({}) >= 600
        assert [k["name"] for k in db.api_keys.find()] == ["dashboard"]
        client.drop_database(environment["MEMBERDIR_DATABASE"])


def _as_staff(environment: dict[str, str], query: str) -> dict:
    """GraphQL's answer for a staff caller, on the CLI test's database."""
    from datastore.client import connect
    from datastore.records.vocabulary import Role
    from resolvers.context import Context
    from resolvers.viewer import Viewer

    async def ask() -> dict:
        db = connect(environment["MONGODB_URI"], environment["MEMBERDIR_DATABASE"])
        try:
            context = Context.for_request(db, viewer=Viewer(role=Role.STAFF))
            result = await build_schema().execute(query, context_value=context)
        finally:
            await db.close()
        assert result.errors is None, result.errors
        return result.data

    return asyncio.run(ask())


def test_export_acts_as_staff_and_says_so(environment, tmp_path):
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment).exit_code == 0
    written = tmp_path / "roster.csv"
    result = runner.invoke(
        app, ["export", "roster", "--group", "data-work-stream", "--format", "csv", "-o", str(written)], env=environment
    )
    assert result.exit_code == 0, result.output
    assert "as staff" in result.stderr and f"rows to {written}" in result.stderr
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8-sig"))))
    roster = _as_staff(environment, '{ workingGroup(slug: "data-work-stream") { roster(first: 500) { nodes { person { id email } } } } }')
    expected = [(n["person"]["id"], n["person"]["email"] or "") for n in roster["workingGroup"]["roster"]["nodes"]]
    assert [(r["Person ID"], r["E-mail"]) for r in rows] == expected
    assert "tom@helix.example" in {r["E-mail"] for r in rows}  # visible to staff only


def test_export_to_stdout_and_as_xlsx(environment, tmp_path):
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=environment).exit_code == 0
    result = runner.invoke(app, ["export", "people", "--countries", "CA,GB", "--format", "ndjson"], env=environment)
    assert result.exit_code == 0, result.output
    people = [json.loads(line) for line in result.stdout.splitlines()]
    found = _as_staff(environment, '{ people(first: 100, filter: {countries: ["CA", "GB"]}) { nodes { id email } } }')
    assert [(p["id"], p["email"]) for p in people] == [(n["id"], n["email"]) for n in found["people"]["nodes"]]

    workbook = tmp_path / "stats.xlsx"
    result = runner.invoke(app, ["export", "stats", "--by", "CONTINENT", "--format", "xlsx", "-o", str(workbook)], env=environment)
    assert result.exit_code == 0, result.output
    header, *rows = openpyxl.load_workbook(workbook, read_only=True).active.iter_rows(values_only=True)
    stats = _as_staff(environment, "{ membershipStats(by: CONTINENT) { label count } }")["membershipStats"]
    assert header == ("Continent", "Continent code", "Organisations")
    assert [(r[0], r[2]) for r in rows] == [(b["label"], b["count"]) for b in stats]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export", "roster", "--kinds", "BAND", "--format", "csv"], "--kinds: 'BAND' is not one of"),
        (["export", "roster", "--group", "no-such-group", "--format", "csv"], "--group: No group with slug"),
        (["export", "people", "--by", "COUNTRY", "--format", "csv"], "--by: not a parameter of this export"),
        (["export", "members", "--format", "csv"], "No export 'members'"),
    ],
)
def test_export_refuses_bad_options_by_name(environment, arguments, message):
    result = runner.invoke(app, arguments, env=environment)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
