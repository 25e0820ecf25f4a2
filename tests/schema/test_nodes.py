"""Relay object identification: node and nodes, by the records' existing ids."""

from datastore import contacts, rosters


async def test_every_kind_of_record_is_a_node_under_its_own_id(run):
    contact = (await contacts.by_organisations(run.db, ["org_montreal"]))[0]
    entry = (await rosters.by_groups(run.db, ["grp_clinical"]))[0]
    ids = ["org_montreal", "per_ana", "grp_clinical", contact.id, entry.id, "org_nowhere", "xyz_unknown"]
    data = await run("""query($ids: [ID!]!) { nodes(ids: $ids) {
        __typename id
        ... on Organisation { name } ... on Person { name } ... on WorkingGroup { slug }
        ... on RoleContact { contactRole: role person { id } } ... on RosterEntry { rosterRole: role person { id } } } }""", ids=ids)
    assert [n and (n["__typename"], n["id"]) for n in data["nodes"]] == [
        ("Organisation", "org_montreal"), ("Person", "per_ana"), ("WorkingGroup", "grp_clinical"),
        ("RoleContact", contact.id), ("RosterEntry", entry.id), None, None,
    ]
    assert data["nodes"][3]["person"]["id"] == contact.person_id
    one = await run('{ node(id: "per_ana") { id ... on Person { givenName } } }')
    assert one["node"] == {"id": "per_ana", "givenName": "Ana"}


async def test_nodes_cost_one_command_per_kind(run_demo, recorder, demo_db):
    ids = [d["_id"] async for d in demo_db.people.find({}, projection=["_id"], limit=60)]
    ids += [d["_id"] async for d in demo_db.organisations.find({}, projection=["_id"], limit=40)]
    recorder.reset()
    data = await run_demo("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    assert [n["id"] for n in data["nodes"]] == ids
    assert len(recorder.commands) == 2


async def test_more_than_a_hundred_ids_are_refused_naming_the_argument(run):
    errors = await run.errors("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=["per_ana"] * 101)
    assert errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": "ids"}
