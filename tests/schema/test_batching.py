"""Relationships are batched: the command count follows a query's depth, never its page size."""

from collections import Counter

import pytest

pytestmark = pytest.mark.database  # run on every engine (make test)

NESTED = """query($first: Int) { organisations(first: $first, filter: {statuses: [ACTIVE]}) {
  totalCount
  nodes { name contacts { role person { name affiliation { name } groups { role group { name } } } } }
} }"""


async def commands_for(run_demo, recorder, query: str, **variables) -> list[str]:
    recorder.reset()
    await run_demo(query, **variables)
    return list(recorder.commands)


# The generation, and the count that may be kept under it.
KEPT_COUNT = ("find meta", "count organisations")


async def test_nested_query_costs_the_same_for_5_and_100_organisations(run_demo, recorder):
    small = await commands_for(run_demo, recorder, NESTED, first=5)
    large = await commands_for(run_demo, recorder, NESTED, first=100)
    data = await run_demo(NESTED, first=100)
    assert len(data["organisations"]["nodes"]) == 100
    assert sum(len(o["contacts"]) for o in data["organisations"]["nodes"]) >= 300
    # The count is read once per generation of the data (datastore.generations): not compared.
    small, large = ([c for c in commands if c not in KEPT_COUNT] for commands in (small, large))
    # organisations page, contacts, people, affiliations, tenures, groups
    assert len(small) == len(large) == 6, large
    assert [c.split()[0] for c in small] == [c.split()[0] for c in large]


async def test_roster_of_every_group_costs_the_same_however_many_groups(run_demo, recorder):
    query = """query($kinds: [GroupKind!]) { workingGroups(filter: {kinds: $kinds}) {
      name chairs { name } children { name } parent { name }
      roster(first: 500) { totalCount nodes { role person { name affiliation { name } } } }
      organisations { name } } }"""
    few = await commands_for(run_demo, recorder, query, kinds=["TASK_TEAM"])
    every = await commands_for(run_demo, recorder, query, kinds=None)
    # At most: groups, their parents and children; their roster; people twice
    # (chairs and members, then roster nodes) and organisations twice likewise.
    # Loads of one loader that become due in the same event-loop turn share a
    # command, so a run may take one fewer; never one per group.
    most = {"groups": 3, "roster": 1, "people": 2, "organisations": 2}
    for commands in (few, every):
        per_collection = Counter(c.split()[1] for c in commands)
        assert set(per_collection) == set(most), commands
        assert all(per_collection[name] <= n for name, n in most.items()), commands


@pytest.mark.parametrize("count", [10, 1000])
async def test_entities_resolve_in_one_command_per_type(run_demo, recorder, count):
    ids = await run_demo("query($n: Int) { organisations(first: $n) { nodes { id } } }", n=100)
    org_ids = [n["id"] for n in ids["organisations"]["nodes"]]
    people = await run_demo("{ people(first: 100) { nodes { id } } }")
    person_ids = [n["id"] for n in people["people"]["nodes"]]
    representations = [
        {"__typename": "Organisation", "id": org_ids[i % len(org_ids)]} if i % 2 else
        {"__typename": "Person", "id": person_ids[i % len(person_ids)]}
        for i in range(count)
    ]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Organisation { id name contacts(roles: [PRIMARY]) { person { name } } }
      ... on Person { id name } } }"""
    recorder.reset()
    data = await run_demo(query, r=representations)
    assert [e["id"] for e in data["_entities"]] == [r["id"] for r in representations]
    names = sorted(c.split()[0] + " " + c.split()[1] for c in recorder.commands)
    # organisations, people (references and Primary contacts' persons), contacts.
    assert len(recorder.commands) == 4, recorder.commands
    assert names == ["find contacts", "find organisations", "find people", "find people"]


async def test_unknown_entities_are_null(run_demo):
    data = await run_demo(
        'query { _entities(representations: [{__typename: "Person", id: "per_nobody"}, {__typename: "WorkingGroup", id: "grp_nobody"}]) { __typename } }'
    )
    assert data["_entities"] == [None, None]


async def test_paging_a_continent_with_role_contacts_costs_the_same_per_page(run_demo, recorder):
    """The newcomer's task: every organisation in Europe with its Primary, Administrator and Signer."""
    query = """query($after: String) { organisations(filter: {continents: [EUROPE]}, first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id membership { status } contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name } } } } }"""
    seen, after, commands_per_page = [], None, []
    for _ in range(20):  # bounded: the demo has far fewer than 2,000 European members
        recorder.reset()
        page = (await run_demo(query, after=after))["organisations"]
        commands_per_page.append(len(recorder.commands))
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(commands_per_page) >= 2
    assert len(seen) == page["totalCount"] == len({o["id"] for o in seen})
    # organisations page, the generation, contacts, their persons: the same on every page;
    # the count on the first only, then kept for the generation (datastore.generations).
    assert commands_per_page[0] == 5 and set(commands_per_page[1:]) == {4}, commands_per_page
    for organisation in seen:
        if organisation["membership"]["status"] == "ACTIVE":
            assert sorted(c["role"] for c in organisation["contacts"]) == ["ADMINISTRATOR", "PRIMARY", "SIGNER"]


async def test_bad_representations_are_named_and_the_good_ones_still_resolve(http):
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { id } } }"
    representations = [
        {"__typename": "Organisation", "id": "org_lagos"},
        {"__typename": "Planet", "id": "x"},
        {"id": "org_lagos"},
        {"__typename": "Organisation"},
        {"__typename": "Organisation", "id": {"$ne": None}},
        "org_lagos",
        {"__typename": "Organisation", "id": "org_montreal"},
    ]
    body = (await http.post("/graphql", json={"query": query, "variables": {"r": representations}})).json()
    entities = body["data"]["_entities"]
    assert entities[0] == {"id": "org_lagos"} and entities[-1] == {"id": "org_montreal"}
    assert entities[1:-1] == [None] * 5
    errors = sorted(body["errors"], key=lambda e: e["path"][1])
    assert [e["path"] for e in errors] == [["_entities", i] for i in range(1, 6)]
    assert all(e["extensions"] == {"code": "BAD_USER_INPUT", "argument": "representations"} for e in errors)
    assert "'Planet' is not an entity here; expected one of Organisation, Person, WorkingGroup" in errors[0]["message"]
    assert "needs an id" in errors[2]["message"] and "needs an id" in errors[3]["message"]
