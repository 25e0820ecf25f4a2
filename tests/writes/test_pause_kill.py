"""Real `memberdir serve` processes stopped and killed at named points of the write path.

- A writer paused past its (1 s) lease with SIGSTOP at a named fault point
  (datastore.faults: the process stops itself there, no sleep decides where);
  a second server's recovery completes its claim; a newer change is
  acknowledged; then the writer resumes with SIGCONT. It must not write over
  the newer change, not add effects again (one Administrator), and every
  record must still take writes.
- A server killed at each point between two writes of a multi-document change
  (assignRoleContact with a previous holder, addRosterEntry), then a newer
  change on what it touched, sent before recovery. Whatever was acknowledged
  stays, and every record agrees with its audit log.
Ten rounds each; each round waits on states (a stopped process, a settled
claim), never on a clock; the bounds only stop a broken run.
"""

import asyncio
import os
import signal
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from datastore import contacts, groups, organisations, rosters
from datastore.records.vocabulary import ContactRole, Role
from datastore.write_invariants import audit_problems
from memberdir import api_keys
from tests.conftest import directory_copy
from tests.writes.test_kill import Server

pytestmark = pytest.mark.database  # run on every engine (make test)

ROUNDS = 10
LEASE_SECONDS = "1"
GIVE_UP_SECONDS = 60
ERRORS = "userErrors { code message }"
UPDATE = f"""mutation($input: UpdateOrganisationInput!) {{
  updateOrganisation(input: $input) {{ organisation {{ version city }} {ERRORS} }} }}"""
ASSIGN = f"""mutation($input: AssignRoleContactInput!) {{
  assignRoleContact(input: $input) {{ organisation {{ version }} {ERRORS} }} }}"""
ADD = f"""mutation($input: AddRosterEntryInput!) {{
  addRosterEntry(input: $input) {{ entry {{ id version }} {ERRORS} }} }}"""
END = f"""mutation($input: EndRosterEntryInput!) {{
  endRosterEntry(input: $input) {{ entry {{ id version until }} {ERRORS} }} }}"""
NAME = "test_pause_kill"


@pytest.fixture
async def database(ferretdb):
    async with directory_copy(ferretdb, NAME) as db:
        yield db


def _environment(engine, **settings: str) -> dict:
    return {**os.environ, "MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": NAME,
            "MEMBERDIR_WRITE_LEASE_SECONDS": LEASE_SECONDS, **settings}


def _stopped(server: Server) -> bool:
    stat = Path(f"/proc/{server.process.pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] == "T"


async def _until(condition, what: str) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + GIVE_UP_SECONDS
    while not await condition():
        assert loop.time() < give_up, f"gave up waiting: {what}"
        await asyncio.sleep(0.05)


async def _post(client: httpx.AsyncClient, query: str, name: str, **given) -> dict:
    answer = (await client.post("/graphql", json={"query": query, "variables": {"input": given}})).json()
    assert "errors" not in answer, answer
    return answer["data"][name]


async def _settled(database) -> bool:
    return await database.changes.count_documents({"state": "claimed"}) == 0


async def _version(database, organisation_id: str) -> int:
    return (await organisations.by_ids(database, [organisation_id]))[0].version


async def _holders(database, organisation_id: str, role: ContactRole) -> list[str]:
    return [c.person_id for c in await contacts.by_organisations(database, [organisation_id]) if c.role is role]


async def _records_agree_with_their_audit_log(database) -> None:
    await _until(lambda: _settled(database), "recovery settles every claim")
    assert await audit_problems(database, lease=timedelta(0)) == []


async def test_a_writer_paused_past_its_lease_never_overwrites_a_newer_change(ferretdb, database):
    key = await api_keys.issue(database, "pause test", Role.STAFF, None)
    headers = {"X-API-Key": key.secret_key}
    # Two writers, each stopping itself at one point; a third server recovers and takes the newer changes.
    at_claim = Server(_environment(ferretdb, MEMBERDIR_FAULT_POINTS="after_claim=stop"))
    at_effect = Server(_environment(ferretdb, MEMBERDIR_FAULT_POINTS="after_effect_1=stop"))
    recovering = Server(_environment(ferretdb))
    servers = (at_claim, at_effect, recovering)
    try:
        for server in servers:
            server.start()
        async with (httpx.AsyncClient(base_url=recovering.url, headers=headers, timeout=GIVE_UP_SECONDS) as later,
                    httpx.AsyncClient(base_url=at_claim.url, headers=headers, timeout=GIVE_UP_SECONDS) as paused_a,
                    httpx.AsyncClient(base_url=at_effect.url, headers=headers, timeout=GIVE_UP_SECONDS) as paused_b):
            for round_ in range(ROUNDS):
                kind = ("update", "assign", "assign")[round_ % 3]
                writer, client = (at_claim, paused_a) if round_ % 3 < 2 else (at_effect, paused_b)
                version = await _version(database, "org_helix")
                if kind == "update":
                    paused_write = asyncio.create_task(_post(
                        client, UPDATE, "updateOrganisation",
                        id="org_helix", expectedVersion=version, patch={"city": f"Paused {round_}"}))
                else:  # hand the Administrator role to Tom, paused; the newer change hands it back
                    paused_write = asyncio.create_task(_post(
                        client, ASSIGN, "assignRoleContact", organisationId="org_helix", expectedVersion=version,
                        role="ADMINISTRATOR", personId="per_tom"))

                async def stopped(server=writer) -> bool:
                    return _stopped(server)

                await _until(stopped, "the writer stops at its fault point")
                # The lease runs out; the other server's sweep completes the paused writer's claim.
                await _until(lambda: _settled(database), "recovery completes the paused writer's claim")
                assert await _version(database, "org_helix") == version + 1, [
                    (d["_id"], d["state"], d["actor"]) async for d in database.changes.find({"owner_id": "org_helix"})]
                if kind == "update":
                    newer = await _post(later, UPDATE, "updateOrganisation", id="org_helix",
                                        expectedVersion=version + 1, patch={"city": f"Later {round_}"})
                else:
                    newer = await _post(later, ASSIGN, "assignRoleContact", organisationId="org_helix",
                                        expectedVersion=version + 1, role="ADMINISTRATOR", personId="per_priya")
                assert newer["userErrors"] == [], newer
                writer.process.send_signal(signal.SIGCONT)
                await paused_write  # answers (its change was applied by recovery), writes nothing more
                organisation = (await organisations.by_ids(database, ["org_helix"]))[0]
                assert organisation.version == version + 2, round_
                if kind == "update":
                    assert organisation.city == f"Later {round_}", round_
                assert await _holders(database, "org_helix", ContactRole.ADMINISTRATOR) == ["per_priya"], round_
                await _records_agree_with_their_audit_log(database)
    finally:
        for server in servers:
            if server.process and server.process.poll() is None:
                server.process.send_signal(signal.SIGCONT)
            server.stop()


# (mutation kind, fault point): every instant between two writes of the two multi-document changes.
KILL_POINTS = [("assign", p) for p in ("after_claim", "after_effect_1", "after_effect_2", "after_record",
                                       "before_mark_applied")] + \
              [("roster", p) for p in ("after_claim", "after_effect_1", "after_record", "before_mark_applied")]
ROSTER_PAIRS = [(g, p) for g in ("grp_data", "grp_clinical", "grp_variants")
                for p in ("per_zoe", "per_sam", "per_mia", "per_joao", "per_yuki", "per_chidi")]


async def _kill_round(ferretdb, database, headers, later: httpx.AsyncClient, kind: str, point: str, pair) -> None:
    victim = Server(_environment(ferretdb, MEMBERDIR_FAULT_POINTS=f"{point}=kill"))
    victim.start()
    try:
        async with httpx.AsyncClient(base_url=victim.url, headers=headers, timeout=GIVE_UP_SECONDS) as client:
            if kind == "assign":
                version = await _version(database, "org_helix")
                [signer] = await _holders(database, "org_helix", ContactRole.SIGNER)
                other = "per_priya" if signer == "per_tom" else "per_tom"
                request = client.post("/graphql", json={"query": ASSIGN, "variables": {"input": {
                    "organisationId": "org_helix", "expectedVersion": version, "role": "SIGNER", "personId": other}}})
            else:
                group_id, person_id = pair
                group = (await groups.by_ids(database, [group_id]))[0]
                request = client.post("/graphql", json={"query": ADD, "variables": {"input": {
                    "groupId": group_id, "expectedVersion": group.version, "personId": person_id, "role": "MEMBER"}}})
            with pytest.raises(httpx.TransportError):  # killed at the point, mid-request
                await request
        assert victim.process.wait(timeout=GIVE_UP_SECONDS) == -signal.SIGKILL
    finally:
        victim.stop()
    # A newer change on what the killed one touched, sent before recovery.
    if kind == "assign":
        read = await _version(database, "org_helix")
        newer = await _post(later, ASSIGN, "assignRoleContact", organisationId="org_helix", expectedVersion=read,
                            role="SIGNER", personId=signer)
        await _records_agree_with_their_audit_log(database)
        holders = await _holders(database, "org_helix", ContactRole.SIGNER)
        assert len(holders) == 1, (point, holders)
        if not newer["userErrors"]:
            assert holders == [signer], point  # acknowledged, and it stayed
        else:
            assert [e["code"] for e in newer["userErrors"]] == ["STALE_VERSION"], newer
        current = await _version(database, "org_helix")
        accepted = await _post(later, UPDATE, "updateOrganisation", id="org_helix", expectedVersion=current,
                               patch={"city": f"After {point}"})
        assert accepted["userErrors"] == [], point
        return
    written = [e for e in await rosters.by_people(database, [person_id]) if e.group_id == group_id]
    ended = None
    if written:
        ended = await _post(later, END, "endRosterEntry", entryId=written[0].id, expectedVersion=written[0].version)
        assert ended["userErrors"] == [] or [e["code"] for e in ended["userErrors"]] == ["STALE_VERSION"], ended
    await _records_agree_with_their_audit_log(database)
    after = [e for e in await rosters.by_people(database, [person_id]) if e.group_id == group_id]
    if ended and not ended["userErrors"]:  # the reported case: the acknowledged end is never undone
        assert after and after[0].until is not None and after[0].version == ended["entry"]["version"], point
    group = (await groups.by_ids(database, [group_id]))[0]
    again = await _post(later, ADD, "addRosterEntry", groupId=group_id, expectedVersion=group.version,
                        personId=person_id, role="OBSERVER")
    assert again["userErrors"] == [], point


async def test_a_kill_between_any_two_writes_then_a_newer_change_loses_nothing(ferretdb, database):
    key = await api_keys.issue(database, "kill test", Role.STAFF, None)
    headers = {"X-API-Key": key.secret_key}
    taken = {(e.group_id, e.person_id) for e in await rosters.by_groups(database, [g for g, _ in ROSTER_PAIRS])}
    pairs = iter([pair for pair in ROSTER_PAIRS if pair not in taken])
    recovering = Server(_environment(ferretdb))
    try:
        recovering.start()
        async with httpx.AsyncClient(base_url=recovering.url, headers=headers, timeout=GIVE_UP_SECONDS) as later:
            for round_ in range(ROUNDS):
                kind, point = KILL_POINTS[round_ % len(KILL_POINTS)]
                await _kill_round(ferretdb, database, headers, later, kind, point,
                                  next(pairs) if kind == "roster" else None)
    finally:
        recovering.stop()
    await _records_agree_with_their_audit_log(database)
