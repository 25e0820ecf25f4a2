"""Kill -9 in the middle of writes: nothing acknowledged is lost, nothing is half-done.

A real `memberdir serve` (loopback) takes mutations from several concurrent
clients; it is killed with SIGKILL mid-run and started again, or the embedded
engine under it is killed and the server restarts it. Then every
acknowledged mutation must be in the data exactly once, every change in the
data must have exactly one audit entry, and the two must agree. Bounded: a
few hundred writes, well under a minute each.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from dataclasses import dataclass, field

import httpx
import pytest

from datastore import changes, contacts, demo, organisations
from datastore.client import connect
from datastore.records.vocabulary import ContactRole, MembershipStatus, Role
from memberdir import api_keys
from memberdir.settings import Settings
from tests.conftest import directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

WRITERS = 4
KILL_AFTER_ACKS = 40
# Mutations sent, all writers together; failed reads while the database is down do not count.
MAX_MUTATIONS = 300
# Past the server's own 10 s execution deadline, so its answer (maybe an error) always arrives.
CLIENT_TIMEOUT_SECONDS = 30
SIGNERS = {"org_montreal": ("per_ana", "per_jean"), "org_helix": ("per_priya", "per_tom")}

READ = 'query($id: ID!) { organisation(id: $id) { version contacts(roles: [SIGNER]) { person { id } } } }'
UPDATE = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { version } userErrors { code } } }"""
ASSIGN = """mutation($input: AssignRoleContactInput!) {
  assignRoleContact(input: $input) { organisation { version } userErrors { code } } }"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    environment: dict
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "memberdir", "serve", "--port", str(self.port)],
            env=self.environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited while starting"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not get ready")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@dataclass
class Tally:
    # (client mutation id, version read, version answered): equal when there was nothing to change
    acknowledged: list[tuple[str, int, int]] = field(default_factory=list)
    in_doubt: list[tuple[str, dict]] = field(default_factory=list)  # (mutation, variables) cut off by the kill
    mutations_sent: int = 0


async def _writer(
    client: httpx.AsyncClient, number: int, tally: Tally, stop: asyncio.Event, signers: dict[str, tuple[str, str]]
) -> None:
    """Updates and SIGNER hand-overs on the organisations of `signers`, each between its two people."""
    targets = list(signers)
    step = 0
    while not stop.is_set() and tally.mutations_sent < MAX_MUTATIONS:
        step += 1
        organisation_id = targets[(number + step) % len(targets)]
        cmid = f"w{number}-{step}"
        try:
            read = (await client.post("/graphql", json={"query": READ, "variables": {"id": organisation_id}})).json()
            current = read["data"]["organisation"]
            if step % 2:
                mutation, name = UPDATE, "updateOrganisation"
                given = {"id": organisation_id, "patch": {"city": cmid}}
            else:
                held = [c["person"]["id"] for c in current["contacts"]]
                person = next(p for p in signers[organisation_id] if p not in held)
                mutation, name = ASSIGN, "assignRoleContact"
                given = {"organisationId": organisation_id, "role": "SIGNER", "personId": person}
            variables = {"input": {**given, "expectedVersion": current["version"], "clientMutationId": cmid}}
        except (httpx.TransportError, KeyError, TypeError, StopIteration):
            if stop.is_set():
                return
            await asyncio.sleep(0.05)
            continue
        tally.mutations_sent += 1
        try:
            answer = (await client.post("/graphql", json={"query": mutation, "variables": variables})).json()
        except httpx.TransportError:  # the server was killed, or cut off mid-answer
            tally.in_doubt.append((mutation, variables))
            if stop.is_set():
                return
            await asyncio.sleep(0.1)
            continue
        payload = (answer.get("data") or {}).get(name)
        if payload is None:  # the database was unavailable: maybe applied, maybe not
            tally.in_doubt.append((mutation, variables))
            await asyncio.sleep(0.1)
            continue
        if not payload["userErrors"]:
            tally.acknowledged.append((cmid, current["version"], payload["organisation"]["version"]))


async def _retry_in_doubt_and_settle(client: httpx.AsyncClient, tally: Tally, database) -> None:
    """A client retries what the kill cut off, with the same clientMutationId (applied
    once); recovery completes what was claimed but not applied (lease 1 s, swept every 0.5 s)."""
    for mutation, variables in tally.in_doubt:
        await client.post("/graphql", json={"query": mutation, "variables": variables})
    deadline = time.monotonic() + 15
    while await database.changes.count_documents({"state": "claimed"}) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


async def _check_nothing_lost_nothing_half_done(database, tally: Tally, organisation_ids) -> None:
    assert await database.changes.count_documents({"state": "claimed"}) == 0
    applied = [d async for d in database.changes.find({"state": "applied"})]
    by_id = {d["_id"]: d for d in applied}
    # Every acknowledged mutation is in the log (and so in the data) exactly once.
    keys = [d["client_key"] for d in applied if d.get("client_key")]
    assert len(keys) == len(set(keys))
    changed = [(cmid, answered) for cmid, read, answered in tally.acknowledged if answered != read]
    assert len(changed) >= KILL_AFTER_ACKS // 2
    for cmid, version in changed:
        assert sum(1 for k in keys if k.endswith(changes.client_key("", cmid))) == 1, cmid
    # Every change in the data has exactly one audit entry, and they agree.
    for organisation_id in organisation_ids:
        record = (await organisations.by_ids(database, [organisation_id]))[0]
        versions = sorted(d["version"] for d in applied if d["owner_id"] == organisation_id)
        assert versions == list(range(versions[0], record.version + 1))
        logged = [by_id[f"{organisation_id}@{v}"] for v in versions]
        city_changes = [c for c in logged if c["action"] == "UPDATE"]
        if city_changes:
            assert record.city == next(f["after"] for f in city_changes[-1]["fields"] if f["field"] == "city")
        signers = [c for c in await contacts.by_organisations(database, [organisation_id]) if c.role is ContactRole.SIGNER]
        assigned = [c for c in logged if c["action"] == "ASSIGN"]
        assert len(signers) == 1
        if assigned:
            person = next(f["after"] for f in assigned[-1]["fields"] if f["field"] == "person")
            assert signers[0].person_id == person


async def _write_until(
    client: httpx.AsyncClient, tally: Tally, acknowledged: int, stop: asyncio.Event, signers: dict[str, tuple[str, str]]
) -> list:
    writers = [asyncio.create_task(_writer(client, n, tally, stop, signers)) for n in range(WRITERS)]
    deadline = time.monotonic() + 30
    while len(tally.acknowledged) < acknowledged and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return writers


@pytest.fixture
async def database(ferretdb):
    async with directory_copy(ferretdb, "test_kill") as db:
        yield db


async def test_a_server_killed_mid_writes_loses_nothing_acknowledged(ferretdb, database):
    key = await api_keys.issue(database, "kill test", Role.STAFF, None)
    environment = {
        **os.environ, "MONGODB_URI": ferretdb.uri, "MEMBERDIR_DATABASE": "test_kill",
        "MEMBERDIR_WRITE_LEASE_SECONDS": "1",
    }
    server = Server(environment)
    headers = {"X-API-Key": key.secret_key}
    tally = Tally()
    try:
        server.start()
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=CLIENT_TIMEOUT_SECONDS) as client:
            writers = await _write_until(client, tally, KILL_AFTER_ACKS, stop, SIGNERS)
            server.kill()
            stop.set()
            await asyncio.gather(*writers)
        assert len(tally.acknowledged) >= KILL_AFTER_ACKS
        server.start()
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=CLIENT_TIMEOUT_SECONDS) as client:
            await _retry_in_doubt_and_settle(client, tally, database)
    finally:
        server.stop()
    await _check_nothing_lost_nothing_half_done(database, tally, SIGNERS)


def _demo_signers() -> dict[str, tuple[str, str]]:
    """Two active demo organisations, each with two of its people to hand the SIGNER role between."""
    directory = demo.generate(1)
    found: dict[str, tuple[str, str]] = {}
    for organisation in directory.organisations:
        if organisation.status is not MembershipStatus.ACTIVE:
            continue
        people = [p.id for p in directory.people if p.affiliation_id == organisation.id]
        signer = next(c.person_id for c in directory.contacts
                      if c.organisation_id == organisation.id and c.role is ContactRole.SIGNER)
        other = next((p for p in people if p != signer), None)
        if other:
            found[organisation.id] = (signer, other)
        if len(found) == 2:
            return found
    raise AssertionError("the demo has no two active organisations with two people")


def _engine_of(server: Server) -> int:
    """The embedded engine `serve` runs: its child process."""
    assert server.process is not None
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{server.process.pid}\n" in text:
            return int(status.parent.name)
    raise AssertionError("serve runs no engine")


async def test_an_engine_killed_mid_writes_loses_nothing_acknowledged(tmp_path):
    """The embedded engine dies under a running server, which restarts it; the writers go on."""
    environment = {**os.environ, "MEMBERDIR_DATA_DIR": str(tmp_path / "var"), "MEMBERDIR_WRITE_LEASE_SECONDS": "1"}
    environment.pop("MONGODB_URI", None)
    server = Server(environment)
    tally = Tally()
    try:
        server.start()
        # A later command joins the server's engine, which holds the demo directory.
        made = subprocess.run([sys.executable, "-m", "memberdir", "keys", "create", "--name", "kill test",
                               "--role", "staff"], env=environment, check=True, capture_output=True, text=True,
                              timeout=60)
        signers = _demo_signers()
        headers = {"X-API-Key": made.stdout.strip().splitlines()[-1]}
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=CLIENT_TIMEOUT_SECONDS) as client:
            writers = await _write_until(client, tally, KILL_AFTER_ACKS, stop, signers)
            os.kill(_engine_of(server), signal.SIGKILL)
            killed_at = len(tally.acknowledged)
            # The writers go on through the restart; some answers meanwhile are DATABASE_UNAVAILABLE.
            deadline = time.monotonic() + 120  # a bound on waiting, not a measure of speed
            while len(tally.acknowledged) < killed_at + 20 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*writers)
            assert len(tally.acknowledged) >= killed_at + 20, "writes did not resume after the engine's restart"
            uri = f"mongodb://127.0.0.1:{_engine_port(tmp_path / 'var')}/?directConnection=true"
            database = connect(uri, Settings().database)
            try:
                await _retry_in_doubt_and_settle(client, tally, database)
                await _check_nothing_lost_nothing_half_done(database, tally, signers)
            finally:
                await database.close()
    finally:
        server.stop()


def _engine_port(data_dir: Path) -> int:
    ports = list(data_dir.glob("*/*.port"))
    assert len(ports) == 1, ports
    return int(ports[0].read_text())
