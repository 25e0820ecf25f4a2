"""A host institution keeps an exact copy from the change feed, while records change.

The copy starts from a full pull, then follows `changes(after:)` and fetches
each changed record by id with `nodes` (null: gone). Writers run mutations
concurrently with the pulls; at the end the copy must equal a fresh full pull.
"""

import asyncio
import random

import pytest

from datastore import contacts, rosters
from datastore.importer import import_files
from datastore.records.vocabulary import Role
from resolvers.viewer import Viewer
from tests.conftest import DATA, Run, fresh_database

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_sync_writer")
HOST = Viewer(role=Role.MEMBER, credential="api-key:key_host_institution")

FRAGMENTS = """
fragment O on Organisation { __typename id version name city website sectors membership { status } }
fragment P on Person { __typename id version name email country { code } affiliation { id } }
fragment C on RoleContact { __typename id contactRole: role person { id } organisation { id } workingGroup { id } }
fragment G on WorkingGroup { __typename id version name active description }
fragment R on RosterEntry { __typename id version rosterRole: role since until person { id } group { id } }
"""
FULL_PULL = """{
  organisations(first: 100) { nodes { ...O contacts { ...C } } }
  people(first: 100) { nodes { ...P } }
  workingGroups { ...G roster(first: 500) { nodes { ...R } } }
}""" + FRAGMENTS
FEED = "query($after: String) { changes(after: $after, first: 7) { resumeCursor pageInfo { hasNextPage } nodes { recordId } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ...O ...P ...C ...G ...R } }" + FRAGMENTS


def _records(pull: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for organisation in pull["organisations"]["nodes"]:
        found[organisation["id"]] = {k: v for k, v in organisation.items() if k != "contacts"}
        found.update({c["id"]: c for c in organisation["contacts"]})
    found.update({p["id"]: p for p in pull["people"]["nodes"]})
    for group in pull["workingGroups"]:
        found[group["id"]] = {k: v for k, v in group.items() if k != "roster"}
        found.update({e["id"]: e for e in group["roster"]["nodes"]})
    return found


class HostInstitution:
    def __init__(self, run: Run):
        self.run = run
        self.copy: dict[str, dict] = {}
        self.cursor: str | None = None

    async def start(self) -> None:
        # Where the feed stands first, then the full pull: a change between the two is fetched twice, never missed.
        self.cursor = (await self.run(FEED))["changes"]["resumeCursor"]
        while (page := (await self.run(FEED, after=self.cursor))["changes"])["nodes"]:
            self.cursor = page["resumeCursor"]
        self.copy = _records(await self.run(FULL_PULL))

    async def pull(self) -> int:
        """Follow the feed to its end; how many notices were read."""
        read = 0
        while True:
            page = (await self.run(FEED, after=self.cursor))["changes"]
            ids = list(dict.fromkeys(n["recordId"] for n in page["nodes"]))
            read += len(page["nodes"])
            if ids:
                for record_id, record in zip(ids, (await self.run(NODES, ids=ids))["nodes"]):
                    if record is None:
                        self.copy.pop(record_id, None)
                    else:
                        self.copy[record_id] = record
            self.cursor = page["resumeCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                return read


async def _version(run: Run, record_id: str) -> int:
    return (await run("query($id: ID!) { node(id: $id) { ... on Organisation { version } ... on Person { version } "
                      "... on WorkingGroup { version } ... on RosterEntry { version } } }", id=record_id))["node"]["version"]


async def _writer(run: Run, seed: int, steps: int) -> int:
    """Random mutations as staff; returns how many were accepted."""
    rng = random.Random(seed)
    accepted = 0
    for step in range(steps):
        kind = rng.choice(["city", "signer", "person", "roster"])
        if kind == "city":
            target = rng.choice(["org_montreal", "org_helix", "org_lagos"])
            query = "mutation($i: UpdateOrganisationInput!) { m: updateOrganisation(input: $i) { userErrors { code } } }"
            given = {"id": target, "patch": {"city": f"City {seed}-{step}"}}
        elif kind == "signer":
            target = "org_montreal"
            query = "mutation($i: AssignRoleContactInput!) { m: assignRoleContact(input: $i) { userErrors { code } } }"
            given = {"organisationId": target, "role": "SIGNER", "personId": rng.choice(["per_ana", "per_jean"])}
        elif kind == "person":
            target = rng.choice(["per_zoe", "per_sam", "per_mia"])
            query = "mutation($i: UpdatePersonInput!) { m: updatePerson(input: $i) { userErrors { code } } }"
            given = {"id": target, "patch": {"givenName": f"Name{seed}x{step}"}}
        else:
            target = "grp_data"
            query = "mutation($i: AddRosterEntryInput!) { m: addRosterEntry(input: $i) { userErrors { code } } }"
            given = {"groupId": target, "personId": rng.choice(["per_ana", "per_sam", "per_joao"]), "role": "OBSERVER",
                     "since": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"}
        given["expectedVersion"] = await _version(run, target)
        result = await run(query, i=given)
        accepted += not result["m"]["userErrors"]
        await asyncio.sleep(0)
    return accepted


@pytest.fixture
async def run(ferretdb, schema):
    db = await fresh_database(ferretdb, "test_sync")
    await import_files(db, [DATA / "directory.json"])
    yield Run(schema, db)
    await db.close()


async def test_a_copy_kept_from_the_feed_equals_a_fresh_full_pull(run):
    host = HostInstitution(run.as_viewer(HOST))
    host.run.feed_settle_seconds = run.feed_settle_seconds
    await host.start()
    writer = run.as_viewer(STAFF)
    writers = asyncio.gather(*(_writer(writer, seed, 12) for seed in range(3)))
    notices = 0
    while not writers.done():
        notices += await host.pull()
        await asyncio.sleep(0.05)
    accepted = sum(await writers)
    # Also an end of tenure, and a role contact removed: records that change or disappear.
    entry = next(e for e in await rosters.by_groups(run.db, ["grp_data"]) if e.until is None)
    await writer("mutation($i: EndRosterEntryInput!) { endRosterEntry(input: $i) { userErrors { code } } }",
                 i={"entryId": entry.id, "expectedVersion": entry.version, "until": "2026-11-01"})
    signer = next(c for c in await contacts.by_organisations(run.db, ["org_helix"]) if c.role.value == "SIGNER")
    await writer("mutation($i: RemoveRoleContactInput!) { removeRoleContact(input: $i) { userErrors { code } } }",
                 i={"organisationId": "org_helix", "expectedVersion": await _version(run, "org_helix"),
                    "contactId": signer.id})
    await asyncio.sleep(run.feed_settle_seconds)
    notices += await host.pull()
    assert accepted >= 10 and notices >= 10
    assert host.copy == _records(await run.as_viewer(HOST)(FULL_PULL))
    assert signer.id not in host.copy
