"""Rules that span records hold whatever runs at once: an acyclic group tree, one Primary
(and at most one Administrator and Signer) per active organisation, tenure dates within
their range, no roster entry for a REMOVED member; and an applicant can withdraw."""

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, contacts, cross_record, edits, group_tree, groups, organisations, people, rosters, writes
from datastore.importer import ImportRejected, import_files
from datastore.records import dates
from datastore.records.changes import Actor, Change, ChangeState
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import ChangeAction, RecordType, Role, RosterRole
from resolvers.viewer import Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# tests/data/directory.json: Ana chairs grp_clinical and is Primary of org_montreal (Jean its
# Administrator, both affiliated with it); Zoë holds no role anywhere.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
ROUNDS = 10
TODAY = datetime.now(UTC).date()

ERRORS = "userErrors { field message code }"
CREATE_GROUP = f"mutation($input: CreateWorkingGroupInput!) {{ createWorkingGroup(input: $input) {{ workingGroup {{ id }} {ERRORS} }} }}"
UPDATE_GROUP = f"mutation($input: UpdateWorkingGroupInput!) {{ updateWorkingGroup(input: $input) {{ workingGroup {{ id version }} {ERRORS} }} }}"
ASSIGN = f"mutation($input: AssignRoleContactInput!) {{ assignRoleContact(input: $input) {{ organisation {{ version }} {ERRORS} }} }}"
ADD = f"mutation($input: AddRosterEntryInput!) {{ addRosterEntry(input: $input) {{ entry {{ id since }} {ERRORS} }} }}"
END = f"mutation($input: EndRosterEntryInput!) {{ endRosterEntry(input: $input) {{ entry {{ id until }} {ERRORS} }} }}"
DECIDE = f"mutation($input: DecideIndividualMembershipInput!) {{ decideIndividualMembership(input: $input) {{ person {{ version }} {ERRORS} }} }}"
APPLY = f"mutation($input: ApplyForIndividualMembershipInput!) {{ applyForIndividualMembership(input: $input) {{ person {{ version }} {ERRORS} }} }}"
CREATE_ORGANISATION = f"mutation($input: CreateOrganisationInput!) {{ createOrganisation(input: $input) {{ organisation {{ id version membership {{ status }} }} {ERRORS} }} }}"
WITHDRAW = (f"mutation($input: WithdrawApplicationInput!) {{ withdrawApplication(input: $input) "
            f"{{ organisation {{ id version membership {{ status history {{ status on reason }} }} }} {ERRORS} clientMutationId }} }}")


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_cross_record_rules") as db:
        yield Run(schema, db)


def _errors(data: dict) -> list[dict]:
    return next(iter(data.values()))["userErrors"]


async def _new_group(run: Run, slug: str) -> str:
    data = await run.as_viewer(STAFF)(CREATE_GROUP, input={"slug": slug, "name": slug.title(), "kind": "TASK_TEAM"})
    assert _errors(data) == []
    return data["createWorkingGroup"]["workingGroup"]["id"]


async def _move(run: Run, group_id: str, parent_id: str) -> dict:
    current = (await groups.by_ids(run.db, [group_id]))[0]
    return await run.as_viewer(STAFF)(UPDATE_GROUP, input={"id": group_id, "expectedVersion": current.version,
                                                           "patch": {"parentId": parent_id}})


# The group tree

async def test_a_move_under_a_descendant_is_invalid(run):
    a, b = await _new_group(run, "tree-a"), await _new_group(run, "tree-b")
    assert _errors(await _move(run, a, b)) == []
    [error] = _errors(await _move(run, b, a))
    assert (error["field"], error["code"]) == (["input", "patch", "parentId"], "INVALID")
    assert await group_tree.cycles(run.db) == []


@pytest.mark.parametrize("size", [2, 3], ids=["two groups", "three groups"])
async def test_concurrent_moves_never_make_a_cycle(run, size):
    """The issue's example: two staff edits at once made each group the other's parent."""
    for round_ in range(ROUNDS):
        ring = [await _new_group(run, f"ring-{size}-{round_}-{i}") for i in range(size)]
        # Each group under the next: all of them together would close a ring.
        answers = await asyncio.gather(*(_move(run, g, ring[(i + 1) % size]) for i, g in enumerate(ring)))
        refused = [e for answer in answers for e in _errors(answer)]
        assert len(refused) >= 1, f"round {round_}: every move of the ring was accepted"
        assert {(tuple(e["field"]), e["code"]) for e in refused} <= {
            (("input", "patch", "parentId"), "CONFLICT"), (("input", "patch", "parentId"), "INVALID")}
        assert await group_tree.cycles(run.db) == [], f"round {round_}"
        # Nothing refused was written, and nothing is left in flight.
        assert await run.db.changes.count_documents({"state": ChangeState.CLAIMED.value}) == 0
    assert await cross_record.problems(run.db) == []


async def test_a_move_in_flight_counts_as_made(run):
    """A claim cut off by a crash (left claimed) is counted until it is completed."""
    a, b = await _new_group(run, "flight-a"), await _new_group(run, "flight-b")
    group_a = (await groups.by_ids(run.db, [a]))[0]
    document = {**groups.to_document(group_a), "parent_id": b}
    await run.db.changes.insert_one({"_id": changes.claim_id(a, group_a.version + 1), "state": "claimed",
                                     "owner_id": a, "plan": {"collection": "groups", "document": document}})
    [error] = _errors(await _move(run, b, a))
    assert error["code"] == "INVALID"


async def test_the_import_makes_no_cycle(run, tmp_path):
    path = tmp_path / "tree.ndjson"
    # grp_phenopackets is under grp_clinical: grp_clinical under it would be a cycle, and so would two new groups
    # under each other.
    records = [{"type": "group", "id": "grp_clinical", "parent": "grp_phenopackets"},
               {"type": "group", "id": "grp_x", "slug": "x", "name": "X", "kind": "TASK_TEAM", "parent": "grp_y"},
               {"type": "group", "id": "grp_y", "slug": "y", "name": "Y", "kind": "TASK_TEAM", "parent": "grp_x"}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with pytest.raises(ImportRejected) as rejected:
        await import_files(run.db, [path])
    message = str(rejected.value)
    for line in (1, 2, 3):
        assert f"tree.ndjson:{line}: parent:" in message, message
    assert await group_tree.cycles(run.db) == []


async def _cut_off(run: Run, write: writes.Write, version: int) -> str:
    """A change claimed an hour ago by a writer cut off before it checked anything."""
    at = datetime.now(UTC) - timedelta(hours=1)
    document = {**write.document, "version": version, "updated_at": at, "updated_key": dates.instant_key(at)}
    change = Change(
        id=changes.claim_id(write.owner_id, version), owner_type=write.owner_type, owner_id=write.owner_id,
        version=version, record_type=write.record_type or write.owner_type, record_id=write.record_id or write.owner_id,
        action=write.action, at=at, actor=Actor("staff"), state=ChangeState.CLAIMED,
        fields=write.fields, plan=writes._plan(write, document))
    await run.db.changes.insert_one(changes.to_document(change))
    return change.id


@pytest.mark.parametrize("closes_a_cycle", [True, False], ids=["cycle", "no cycle"])
async def test_recovery_checks_a_move_its_writer_never_checked(run, closes_a_cycle):
    a, b = await _new_group(run, "cut-a"), await _new_group(run, "cut-b")
    if closes_a_cycle:
        assert _errors(await _move(run, b, a)) == []
    group_a = (await groups.by_ids(run.db, [a]))[0]
    moved = replace(group_a, parent_id=b)
    claim = await _cut_off(run, edits.write_of("groups", group_a, moved, ChangeAction.UPDATE), group_a.version + 1)
    assert await writes.recover(run.db) == (0 if closes_a_cycle else 1)
    state = (await changes.by_id(run.db, claim)).state
    assert state is (ChangeState.REJECTED if closes_a_cycle else ChangeState.APPLIED)
    assert (await groups.by_ids(run.db, [a]))[0].parent_id == (None if closes_a_cycle else b)
    assert await group_tree.cycles(run.db) == []


# One Primary, at most one Administrator and Signer

@pytest.mark.parametrize("role", ["PRIMARY", "ADMINISTRATOR", "SIGNER"])
async def test_concurrent_assignments_leave_one_holder(run, role):
    candidates = ["per_ana", "per_jean"]
    for round_ in range(ROUNDS):
        version = (await organisations.by_ids(run.db, ["org_montreal"]))[0].version
        answers = await asyncio.gather(*(
            run.as_viewer(STAFF)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                "role": role, "personId": person})
            for person in (candidates if round_ % 2 else candidates[::-1])))
        # Both may answer without errors when one asks for what already is; one change at most.
        changed = [a for a in answers if not _errors(a) and a["assignRoleContact"]["organisation"]["version"] > version]
        assert len(changed) <= 1, f"round {round_}: {answers}"
        held = [c for c in await contacts.by_organisations(run.db, ["org_montreal"]) if c.role.value == role]
        assert len(held) == 1, f"round {round_}: {held}"
        assert await cross_record.role_contact_problems(run.db) == []


async def test_concurrent_assignments_reading_the_version_each_leave_one_holder(run):
    async def assign(person: str, role: str) -> dict:
        version = (await organisations.by_ids(run.db, ["org_montreal"]))[0].version
        return await run.as_viewer(STAFF)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                         "role": role, "personId": person})

    for round_ in range(ROUNDS):
        await asyncio.gather(*(assign(person, role) for role in ("PRIMARY", "ADMINISTRATOR", "SIGNER")
                               for person in ("per_ana", "per_jean")))
        assert await cross_record.role_contact_problems(run.db) == [], f"round {round_}"


# Tenure dates

async def _group_version(run: Run, group_id: str = "grp_clinical") -> int:
    return (await groups.by_ids(run.db, [group_id]))[0].version


async def _add(run: Run, viewer: Viewer, since: str | None, person: str = "per_zoe") -> dict:
    return await run.as_viewer(viewer)(ADD, input={"groupId": "grp_clinical", "expectedVersion": await _group_version(run),
                                                   "personId": person, "role": "MEMBER", "since": since})


@pytest.mark.parametrize("viewer", [STAFF], ids=["staff"])
@pytest.mark.parametrize("since", ["1900-01-01", "1999-12-31", "2999-12-31", (TODAY + timedelta(days=366)).isoformat()],
                         ids=["1900", "before 2000", "2999", "a year and a day ahead"])
async def test_tenures_out_of_range_are_invalid_for_everyone(run, viewer, since):
    """The issue's examples: a chair added tenures from 1900-01-01 and starting 2999-12-31 (chairs no longer
    add directly: they invite, tests/invitations/; staff are held to the same range)."""
    before = await run.db.roster.count_documents({})
    [error] = _errors(await _add(run, viewer, since))
    assert (error["field"], error["code"]) == (["input", "since"], "INVALID"), error
    assert await run.db.roster.count_documents({}) == before


async def test_backdating_beyond_90_days_is_staff_only(run):
    long_ago = (TODAY - timedelta(days=91)).isoformat()
    assert _errors(await _add(run, STAFF, "2000-01-01", person="per_sam")) == []
    ahead = (TODAY + timedelta(days=365)).isoformat()
    assert _errors(await _add(run, STAFF, ahead, person="per_tom")) == []
    # Ending one: a chair ends a member's tenure, but not more than 90 days back.
    entry = (await _add(run, STAFF, "2020-01-01", person="per_yuki"))["addRosterEntry"]["entry"]
    ended = await run.as_viewer(ANA)(END, input={"entryId": entry["id"], "expectedVersion": 1, "until": long_ago})
    assert [(e["field"], e["code"]) for e in _errors(ended)] == [(["input", "until"], "FORBIDDEN")]
    ended = await run.as_viewer(STAFF)(END, input={"entryId": entry["id"], "expectedVersion": 1, "until": long_ago})
    assert _errors(ended) == [] and ended["endRosterEntry"]["entry"]["until"] == long_ago


# No roster entry for a REMOVED member

async def _individual(run: Run, viewer: Viewer, mutation: str, **extra) -> dict:
    person = (await people.by_ids(run.db, ["per_zoe"]))[0]
    return await run.as_viewer(viewer)(mutation, input={"personId": "per_zoe", "expectedVersion": person.version,
                                                        **extra})


async def test_a_removed_member_joins_no_roster(run):
    assert _errors(await _individual(run, ZOE, APPLY, acceptedAgreements=ACCEPTED_AGREEMENTS)) == []
    assert _errors(await _individual(run, STAFF, DECIDE, decision="APPROVE")) == []
    assert _errors(await _individual(run, STAFF, DECIDE, decision="REMOVE")) == []
    before = await run.db.roster.count_documents({})
    for viewer in (STAFF,):
        [error] = _errors(await _add(run, viewer, None))
        assert (error["field"], error["code"]) == (["input", "personId"], "CONFLICT"), error
    assert await run.db.roster.count_documents({}) == before
    assert await cross_record.problems(run.db) == []


async def test_a_removal_in_flight_counts_as_made(run):
    assert _errors(await _individual(run, ZOE, APPLY, acceptedAgreements=ACCEPTED_AGREEMENTS)) == []
    person = (await people.by_ids(run.db, ["per_zoe"]))[0]
    document = {**people.to_document(person), "individual_membership": {"status": "REMOVED", "since": None,
                                                                          "history": []}}
    await run.db.changes.insert_one({"_id": changes.claim_id("per_zoe", person.version + 1), "state": "claimed",
                                     "owner_id": "per_zoe", "plan": {"collection": "people", "document": document}})
    [error] = _errors(await _add(run, STAFF, None))
    assert error["code"] == "CONFLICT"


async def test_recovery_adds_no_tenure_for_a_member_removed_since_its_claim(run):
    assert _errors(await _individual(run, ZOE, APPLY, acceptedAgreements=ACCEPTED_AGREEMENTS)) == []
    assert _errors(await _individual(run, STAFF, DECIDE, decision="APPROVE")) == []
    group = (await groups.by_ids(run.db, ["grp_clinical"]))[0]
    entry = replace(RosterEntry("grp_clinical", "per_zoe", RosterRole.MEMBER, TODAY), version=1)
    write = edits.write_of("groups", group, group, ChangeAction.CREATE, about=(RecordType.ROSTER_ENTRY, entry.id),
                           effects=(writes.Effect("roster", entry.id, rosters.to_document(entry)),), fields=())
    claim = await _cut_off(run, write, group.version + 1)
    await run.db.people.update_one({"_id": "per_zoe"}, {"$set": {"individual_membership.status": "REMOVED"}})
    assert await writes.recover(run.db) == 0
    assert (await changes.by_id(run.db, claim)).state is ChangeState.REJECTED
    assert await rosters.by_ids(run.db, [entry.id]) == []


# Withdrawing an application

async def test_the_applicant_withdraws_its_application(run):
    created = await run.as_viewer(ZOE)(CREATE_ORGANISATION, input={
        "slug": "zoe-lab", "name": "Zoë's Lab", "kind": "ACADEMIC", "country": "FR"})
    organisation = created["createOrganisation"]["organisation"]
    assert organisation["membership"]["status"] == "APPLICANT"
    # Somebody else may not.
    refused = await run.as_viewer(ANA)(WITHDRAW, input={"organisation": organisation["id"],
                                                        "expectedVersion": organisation["version"]})
    assert [e["code"] for e in _errors(refused)] == ["FORBIDDEN"]
    data = await run.as_viewer(ZOE)(WITHDRAW, input={"organisation": organisation["id"], "clientMutationId": "w1",
                                                     "expectedVersion": organisation["version"], "reason": "no funding"})
    payload = data["withdrawApplication"]
    assert payload["userErrors"] == [] and payload["clientMutationId"] == "w1"
    assert payload["organisation"]["membership"]["status"] == "CANCELLED"
    last = payload["organisation"]["membership"]["history"][-1]
    assert (last["status"], last["on"]) == ("CANCELLED", TODAY.isoformat())
    stored = (await organisations.by_ids(run.db, [organisation["id"]]))[0]
    assert (stored.history[-1].status.value, stored.history[-1].reason) == ("CANCELLED", "no funding")
    [logged, *_] = await changes.audit_page(run.db, changes.AuditFilter(record_id=organisation["id"]), None, 10)
    assert (logged.action.value, logged.actor.role, logged.reason) == ("STATUS", "primary", "no funding")
    # Withdrawn, it is no longer an application: nobody withdraws it again. Zoë, affiliated with it
    # by applying, is still its Primary: refused for the transition, as staff are.
    for viewer, code in ((ZOE, "INVALID_TRANSITION"), (STAFF, "INVALID_TRANSITION")):
        again = await run.as_viewer(viewer)(WITHDRAW, input={"organisation": organisation["id"],
                                                             "expectedVersion": payload["organisation"]["version"]})
        assert [e["code"] for e in _errors(again)] == [code]


async def test_staff_withdraw_an_application_and_only_an_application(run):
    zurich = (await organisations.by_ids(run.db, ["org_zurich"]))[0]
    data = await run.as_viewer(STAFF)(WITHDRAW, input={"organisation": "org_zurich", "expectedVersion": zurich.version})
    assert _errors(data) == [] and data["withdrawApplication"]["organisation"]["membership"]["status"] == "CANCELLED"
    montreal = (await organisations.by_ids(run.db, ["org_montreal"]))[0]
    active = await run.as_viewer(STAFF)(WITHDRAW, input={"organisation": "org_montreal",
                                                         "expectedVersion": montreal.version})
    assert [e["code"] for e in _errors(active)] == ["INVALID_TRANSITION"]
    missing = await run.as_viewer(STAFF)(WITHDRAW, input={"organisation": "org_nowhere", "expectedVersion": 1})
    assert [(e["field"], e["code"]) for e in _errors(missing)] == [(["input", "organisation"], "NOT_FOUND")]
