"""Groups: lookups, hierarchy, chairs, rosters and organisations."""

import pytest

from datastore import rosters

pytestmark = pytest.mark.database  # run on every engine (make test)

ROSTER = """query($roles: [RosterRole!], $on: Date, $first: Int, $after: String) {
  workingGroup(slug: "clinical-work-stream") {
    roster(roles: $roles, activeOn: $on, first: $first, after: $after) {
      totalCount edges { cursor node { role since until active person { id } group { id } } }
      pageInfo { hasNextPage endCursor } } } }"""


async def roster(run, **variables):
    return (await run(ROSTER, **variables))["workingGroup"]["roster"]


async def test_group_by_id_and_slug(run):
    by_id = await run('{ workingGroup(id: "grp_clinical") { id slug name kind description active } }')
    by_slug = await run('{ workingGroup(slug: "clinical-work-stream") { id slug name kind description active } }')
    assert by_id == by_slug
    assert by_id["workingGroup"] == {
        "id": "grp_clinical", "slug": "clinical-work-stream", "name": "Clinical Work Stream",
        "kind": "WORK_STREAM", "description": "Standards for clinical genomics.", "active": True}


@pytest.mark.parametrize("argument", ['id: "grp_nobody"', 'slug: "nobody"', 'id: "org_montreal"'])
async def test_unknown_group_is_null(run, argument):
    assert await run(f"{{ workingGroup({argument}) {{ id }} }}") == {"workingGroup": None}


async def test_parent_and_children(run):
    data = await run("""{ workingGroup(id: "grp_clinical") { parent { id } children { id parent { id } children { id } } } }""")
    assert data["workingGroup"] == {
        "parent": None,
        "children": [{"id": "grp_phenopackets", "parent": {"id": "grp_clinical"}, "children": []}]}


async def test_chairs_are_current_chairs_and_co_chairs(run):
    data = await run('{ clinical: workingGroup(id: "grp_clinical") { chairs { id } } legacy: workingGroup(id: "grp_legacy") { chairs { id } } }')
    assert [p["id"] for p in data["clinical"]["chairs"]] == ["per_ana", "per_jean"]
    assert data["legacy"]["chairs"] == []


async def test_full_roster_chairs_first_then_by_start(run):
    page = await roster(run)
    rows = [(e["node"]["role"], e["node"]["person"]["id"], e["node"]["active"]) for e in page["edges"]]
    assert rows == [
        ("CHAIR", "per_priya", False), ("CHAIR", "per_ana", True), ("CO_CHAIR", "per_jean", True),
        ("MEMBER", "per_joao", False), ("MEMBER", "per_chidi", True), ("OBSERVER", "per_yuki", True),
        ("STAFF", "per_sam", True)]
    assert page["totalCount"] == 7 and page["pageInfo"]["hasNextPage"] is False
    assert {e["node"]["group"]["id"] for e in page["edges"]} == {"grp_clinical"}


async def test_roster_filtered_by_role_and_day(run):
    members = await roster(run, roles=["MEMBER", "OBSERVER"], on="2023-01-01")
    assert [e["node"]["person"]["id"] for e in members["edges"]] == ["per_chidi", "per_yuki"]
    assert members["totalCount"] == 2
    in_2017 = await roster(run, on="2017-01-01")
    assert [e["node"]["person"]["id"] for e in in_2017["edges"]] == ["per_priya", "per_joao"]


async def test_roster_pages_to_the_end_and_past_it(run):
    seen, after = [], None
    for _ in range(10):
        page = await roster(run, first=3, after=after)
        seen += [e["node"]["person"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [e["node"]["person"]["id"] for e in (await roster(run))["edges"]]
    past = await roster(run, first=3, after=after)
    assert past["edges"] == [] and past["pageInfo"]["hasNextPage"] is False


async def test_roster_accepts_up_to_500(run):
    assert (await roster(run, first=500))["totalCount"] == 7


async def test_organisations_of_a_group_are_those_of_current_members(run):
    data = await run('{ workingGroup(id: "grp_clinical") { organisations { id } } }')
    # São Paulo's member left in 2019; Sam has no affiliation.
    assert [o["id"] for o in data["workingGroup"]["organisations"]] == ["org_lagos", "org_tokyo", "org_montreal"]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (None, ["grp_clinical", "grp_data", "grp_forum", "grp_legacy", "grp_phenopackets", "grp_steering", "grp_variants"]),
        ({"kinds": ["TASK_TEAM"]}, ["grp_phenopackets", "grp_variants"]),
        ({"kinds": ["WORK_STREAM", "FORUM"], "active": True}, ["grp_clinical", "grp_data", "grp_forum"]),
        ({"active": False}, ["grp_legacy"]),
        ({"search": "TASK team"}, ["grp_phenopackets", "grp_variants"]),
        ({"search": ".*"}, []),
    ],
)
async def test_working_groups_filter(run, filter, expected):
    data = await run("query($f: WorkingGroupFilter) { workingGroups(filter: $f) { id } }", f=filter)
    assert [g["id"] for g in data["workingGroups"]] == expected


async def test_rosters_are_read_in_roster_order(run_demo):
    # roster_of pages a roster in the order the loader read it, without sorting it again.
    group_ids = await run_demo.db.groups.distinct("_id")
    entries = await rosters.by_groups(run_demo.db, group_ids)
    assert len(group_ids) > 10 and len(entries) > 1000
    for group_id in group_ids:
        roster = [e for e in entries if e.group_id == group_id]
        assert roster == sorted(roster, key=lambda e: e.sort_key)
