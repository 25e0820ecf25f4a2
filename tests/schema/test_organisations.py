"""Organisations: lookups, filters, orders, pages and role contacts."""

import pytest

from datastore.documents import count_matching
from datastore.records.organisations import OrganisationOrder
from resolvers.context import Context
from resolvers.organisations import organisations_page
from memberdir.execution import build_schema
import schema.query as query_module
from tests.conftest import Run

pytestmark = pytest.mark.database  # run on every engine (make test)

NAMES = "query($filter: OrganisationFilter, $order: OrganisationOrder, $first: Int, $after: String) { organisations(filter: $filter, orderBy: $order, first: $first, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }"


async def names(run, **variables) -> list[str]:
    data = await run(NAMES, **variables)
    return [n["name"] for n in data["organisations"]["nodes"]]


async def test_organisation_by_id_and_by_slug_are_the_same(run):
    by_id = await run('{ organisation(id: "org_montreal") { id slug name kind city continent country { code name continent } } }')
    by_slug = await run('{ organisation(slug: "universite-de-montreal") { id slug name kind city continent country { code name continent } } }')
    assert by_id == by_slug
    assert by_id["organisation"] == {
        "id": "org_montreal", "slug": "universite-de-montreal", "name": "Université de Montréal",
        "kind": "ACADEMIC", "city": "Montréal", "continent": "NORTH_AMERICA",
        "country": {"code": "CA", "name": "Canada", "continent": "NORTH_AMERICA"},
    }


@pytest.mark.parametrize("argument", ['id: "org_nobody"', 'slug: "nobody"', 'id: "per_ana"', 'id: ""'])
async def test_unknown_organisation_is_null(run, argument):
    assert await run(f"{{ organisation({argument}) {{ id }} }}") == {"organisation": None}


async def test_membership_dates_and_next_review(run):
    data = await run("""{
      reviewed: organisation(id: "org_montreal") { membership { status joinedOn lastReviewedOn nextReviewDue } }
      never_reviewed: organisation(id: "org_lagos") { membership { status joinedOn lastReviewedOn nextReviewDue } }
      removed: organisation(id: "org_saopaulo") { membership { status nextReviewDue } }
      applicant: organisation(id: "org_zurich") { membership { status joinedOn nextReviewDue } }
    }""")
    assert data["reviewed"]["membership"] == {
        "status": "ACTIVE", "joinedOn": "2014-05-01", "lastReviewedOn": "2026-02-10", "nextReviewDue": "2027-02-10"}
    assert data["never_reviewed"]["membership"]["nextReviewDue"] == "2021-01-20"
    assert data["removed"]["membership"] == {"status": "REMOVED", "nextReviewDue": None}
    assert data["applicant"]["membership"] == {"status": "APPLICANT", "joinedOn": None, "nextReviewDue": None}


async def test_sectors_designations_and_ror(run):
    data = await run('{ organisation(id: "org_montreal") { sectors designations rorId website } }')
    assert data["organisation"] == {
        "sectors": ["RESEARCH", "HEALTHCARE"], "designations": ["DRIVER_PROJECT", "HOST_INSTITUTION"],
        "rorId": "https://ror.org/0161xgx34", "website": "https://umontreal.example"}


async def test_default_order_is_by_name_ignoring_case_and_accents(run):
    assert await names(run) == [
        "Department of Health (Victoria)", "Helix Genomics Ltd.", "Hospital São Paulo [Genomics]",
        "Lagos Rare Disease Foundation", "Montreal Neuro Genomics", "Tokyo Genome Partnership",
        "Université de Montréal", "Zürich Data Commons"]


async def test_name_desc_is_the_reverse(run):
    assert await names(run, order="NAME_DESC") == list(reversed(await names(run, order="NAME_ASC")))


async def test_joined_orders_put_applicants_first_ascending_and_last_descending(run):
    ascending = await names(run, order="JOINED_ASC")
    assert ascending[0] == "Zürich Data Commons"
    assert ascending[1:4] == ["Hospital São Paulo [Genomics]", "Université de Montréal", "Tokyo Genome Partnership"]
    assert await names(run, order="JOINED_DESC") == list(reversed(ascending))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("montreal", ["Montreal Neuro Genomics", "Université de Montréal"]),
        ("MONTRÉAL", ["Montreal Neuro Genomics", "Université de Montréal"]),
        ("zurich", ["Zürich Data Commons"]),
        ("sao paulo", ["Hospital São Paulo [Genomics]"]),
        ("ltd.", ["Helix Genomics Ltd."]),
        ("[genomics]", ["Hospital São Paulo [Genomics]"]),
        ("(victoria)", ["Department of Health (Victoria)"]),
        (".*", []),
        ("^h", []),
        ("genomics|tokyo", []),
        ('{"$ne": null}', []),
        ("  ", None),  # blank means no search
    ],
)
async def test_search_is_literal_and_insensitive_to_case_and_accents(run, search, expected):
    found = await names(run, filter={"search": search})
    assert found == (expected if expected is not None else await names(run))


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"countries": ["ca"]}, ["Montreal Neuro Genomics", "Université de Montréal"]),
        ({"countries": ["NG", "JP"]}, ["Lagos Rare Disease Foundation", "Tokyo Genome Partnership"]),
        ({"continents": ["EUROPE"]}, ["Helix Genomics Ltd.", "Zürich Data Commons"]),
        ({"continents": ["OCEANIA", "SOUTH_AMERICA"]}, ["Department of Health (Victoria)", "Hospital São Paulo [Genomics]"]),
        ({"sectors": ["FUNDING", "PATIENT_ADVOCACY"]}, ["Department of Health (Victoria)", "Lagos Rare Disease Foundation"]),
        ({"kinds": ["CORPORATION"]}, ["Helix Genomics Ltd.", "Zürich Data Commons"]),
        ({"designations": ["FUNDER"]}, ["Department of Health (Victoria)"]),
        ({"statuses": ["LAPSED", "CANCELLED"]}, ["Montreal Neuro Genomics", "Tokyo Genome Partnership"]),
        ({"joinedAfter": "2018-09-15"}, ["Department of Health (Victoria)", "Lagos Rare Disease Foundation"]),
        ({"joinedBefore": "2014-05-01"}, ["Hospital São Paulo [Genomics]"]),
        ({"joinedAfter": "2016-01-01", "joinedBefore": "2018-01-01"}, ["Montreal Neuro Genomics", "Tokyo Genome Partnership"]),
        # Conditions combine with AND.
        ({"countries": ["CA"], "statuses": ["ACTIVE"]}, ["Université de Montréal"]),
        ({"continents": ["EUROPE"], "sectors": ["LIFE_SCIENCE"], "kinds": ["CORPORATION"]}, ["Helix Genomics Ltd."]),
        ({"search": "genom", "continents": ["NORTH_AMERICA"]}, ["Montreal Neuro Genomics"]),
        ({"countries": ["CA"], "kinds": ["GOVERNMENT"]}, []),
    ],
)
async def test_filters(run, filter, expected):
    data = await run(NAMES, filter=filter)
    assert [n["name"] for n in data["organisations"]["nodes"]] == expected
    assert data["organisations"]["totalCount"] == len(expected)


async def test_paging_visits_every_organisation_once_then_stops(run):
    seen, after, pages = [], None, 0
    while True:
        data = (await run(NAMES, first=3, after=after))["organisations"]
        seen += [n["name"] for n in data["nodes"]]
        pages += 1
        assert data["totalCount"] == 8
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == await names(run)
    past_the_end = (await run(NAMES, first=3, after=data["pageInfo"]["endCursor"]))["organisations"]
    assert past_the_end["nodes"] == [] and past_the_end["pageInfo"] == {"hasNextPage": False, "endCursor": None}


async def test_edge_cursors_resume_after_their_row(run):
    data = await run("{ organisations(first: 4) { edges { cursor node { name } } } }")
    edges = data["organisations"]["edges"]
    resumed = await names(run, first=2, after=edges[1]["cursor"])
    assert resumed == [e["node"]["name"] for e in edges[2:4]]


async def test_first_zero_gives_only_the_count(run):
    data = await run(NAMES, first=0)
    assert data["organisations"]["nodes"] == [] and data["organisations"]["totalCount"] == 8


async def test_first_null_means_the_default_page(run):
    data = await run(NAMES, first=None, order=None)
    assert len(data["organisations"]["nodes"]) == 8


async def test_role_contacts_in_role_order_and_filtered(run):
    query = """query($roles: [ContactRole!]) { organisation(id: "org_montreal") {
        contacts(roles: $roles) { role person { id } organisation { id } workingGroup { id } } } }"""
    every = (await run(query))["organisation"]["contacts"]
    assert [(c["role"], c["person"]["id"], (c["workingGroup"] or {}).get("id")) for c in every] == [
        ("PRIMARY", "per_ana", None), ("ADMINISTRATOR", "per_jean", None), ("SIGNER", "per_ana", None),
        ("COMMUNICATIONS", "per_jean", "grp_clinical"), ("COMMUNICATIONS", "per_ana", "grp_data")]
    assert all(c["organisation"]["id"] == "org_montreal" for c in every)
    signers = (await run(query, roles=["SIGNER", "PRIMARY"]))["organisation"]["contacts"]
    assert [c["role"] for c in signers] == ["PRIMARY", "SIGNER"]


async def test_people_of_an_organisation_page_by_family_name(run):
    query = """query($after: String) { organisation(id: "org_montreal") {
        people(first: 1, after: $after) { totalCount nodes { id familyName } pageInfo { hasNextPage endCursor } } } }"""
    first = (await run(query))["organisation"]["people"]
    assert first["totalCount"] == 2 and first["nodes"] == [{"id": "per_jean", "familyName": "Côté"}]
    second = (await run(query, after=first["pageInfo"]["endCursor"]))["organisation"]["people"]
    assert second["nodes"] == [{"id": "per_ana", "familyName": "Lopes"}]
    assert second["pageInfo"]["hasNextPage"] is False


async def test_working_groups_of_an_organisation_are_those_its_people_serve_on_now(run):
    data = await run('{ organisation(id: "org_montreal") { workingGroups { id } } }')
    assert [g["id"] for g in data["organisation"]["workingGroups"]] == [
        "grp_clinical", "grp_phenopackets", "grp_steering"]
    past_only = await run('{ organisation(id: "org_saopaulo") { workingGroups { id } } }')
    assert past_only["organisation"]["workingGroups"] == []


async def test_countries_by_continent(run):
    data = await run("{ all: countries { code } oceania: countries(continent: OCEANIA) { code name continent } }")
    codes = {c["code"] for c in data["all"]}
    assert {"CA", "NG", "JP", "AU", "BR", "CH"} <= codes and "AQ" not in codes
    assert len(codes) > 200
    oceania = data["oceania"]
    assert {"AU", "NZ", "FJ"} <= {c["code"] for c in oceania}
    assert all(c["continent"] == "OCEANIA" for c in oceania)


async def test_counts_are_exact_with_and_without_a_condition(run_demo):
    # By the count command, whose count without a condition MongoDB reads from metadata.
    every = await run_demo.db.organisations.find({}, projection=["status"]).to_list()
    assert await count_matching(run_demo.db.organisations, {}) == len(every) > 100
    active = sum(d["status"] == "ACTIVE" for d in every)
    assert await count_matching(run_demo.db.organisations, {"status": "ACTIVE"}) == active > 0


async def test_a_count_asked_for_is_read_with_the_page(demo_db, recorder):
    recorder.reset()
    page = await organisations_page(Context.for_request(demo_db), None, OrganisationOrder.NAME_ASC, 3, None, count_too=True)
    sent = list(recorder.commands)
    # The page, the generation its count may be kept under (datastore.generations), the count.
    assert sorted(sent) == ["count organisations", "find meta", "find organisations"], sent
    assert await page.count() == await count_matching(demo_db.organisations, {})
    assert len(recorder.commands) == len(sent) + 1  # only the check's own count: the page's was read already


COUNTED = "{ organisations(first: 3) { %s nodes { name } } } %s"
COUNT_SHAPES = {
    "as a field": COUNTED % ("totalCount", ""),
    "under an alias": COUNTED % ("n: totalCount", ""),
    "in a named fragment": COUNTED % ("...counted", "fragment counted on OrganisationConnection { totalCount }"),
    "in an inline fragment": COUNTED % ("... on OrganisationConnection { totalCount }", ""),
}


@pytest.mark.parametrize("planned", [True, False], ids=["planned", "graphql-core"])
async def test_a_total_count_is_seen_however_it_is_asked_for(demo_db, monkeypatch, planned):
    asked = []
    real = query_module.organisations.organisations_page

    async def spy(*args, count_too: bool = False, **kwargs):
        asked.append(count_too)
        return await real(*args, count_too=count_too, **kwargs)

    monkeypatch.setattr(query_module.organisations, "organisations_page", spy)
    run = Run(build_schema(planned=planned), demo_db)
    total = await count_matching(demo_db.organisations, {})
    for shape, query in COUNT_SHAPES.items():
        connection = (await run(query))["organisations"]
        assert connection.get("totalCount", connection.get("n")) == total, shape
    await run(COUNTED % ("", ""))
    assert asked == [True] * len(COUNT_SHAPES) + [False]
