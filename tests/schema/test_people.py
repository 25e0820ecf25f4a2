"""People: lookups, filters, pages, roles and tenures."""

import pytest

from datastore.records.vocabulary import Role
from resolvers.viewer import Viewer

pytestmark = pytest.mark.database  # run on every engine (make test)

PEOPLE = "query($filter: PersonFilter, $first: Int, $after: String) { people(filter: $filter, first: $first, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }"


async def ids(run, **variables) -> list[str]:
    return [n["id"] for n in (await run(PEOPLE, **variables))["people"]["nodes"]]


async def test_person_fields(run):
    query = '{ person(id: "per_jean") { id name givenName familyName email orcid country { code } affiliation { id } } }'
    data = await run.as_viewer(Viewer(role=Role.STAFF))(query)
    assert data["person"] == {
        "id": "per_jean", "name": "Jean-François Côté", "givenName": "Jean-François", "familyName": "Côté",
        "email": "jf.cote@umontreal.example", "orcid": None, "country": {"code": "CA"}, "affiliation": {"id": "org_montreal"}}
    # Anonymous callers never see an address (tests/schema/test_privacy.py has the whole table).
    assert (await run(query))["person"]["email"] is None


async def test_individual_member_has_no_affiliation(run):
    assert (await run('{ person(id: "per_zoe") { affiliation { id } } }'))["person"] == {"affiliation": None}


@pytest.mark.parametrize("id", ["per_nobody", "org_montreal", "x"])
async def test_unknown_person_is_null(run, id):
    assert await run("query($id: ID!) { person(id: $id) { id } }", id=id) == {"person": None}


async def test_people_are_listed_by_family_name(run):
    assert await ids(run) == [
        "per_sam", "per_tom", "per_jean", "per_ana", "per_zoe", "per_chidi", "per_priya", "per_joao", "per_yuki", "per_mia"]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"search": "cote"}, ["per_jean"]),
        ({"search": "JOÃO"}, ["per_joao"]),
        ({"search": "zoe muller"}, ["per_zoe"]),
        ({"countries": ["gb"]}, ["per_sam", "per_tom", "per_priya"]),
        ({"continents": ["EUROPE"], "search": "a"}, ["per_sam", "per_tom", "per_priya"]),
        ({"affiliation": "org_helix"}, ["per_tom", "per_priya"]),
        ({"affiliation": "org_nobody"}, []),
        ({"affiliation": "org_helix", "search": "tom"}, ["per_tom"]),
    ],
)
async def test_people_filters(run, filter, expected):
    data = await run(PEOPLE, filter=filter)
    assert [n["id"] for n in data["people"]["nodes"]] == expected
    assert data["people"]["totalCount"] == len(expected)


async def test_paging_through_people(run):
    every, after = [], None
    while True:
        page = (await run(PEOPLE, first=4, after=after))["people"]
        every += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert every == await ids(run)


async def test_roles_of_a_person(run):
    data = await run('{ person(id: "per_ana") { roles { role organisation { id } workingGroup { id } } } }')
    assert data["person"]["roles"] == [
        {"role": "PRIMARY", "organisation": {"id": "org_montreal"}, "workingGroup": None},
        {"role": "SIGNER", "organisation": {"id": "org_montreal"}, "workingGroup": None},
        {"role": "COMMUNICATIONS", "organisation": {"id": "org_montreal"}, "workingGroup": {"id": "grp_data"}},
    ]


async def test_groups_of_a_person_past_and_present(run):
    query = 'query($on: Date) { person(id: "per_priya") { groups(activeOn: $on) { role since until active group { id } person { id } } } }'
    every = (await run(query))["person"]["groups"]
    assert [(g["group"]["id"], g["role"], g["active"]) for g in every] == [
        ("grp_clinical", "CHAIR", False), ("grp_data", "CHAIR", True), ("grp_steering", "MEMBER", True)]
    assert every[0]["until"] == "2019-12-31" and every[0]["since"] == "2015-01-01"
    assert all(g["person"]["id"] == "per_priya" for g in every)
    in_2016 = (await run(query, on="2016-06-30"))["person"]["groups"]
    assert [g["group"]["id"] for g in in_2016] == ["grp_clinical"]
    on_last_day = (await run(query, on="2019-12-31"))["person"]["groups"]
    assert [g["group"]["id"] for g in on_last_day] == ["grp_clinical", "grp_data"]
