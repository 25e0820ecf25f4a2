"""Fencing: a change cut off between any two of its writes, then a newer change, then recovery.

In process, on the real engine: the write path is stopped at each named fault
point (datastore.faults, action `raise`: the writer stops there as a killed
process would, leaving the same documents behind). Then a newer change is
sent before recovery (refused while the cut-off one is in flight, or applied
after completing it), then recovery runs. Every round checks every record
against its audit log (datastore.write_invariants), that what was acknowledged
stayed, and that each record still accepts a write. Ten rounds per change.
"""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from datastore import changes, contacts, faults, groups, organisations, rosters, writes
from datastore.records.changes import ChangeState
from datastore.records.vocabulary import ContactRole, Role
from datastore.write_invariants import audit_problems
from memberdir.settings import Settings
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ERRORS = "userErrors { field message code }"
ASSIGN = f"""mutation($input: AssignRoleContactInput!) {{
  assignRoleContact(input: $input) {{ organisation {{ version }} {ERRORS} }} }}"""
UPDATE_ORGANISATION = f"""mutation($input: UpdateOrganisationInput!) {{
  updateOrganisation(input: $input) {{ organisation {{ version city }} {ERRORS} }} }}"""
ADD = f"""mutation($input: AddRosterEntryInput!) {{
  addRosterEntry(input: $input) {{ entry {{ id version }} {ERRORS} }} }}"""
END = f"""mutation($input: EndRosterEntryInput!) {{
  endRosterEntry(input: $input) {{ entry {{ id version until }} {ERRORS} }} }}"""
UPDATE_GROUP = f"""mutation($input: UpdateWorkingGroupInput!) {{
  updateWorkingGroup(input: $input) {{ workingGroup {{ version }} {ERRORS} }} }}"""

ROUNDS = 10
# assignRoleContact with a previous holder: remove the old contact, add the new one, then the organisation.
ASSIGN_POINTS = ("after_claim", "after_effect_1", "after_effect_2", "after_record", "before_mark_applied")
# addRosterEntry: the new entry, then the group.
ADD_POINTS = ("after_claim", "after_effect_1", "after_record", "before_mark_applied")


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_fencing") as db:
        yield Run(schema, db, STAFF)
    faults.configure(None)


async def _cut_off_at(run: Run, point: str, query: str, **variables) -> None:
    """Send a mutation that stops at `point`, as if its process died there."""
    faults.configure(f"{point}=raise")
    try:
        result = await run.schema.execute(query, variable_values=variables, context_value=run._context())
    finally:
        faults.configure(None)
    assert result.errors and "FaultInjected" in repr(result.errors[0].original_error), result


async def _invariants_hold(run: Run) -> None:
    assert await writes.recover(run.db, lease=timedelta(0)) >= 0
    assert await audit_problems(run.db, lease=timedelta(0)) == []


async def _signer(run: Run, organisation_id: str) -> str:
    held = [c for c in await contacts.by_organisations(run.db, [organisation_id]) if c.role is ContactRole.SIGNER]
    assert len(held) == 1, held  # never two, never none
    return held[0].person_id


async def test_an_assignment_cut_off_anywhere_then_a_newer_one_never_overwrite_each_other(run):
    organisation_id, people = "org_helix", ("per_priya", "per_tom")
    for round_ in range(ROUNDS):
        point = ASSIGN_POINTS[round_ % len(ASSIGN_POINTS)]
        version = (await organisations.by_ids(run.db, [organisation_id]))[0].version
        holder = await _signer(run, organisation_id)
        other = next(p for p in people if p != holder)
        await _cut_off_at(run, point, ASSIGN, input={"organisationId": organisation_id, "expectedVersion": version,
                                                     "role": "SIGNER", "personId": other})
        # A newer change before recovery: back to the first holder, on the version its sender reads.
        read = (await organisations.by_ids(run.db, [organisation_id]))[0].version
        newer = (await run(ASSIGN, input={"organisationId": organisation_id, "expectedVersion": read,
                                          "role": "SIGNER", "personId": holder}))["assignRoleContact"]
        await _invariants_hold(run)
        if not newer["userErrors"]:
            assert await _signer(run, organisation_id) == holder, point  # acknowledged, and it stayed
        else:
            assert [e["code"] for e in newer["userErrors"]] == ["STALE_VERSION"], newer
        # The cut-off change was completed (or rejected); the record is never stuck.
        current = (await organisations.by_ids(run.db, [organisation_id]))[0]
        accepted = (await run(UPDATE_ORGANISATION, input={"id": organisation_id, "expectedVersion": current.version,
                                                          "patch": {"city": f"Round {round_}"}}))
        assert accepted["updateOrganisation"]["userErrors"] == [], point
        await _invariants_hold(run)


async def test_a_roster_entry_cut_off_anywhere_then_ended_keeps_the_acknowledged_end(run):
    """The reported case: addRosterEntry cut off after the entry, before the group; an
    endRosterEntry acknowledged meanwhile must not be undone by recovery."""
    candidates = [(g, p) for g in ("grp_data", "grp_clinical", "grp_variants")
                  for p in ("per_zoe", "per_sam", "per_mia", "per_joao", "per_yuki", "per_chidi")]
    taken = {(e.group_id, e.person_id) for e in await rosters.by_groups(run.db, [g for g, _ in candidates])}
    pairs = [pair for pair in candidates if pair not in taken][:ROUNDS]
    assert len(pairs) == ROUNDS
    for round_, (group_id, person_id) in enumerate(pairs):
        point = ADD_POINTS[round_ % len(ADD_POINTS)]
        group = (await groups.by_ids(run.db, [group_id]))[0]
        await _cut_off_at(run, point, ADD, input={"groupId": group_id, "expectedVersion": group.version,
                                                  "personId": person_id, "role": "MEMBER"})
        written = [e for e in await rosters.by_people(run.db, [person_id]) if e.group_id == group_id]
        ended = None
        if written:  # the newer change: end the tenure the cut-off change wrote
            entry = written[0]
            ended = (await run(END, input={"entryId": entry.id, "expectedVersion": entry.version}))["endRosterEntry"]
            assert ended["userErrors"] == [] or [e["code"] for e in ended["userErrors"]] == ["STALE_VERSION"], ended
        await _invariants_hold(run)
        after = [e for e in await rosters.by_people(run.db, [person_id]) if e.group_id == group_id]
        if ended and not ended["userErrors"]:
            assert after and after[0].until is not None and after[0].version == ended["entry"]["version"], point
        # Both records still accept a write.
        group = (await groups.by_ids(run.db, [group_id]))[0]
        renamed = await run(UPDATE_GROUP, input={"id": group_id, "expectedVersion": group.version,
                                                 "patch": {"description": f"round {round_}"}})
        assert renamed["updateWorkingGroup"]["userErrors"] == [], point
        if after and after[0].until is None:
            closed = await run(END, input={"entryId": after[0].id, "expectedVersion": after[0].version})
            assert closed["endRosterEntry"]["userErrors"] == [], point
        await _invariants_hold(run)


async def test_a_rejected_claim_does_not_lock_the_record(run):
    """A claim settled REJECTED keeps its id <record>@<v>; the record stays at v-1 and the next
    writer claims <record>@<v>#1, so no record ends where every write is STALE_VERSION."""
    current = (await organisations.by_ids(run.db, ["org_lagos"]))[0]
    await _cut_off_at(run, "after_claim", UPDATE_ORGANISATION,
                      input={"id": "org_lagos", "expectedVersion": current.version, "patch": {"city": "Abuja"}})
    claimed = await changes.claimed_for(run.db, "org_lagos", current.version + 1)
    # Its record moved on without it (as a writer paused past its lease finds it): rejected, never applied.
    await run.db.organisations.update_one({"_id": "org_lagos"}, {"$set": {"version": current.version + 1}})
    assert (await writes.apply(run.db, claimed)).state is ChangeState.REJECTED
    await run.db.organisations.update_one({"_id": "org_lagos"}, {"$set": {"version": current.version}})
    for attempt in range(2):
        version = (await organisations.by_ids(run.db, ["org_lagos"]))[0].version
        answer = await run(UPDATE_ORGANISATION, input={"id": "org_lagos", "expectedVersion": version,
                                                       "patch": {"city": f"Ibadan {attempt}"}})
        assert answer["updateOrganisation"]["userErrors"] == []
    assert await changes.by_id(run.db, f"org_lagos@{current.version + 1}#1") is not None
    assert await audit_problems(run.db, lease=timedelta(0)) == []


async def test_a_writer_resumed_after_recovery_and_a_newer_change_writes_nothing(run):
    """A writer held past its lease: recovery completes its change, a newer change follows;
    when the writer resumes, every write it still had to make is fenced off."""
    organisation_id = "org_helix"
    for point in ASSIGN_POINTS[:3]:
        version = (await organisations.by_ids(run.db, [organisation_id]))[0].version
        holder = await _signer(run, organisation_id)
        other = "per_tom" if holder == "per_priya" else "per_priya"
        await _cut_off_at(run, point, ASSIGN, input={"organisationId": organisation_id, "expectedVersion": version,
                                                     "role": "SIGNER", "personId": other})
        held = await changes.claimed_for(run.db, organisation_id, version + 1)  # with its plan, as the writer holds it
        assert await writes.recover(run.db, lease=timedelta(0)) == 1
        newer = await run(ASSIGN, input={"organisationId": organisation_id, "expectedVersion": version + 1,
                                         "role": "SIGNER", "personId": holder})
        assert newer["assignRoleContact"]["userErrors"] == []
        resumed = await writes.apply(run.db, held)  # the writer wakes up
        assert resumed.state is ChangeState.APPLIED  # recovery's verdict stands
        assert await _signer(run, organisation_id) == holder, point
        assert (await organisations.by_ids(run.db, [organisation_id]))[0].version == version + 2
        assert await audit_problems(run.db, lease=timedelta(0)) == []


def test_fault_points_are_a_test_setting_refused_in_production():
    assert Settings().fault_points is None  # off by default
    with pytest.raises(ValidationError, match="never in production"):
        Settings(environment="production", fault_points="after_claim=kill")
    with pytest.raises(ValidationError, match="expected <point>="):
        Settings(fault_points="after_claim=explode")
