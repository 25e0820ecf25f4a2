"""Queries through a real Apollo Gateway across the directory and `events`."""


async def test_one_query_reads_both_subgraphs_and_references_go_both_ways(federated):
    data = await federated.gateway.data("""{
      events { title startsOn
               organiser { name country { name } contacts(roles: [PRIMARY]) { person { name } } }
               speakers { name affiliation { name } } }
      organisation(id: "org_montreal") { name events { title } }
    }""")
    assert data["events"][0] == {
        "title": "Rare Disease Day Symposium", "startsOn": "2027-02-26",
        "organiser": {"name": "Lagos Rare Disease Foundation", "country": {"name": "Nigeria"},
                      "contacts": [{"person": {"name": "Chidi Okafor"}}]},
        "speakers": [{"name": "Chidi Okafor", "affiliation": {"name": "Lagos Rare Disease Foundation"}},
                     {"name": "Ana Lopes", "affiliation": {"name": "Université de Montréal"}}],
    }
    assert [e["organiser"]["name"] for e in data["events"][1:]] == ["Université de Montréal"] * 2
    # directory -> events: Organisation.events is added by the events subgraph, by key
    assert data["organisation"] == {
        "name": "Université de Montréal",
        "events": [{"title": "Phenopackets Hackathon"}, {"title": "Montréal Genomics Summit"}],
    }


async def test_entities_of_the_directory_reached_through_its_own_fields(federated):
    data = await federated.gateway.data("""{ workingGroup(id: "grp_clinical") {
      name organisations { name events { title } } } }""")
    organisations = {o["name"]: [e["title"] for e in o["events"]] for o in data["workingGroup"]["organisations"]}
    assert organisations["Lagos Rare Disease Foundation"] == ["Rare Disease Day Symposium"]
    assert all(titles == [] for name, titles in organisations.items()
               if name not in {"Lagos Rare Disease Foundation", "Université de Montréal"})


async def test_a_failing_field_in_one_subgraph_leaves_the_others_data(federated):
    answer = await federated.gateway.post("""{ events { title livestreamUrl organiser { name } } }""")
    assert [e["livestreamUrl"] for e in answer["data"]["events"]] == [None, None, None]
    assert answer["data"]["events"][0]["organiser"] == {"name": "Lagos Rare Disease Foundation"}
    assert len(answer["errors"]) == 3
    error = answer["errors"][0]
    assert error["message"] == "the streaming service is unavailable"
    assert error["path"] == ["events", 0, "livestreamUrl"]
    assert "Traceback" not in str(answer)


async def test_the_directorys_bad_input_errors_pass_through_the_gateway(federated):
    answer = await federated.gateway.post("""{ events { title } organisations(first: 1000) { totalCount } }""")
    assert answer["data"] is None  # organisations is non-null, so the whole answer is null
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argument"] == "first"


async def test_a_thousand_organisation_references_cost_one_command_per_type_and_relationship(
    federated_demo, recorder
):
    federated_demo.directory.sizes.clear()
    recorder.reset()
    data = await federated_demo.gateway.data(
        "{ events { title organiser { id name contacts(roles: [PRIMARY]) { person { name } } } } }"
    )
    events = data["events"]
    assert len(events) == 1000
    assert len({e["organiser"]["id"] for e in events}) >= 600
    assert all(e["organiser"]["name"] for e in events)
    with_primary = [e for e in events if e["organiser"]["contacts"]]
    assert len(with_primary) >= 500 and all(e["organiser"]["contacts"][0]["person"]["name"] for e in with_primary)
    # The gateway asked the directory for every reference in one `_entities` call...
    assert federated_demo.directory.sizes == [1000]
    # ...which cost one command for the organisations, one for their contacts
    # and one for the contacts' people, not one per reference (and one read of
    # the generation tokens, which the response cache keeps the answer under).
    assert sorted(" ".join(c.split()[:2]) for c in recorder.commands) == [
        "find contacts", "find meta", "find organisations", "find people",
    ], recorder.commands


async def test_privacy_holds_through_the_gateway(federated, directory):
    """The gateway passes the caller's key on; the directory decides what it may see."""
    from datastore.records.vocabulary import Role
    from memberdir import api_keys

    query = '{ events { speakers { id email contactVisibility } } }'
    staff_key = (await api_keys.issue(directory, "gateway test", Role.STAFF)).secret_key
    ana_key = (await api_keys.issue(directory, "gateway test", Role.MEMBER, person_id="per_ana")).secret_key
    anonymous = await federated.gateway.data(query)
    staff = (await federated.gateway.post(query, headers={"x-api-key": staff_key}))["data"]
    ana = (await federated.gateway.post(query, headers={"x-api-key": ana_key}))["data"]
    speakers = lambda data, field: {s["id"]: s[field] for e in data["events"] for s in e["speakers"]}  # noqa: E731
    assert set(speakers(anonymous, "email").values()) == {None}
    assert speakers(staff, "email")["per_ana"] == "ana.lopes@umontreal.example"
    assert speakers(staff, "email")["per_priya"] == "priya@helix.example"  # she shares hers with staff only
    # Who a person lets see their details: for themself and staff; null for everyone else.
    assert set(speakers(anonymous, "contactVisibility").values()) == {None}
    assert speakers(staff, "contactVisibility")["per_priya"] == "STAFF"
    assert speakers(ana, "contactVisibility") == {**{k: None for k in speakers(ana, "contactVisibility")},
                                                  "per_ana": "PUBLIC"}
    unknown = await federated.gateway.post(query, headers={"authorization": "Bearer mdk_0000000000000000_" + "x" * 43})
    [refused] = unknown["errors"]
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused["extensions"]["response"]["body"]["errors"][0]["message"] == "unknown API key"
    assert "stacktrace" not in str(unknown)
