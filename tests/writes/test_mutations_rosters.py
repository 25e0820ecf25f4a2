"""Roster mutations: staff add tenures directly (a chair's path is an invitation, tests/invitations/),
chairs end their group's member tenures, staff name its officers."""

from datetime import UTC, datetime, timedelta

import pytest

from datastore import changes, groups, rosters
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import Role, RosterRole
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import Run, directory_copy

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# In tests/data/directory.json, grp_clinical: Ana chairs it, Jean co-chairs it, Priya chaired
# it until 2019 (and chairs grp_data now), Mia chairs grp_steering; Chidi is a MEMBER.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
JEAN = Viewer(role=Role.MEMBER, person_id="per_jean", credential="oidc:jean")
PRIYA = Viewer(role=Role.MEMBER, person_id="per_priya", credential="oidc:priya")
MIA = Viewer(role=Role.MEMBER, person_id="per_mia", credential="oidc:mia")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
MEMBER_KEY = Viewer(role=Role.MEMBER, credential="api-key:k")

ENTRY = "entry { id version role since until active person { id } group { id version } }"
ERRORS = "userErrors { field message code }"
ADD = f"mutation($input: AddRosterEntryInput!) {{ addRosterEntry(input: $input) {{ {ENTRY} {ERRORS} clientMutationId }} }}"
END = f"mutation($input: EndRosterEntryInput!) {{ endRosterEntry(input: $input) {{ {ENTRY} {ERRORS} }} }}"
TODAY = datetime.now(UTC).date()
# Within the 90 days a chair may date a tenure back.
RECENT = (TODAY - timedelta(days=30)).isoformat()
ENDED = (TODAY - timedelta(days=20)).isoformat()
LATER = (TODAY + timedelta(days=200)).isoformat()
CHIDI_MEMBER = RosterEntry("grp_clinical", "per_chidi", RosterRole.MEMBER, datetime(2019, 5, 1).date()).id
JEAN_CO_CHAIR = RosterEntry("grp_clinical", "per_jean", RosterRole.CO_CHAIR, datetime(2021, 6, 1).date()).id
JOAO_PAST = RosterEntry("grp_clinical", "per_joao", RosterRole.MEMBER, datetime(2016, 1, 1).date()).id


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_mutations_rosters") as db:
        yield Run(schema, db)


async def _group_version(run: Run, group_id: str = "grp_clinical") -> int:
    return (await groups.by_ids(run.db, [group_id]))[0].version


async def _entry(run: Run, entry_id: str) -> RosterEntry:
    return (await rosters.by_ids(run.db, [entry_id]))[0]


@pytest.mark.parametrize("viewer, role", [(STAFF, "MEMBER"), (STAFF, "CONTRIBUTOR"), (STAFF, "OBSERVER"),
                                          (STAFF, "CO_CHAIR"), (STAFF, "STAFF")],
                         ids=["staff", "staff-contributor", "staff-observer", "staff-officer", "staff-staff"])
async def test_staff_add_anyone_directly(run, viewer, role):
    version = await _group_version(run)
    data = await run.as_viewer(viewer)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                   "personId": "per_zoe", "role": role, "since": RECENT,
                                                   "reason": "invited", "clientMutationId": "r1"})
    payload = data["addRosterEntry"]
    assert payload["userErrors"] == [] and payload["clientMutationId"] == "r1"
    entry = payload["entry"]
    assert (entry["role"], entry["since"], entry["until"], entry["version"]) == (role, RECENT, None, 1)
    assert entry["person"] == {"id": "per_zoe"} and entry["group"] == {"id": "grp_clinical", "version": version + 1}
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id=entry["id"]), None, 10)
    assert (logged.record_type.value, logged.owner_id, logged.action.value) == ("ROSTER_ENTRY", "grp_clinical", "CREATE")
    assert {(f.field, f.after) for f in logged.fields} >= {("person", "per_zoe"), ("role", role)}
    assert logged.actor.role == "staff" and logged.reason == "invited"


@pytest.mark.parametrize("viewer, role", [
    (ANONYMOUS, "MEMBER"), (ZOE, "MEMBER"), (PRIYA, "MEMBER"), (MIA, "MEMBER"), (MEMBER_KEY, "MEMBER"),
    (ANA, "MEMBER"), (JEAN, "CONTRIBUTOR"), (ANA, "OBSERVER"),
    (ANA, "CHAIR"), (JEAN, "CO_CHAIR"), (ANA, "STAFF"),
], ids=["anonymous", "unrelated", "former chair", "chair of another group", "member key",
        "chair adds directly", "co-chair adds directly", "chair adds an observer directly",
        "chair names a chair", "co-chair names a co-chair", "chair names staff"])
async def test_everyone_else_is_refused_and_the_roster_is_unchanged(run, viewer, role):
    version = await _group_version(run)
    count = await run.db.roster.count_documents({})
    data = await run.as_viewer(viewer)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                   "personId": "per_zoe", "role": role})
    assert [e["code"] for e in data["addRosterEntry"]["userErrors"]] == ["FORBIDDEN"]
    assert data["addRosterEntry"]["entry"] is None
    assert await _group_version(run) == version and await run.db.roster.count_documents({}) == count


async def test_adding_someone_already_serving_in_that_role_is_a_conflict(run):
    version = await _group_version(run)
    data = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                "personId": "per_chidi", "role": "MEMBER"})
    assert data["addRosterEntry"]["userErrors"][0]["code"] == "CONFLICT"
    assert await _group_version(run) == version


async def test_since_defaults_to_today_and_a_stale_group_version_is_refused(run):
    version = await _group_version(run)
    first = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                   "personId": "per_zoe", "role": "MEMBER"})
    assert first["addRosterEntry"]["entry"]["since"] == datetime.now(UTC).date().isoformat()
    stale = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                   "personId": "per_sam", "role": "OBSERVER"})
    [error] = stale["addRosterEntry"]["userErrors"]
    assert error["code"] == "STALE_VERSION" and f"version {version + 1}" in error["message"]
    assert stale["addRosterEntry"]["entry"] is None


async def test_unknown_group_and_person_are_not_found(run):
    data = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_nowhere", "expectedVersion": 1,
                                                  "personId": "per_zoe", "role": "MEMBER"})
    assert data["addRosterEntry"]["userErrors"][0]["field"] == ["input", "groupId"]
    version = await _group_version(run)
    data = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                  "personId": "per_nobody", "role": "MEMBER"})
    assert data["addRosterEntry"]["userErrors"] == [
        {"field": ["input", "personId"], "message": "No person with this id.", "code": "NOT_FOUND"}]


@pytest.mark.parametrize("viewer", [ANA, JEAN, STAFF], ids=["chair", "co-chair", "staff"])
async def test_chairs_and_staff_end_a_members_tenure(run, viewer):
    before = await _entry(run, CHIDI_MEMBER)
    data = await run.as_viewer(viewer)(END, input={"entryId": CHIDI_MEMBER, "expectedVersion": before.version,
                                                   "reason": "stepped down"})
    entry = data["endRosterEntry"]["entry"]
    assert data["endRosterEntry"]["userErrors"] == []
    assert entry["until"] == datetime.now(UTC).date().isoformat() and entry["version"] == before.version + 1
    assert entry["since"] == "2019-05-01" and entry["role"] == "MEMBER"
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id=CHIDI_MEMBER), None, 10)
    assert [(f.field, f.before, f.after) for f in logged.fields] == [("until", None, entry["until"])]
    assert logged.owner_type.value == "ROSTER_ENTRY" and logged.reason == "stepped down"


@pytest.mark.parametrize("viewer, entry_id", [
    (ANONYMOUS, CHIDI_MEMBER), (ZOE, CHIDI_MEMBER), (PRIYA, CHIDI_MEMBER), (MIA, CHIDI_MEMBER),
    (ANA, JEAN_CO_CHAIR),
], ids=["anonymous", "unrelated", "former chair", "chair of another group", "chair ends a co-chair"])
async def test_everyone_else_is_refused_ending_a_tenure(run, viewer, entry_id):
    before = await _entry(run, entry_id)
    data = await run.as_viewer(viewer)(END, input={"entryId": entry_id, "expectedVersion": before.version})
    assert [e["code"] for e in data["endRosterEntry"]["userErrors"]] == ["FORBIDDEN"]
    assert await _entry(run, entry_id) == before


async def test_staff_end_an_officers_tenure_on_a_given_day(run):
    before = await _entry(run, JEAN_CO_CHAIR)
    data = await run.as_viewer(STAFF)(END, input={"entryId": JEAN_CO_CHAIR, "expectedVersion": before.version,
                                                  "until": "2025-12-31"})
    assert data["endRosterEntry"]["entry"]["until"] == "2025-12-31"
    assert data["endRosterEntry"]["entry"]["active"] is False


async def test_until_before_since_is_invalid_and_a_past_tenure_cannot_end_again(run):
    before = await _entry(run, CHIDI_MEMBER)
    early = await run.as_viewer(ANA)(END, input={"entryId": CHIDI_MEMBER, "expectedVersion": before.version,
                                                 "until": "2019-04-30"})
    assert early["endRosterEntry"]["userErrors"] == [{
        "field": ["input", "until"], "message": "until is before the tenure began (2019-05-01).", "code": "INVALID"}]
    past = await _entry(run, JOAO_PAST)
    again = await run.as_viewer(ANA)(END, input={"entryId": JOAO_PAST, "expectedVersion": past.version})
    assert again["endRosterEntry"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    assert await _entry(run, CHIDI_MEMBER) == before and await _entry(run, JOAO_PAST) == past


async def test_ending_with_a_stale_version_shows_the_current_entry(run):
    before = await _entry(run, CHIDI_MEMBER)
    await run.as_viewer(ANA)(END, input={"entryId": CHIDI_MEMBER, "expectedVersion": before.version,
                                         "until": LATER})
    data = await run.as_viewer(JEAN)(END, input={"entryId": CHIDI_MEMBER, "expectedVersion": before.version})
    assert [e["code"] for e in data["endRosterEntry"]["userErrors"]] == ["STALE_VERSION"]
    assert data["endRosterEntry"]["entry"]["until"] == LATER
    assert data["endRosterEntry"]["entry"]["version"] == before.version + 1


async def test_a_new_entry_can_be_ended_by_its_chair(run):
    version = await _group_version(run)
    added = await run.as_viewer(STAFF)(ADD, input={"groupId": "grp_clinical", "expectedVersion": version,
                                                 "personId": "per_zoe", "role": "OBSERVER", "since": RECENT})
    entry = added["addRosterEntry"]["entry"]
    ended = await run.as_viewer(ANA)(END, input={"entryId": entry["id"], "expectedVersion": 1,
                                                 "until": ENDED})
    assert ended["endRosterEntry"]["entry"]["version"] == 2
    roster = await run('{ workingGroup(id: "grp_clinical") { roster(roles: [OBSERVER]) { edges { node { id until } } } } }')
    assert {"id": entry["id"], "until": ENDED} in [e["node"] for e in roster["workingGroup"]["roster"]["edges"]]
