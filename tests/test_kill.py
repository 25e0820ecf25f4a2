"""Kill -9 in the middle of writes: nothing acknowledged is lost, nothing is half-done.

A real `memberdir serve` (loopback) takes mutations from several concurrent
clients; it is killed with SIGKILL mid-run and started again. Then every
acknowledged mutation must be in the data exactly once, every change in the
data must have exactly one audit entry, and the two must agree. Bounded: a
few hundred writes, well under a minute.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
import pytest

from datastore import contacts, organisations
from datastore.vocabulary import ContactRole, Role
from memberdir import api_keys
from tests.conftest import fresh_database, load_directory

WRITERS = 4
KILL_AFTER_ACKS = 40
MAX_ATTEMPTS = 300
ORGANISATIONS = ("org_montreal", "org_helix")
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
    attempts: int = 0


async def _writer(client: httpx.AsyncClient, number: int, tally: Tally, stop: asyncio.Event) -> None:
    step = 0
    while not stop.is_set() and tally.attempts < MAX_ATTEMPTS:
        tally.attempts += 1
        step += 1
        organisation_id = ORGANISATIONS[(number + step) % len(ORGANISATIONS)]
        cmid = f"w{number}-{step}"
        try:
            read = (await client.post("/graphql", json={"query": READ, "variables": {"id": organisation_id}})).json()
            current = read["data"]["organisation"]
            if step % 2:
                mutation, name = UPDATE, "updateOrganisation"
                given = {"id": organisation_id, "patch": {"city": cmid}}
            else:
                held = [c["person"]["id"] for c in current["contacts"]]
                person = next(p for p in SIGNERS[organisation_id] if p not in held)
                mutation, name = ASSIGN, "assignRoleContact"
                given = {"organisationId": organisation_id, "role": "SIGNER", "personId": person}
            variables = {"input": {**given, "expectedVersion": current["version"], "clientMutationId": cmid}}
        except (httpx.TransportError, KeyError, TypeError):
            if stop.is_set():
                return
            await asyncio.sleep(0.05)
            continue
        try:
            answer = (await client.post("/graphql", json={"query": mutation, "variables": variables})).json()
        except httpx.TransportError:
            tally.in_doubt.append((mutation, variables))
            return
        payload = answer["data"][name]
        if not payload["userErrors"]:
            tally.acknowledged.append((cmid, current["version"], payload["organisation"]["version"]))


async def _applied_changes(db) -> list[dict]:
    return [d async for d in db.changes.find({"state": "applied"})]


@pytest.fixture
async def database(ferretdb):
    db = await fresh_database(ferretdb, "test_kill")
    await load_directory(db)
    yield db
    await db.close()


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
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=10) as client:
            writers = [asyncio.create_task(_writer(client, n, tally, stop)) for n in range(WRITERS)]
            deadline = time.monotonic() + 30
            while len(tally.acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            server.kill()
            stop.set()
            await asyncio.gather(*writers)
        acknowledged_before_kill = len(tally.acknowledged)
        assert acknowledged_before_kill >= KILL_AFTER_ACKS

        server.start()
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=10) as client:
            # A client retries what the kill cut off, with the same clientMutationId: applied once.
            for mutation, variables in tally.in_doubt:
                await client.post("/graphql", json={"query": mutation, "variables": variables})
            # Recovery completes what was claimed but not applied (lease 1 s, swept every 0.5 s).
            deadline = time.monotonic() + 15
            while await database.changes.count_documents({"state": "claimed"}) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
    finally:
        server.stop()

    assert await database.changes.count_documents({"state": "claimed"}) == 0
    applied = await _applied_changes(database)
    by_id = {d["_id"]: d for d in applied}
    # Every acknowledged mutation is in the log (and so in the data) exactly once.
    keys = [d["client_key"] for d in applied if d.get("client_key")]
    assert len(keys) == len(set(keys))
    changed = [(cmid, answered) for cmid, read, answered in tally.acknowledged if answered != read]
    assert len(changed) >= KILL_AFTER_ACKS // 2
    for cmid, version in changed:
        assert sum(1 for k in keys if k.endswith(f"|{cmid}")) == 1, cmid
    # Every change in the data has exactly one audit entry, and they agree.
    for organisation_id in ORGANISATIONS:
        record = (await organisations.by_ids(database, [organisation_id]))[0]
        versions = sorted(d["version"] for d in applied if d["owner_id"] == organisation_id)
        assert versions == list(range(2, record.version + 1))
        city_changes = [by_id[f"{organisation_id}@{v}"] for v in versions if by_id[f"{organisation_id}@{v}"]["action"] == "UPDATE"]
        if city_changes:
            assert record.city == city_changes[-1]["fields"][0]["after"]
        signers = [c for c in await contacts.by_organisations(database, [organisation_id]) if c.role is ContactRole.SIGNER]
        assigned = [by_id[f"{organisation_id}@{v}"] for v in versions if by_id[f"{organisation_id}@{v}"]["action"] == "ASSIGN"]
        assert len(signers) == 1
        if assigned:
            person = next(f["after"] for f in assigned[-1]["fields"] if f["field"] == "person")
            assert signers[0].person_id == person
