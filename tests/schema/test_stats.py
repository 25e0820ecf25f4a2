"""membershipStats: every dimension, and agreement with organisations().totalCount."""

from collections import Counter

import pytest

from datastore.records import countries
from memberdir.execution.cost import query_cost

pytestmark = pytest.mark.database  # run on every engine (make test)

STATS = "query($by: StatDimension!, $filter: OrganisationFilter) { membershipStats(by: $by, filter: $filter) { key label count } }"
TOTAL = "query($filter: OrganisationFilter) { organisations(filter: $filter, first: 0) { totalCount } }"

FILTER_OF_DIMENSION = {
    "COUNTRY": "countries", "CONTINENT": "continents", "SECTOR": "sectors",
    "KIND": "kinds", "DESIGNATION": "designations", "STATUS": "statuses",
}


async def test_counts_by_continent(run):
    data = await run(STATS, by="CONTINENT")
    assert data["membershipStats"] == [
        {"key": "EUROPE", "label": "Europe", "count": 2},
        {"key": "NORTH_AMERICA", "label": "North America", "count": 2},
        {"key": "AFRICA", "label": "Africa", "count": 1},
        {"key": "ASIA", "label": "Asia", "count": 1},
        {"key": "OCEANIA", "label": "Oceania", "count": 1},
        {"key": "SOUTH_AMERICA", "label": "South America", "count": 1},
    ]


async def test_counts_by_sector_count_each_sector_of_an_organisation(run):
    data = await run(STATS, by="SECTOR", filter={"countries": ["CA", "AU"]})
    assert data["membershipStats"] == [
        {"key": "RESEARCH", "label": "Research", "count": 2},
        {"key": "FUNDING", "label": "Funding", "count": 1},
        {"key": "HEALTHCARE", "label": "Healthcare", "count": 1},
        {"key": "POLICY_AND_ETHICS", "label": "Policy and Ethics", "count": 1},
    ]


async def test_country_labels_are_country_names(run):
    data = await run(STATS, by="COUNTRY", filter={"statuses": ["ACTIVE"]})
    assert {(b["key"], b["label"]) for b in data["membershipStats"]} == {
        ("CA", "Canada"), ("GB", "United Kingdom"), ("NG", "Nigeria"), ("AU", "Australia")}


@pytest.mark.parametrize("dimension", list(FILTER_OF_DIMENSION))
@pytest.mark.parametrize(
    "filter",
    [None, {"statuses": ["ACTIVE"]}, {"continents": ["EUROPE", "AFRICA"], "joinedAfter": "2015-01-01"}, {"search": "gen"}],
)
async def test_every_bucket_agrees_with_the_filtered_total(run_demo, dimension, filter):
    buckets = (await run_demo(STATS, by=dimension, filter=filter))["membershipStats"]
    assert buckets, "the demo has organisations in every dimension"
    total = (await run_demo(TOTAL, filter=filter))["organisations"]["totalCount"]
    if dimension not in ("SECTOR", "DESIGNATION"):  # one value each: buckets partition the total
        assert sum(b["count"] for b in buckets) == total
    for bucket in buckets[:3] + buckets[-2:]:
        narrowed = {**(filter or {}), FILTER_OF_DIMENSION[dimension]: [bucket["key"]]}
        assert (await run_demo(TOTAL, filter=narrowed))["organisations"]["totalCount"] == bucket["count"]
    assert [b["count"] for b in buckets] == sorted((b["count"] for b in buckets), reverse=True)


CROSS = """query($by: StatDimension!, $thenBy: StatDimension, $filter: OrganisationFilter) {
  membershipStats(by: $by, thenBy: $thenBy, filter: $filter) { key label count breakdown { key label count } } }"""
EVERY_ORGANISATION = """query($filter: OrganisationFilter, $after: String) {
  organisations(filter: $filter, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { country { code } continent sectors kind designations membership { status } } } }"""


def _keys_of(node: dict, dimension: str) -> list[str]:
    """The values an organisation has in a dimension, as the API shows them."""
    return {
        "COUNTRY": [node["country"]["code"]], "CONTINENT": [node["continent"]], "SECTOR": node["sectors"],
        "KIND": [node["kind"]], "DESIGNATION": node["designations"], "STATUS": [node["membership"]["status"]],
    }[dimension]


async def _every_organisation(run, filter) -> list[dict]:
    nodes, after = [], None
    while True:
        page = (await run(EVERY_ORGANISATION, filter=filter, after=after))["organisations"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


PAIRS = [(a, b) for a in FILTER_OF_DIMENSION for b in FILTER_OF_DIMENSION if a != b]


@pytest.mark.parametrize("filter", [None, {"statuses": ["ACTIVE", "LAPSED"], "continents": ["EUROPE", "ASIA"]}])
async def test_every_cross_tab_cell_counts_the_organisations_with_both_keys(run_demo, filter):
    organisations = await _every_organisation(run_demo, filter)
    assert len(organisations) > 100
    for by, then_by in PAIRS:
        buckets = (await run_demo(CROSS, by=by, thenBy=then_by, filter=filter))["membershipStats"]
        rows = {b["key"]: b["count"] for b in buckets}
        cells = {(b["key"], c["key"]): c["count"] for b in buckets for c in b["breakdown"]}
        expected_rows = Counter(k for o in organisations for k in _keys_of(o, by))
        expected_cells = Counter((k, j) for o in organisations for k in _keys_of(o, by) for j in _keys_of(o, then_by))
        assert rows == dict(expected_rows), (by, then_by)
        assert cells == dict(expected_cells), (by, then_by)
        for bucket in buckets:
            assert [c["count"] for c in bucket["breakdown"]] == sorted((c["count"] for c in bucket["breakdown"]), reverse=True)


async def test_cross_tab_cells_agree_with_filtered_totals(run_demo):
    filter = {"joinedAfter": "2016-01-01"}
    buckets = (await run_demo(CROSS, by="COUNTRY", thenBy="SECTOR", filter=filter))["membershipStats"]
    assert buckets[0]["label"] == "United States" and buckets[0]["breakdown"][0]["label"] in {
        "Healthcare", "Research", "Patient Advocacy", "Life Science", "Information Technology", "Funding",
        "Policy and Ethics"}
    for bucket in buckets[:2] + buckets[-1:]:
        for cell in bucket["breakdown"][:2] + bucket["breakdown"][-1:]:
            narrowed = {**filter, "countries": [bucket["key"]], "sectors": [cell["key"]]}
            assert (await run_demo(TOTAL, filter=narrowed))["organisations"]["totalCount"] == cell["count"]
        # SECTOR is a list: a row can sum to more than its organisations
        assert sum(c["count"] for c in bucket["breakdown"]) >= bucket["count"]


async def test_a_cross_tab_is_one_database_command(run_demo, recorder):
    recorder.reset()
    await run_demo(CROSS, by="SECTOR", thenBy="DESIGNATION", filter={"statuses": ["ACTIVE"]})
    # and the generation its answer is kept under (datastore.generations)
    assert sorted(recorder.commands) == ["aggregate organisations", "find meta"]


async def test_without_then_by_there_is_no_breakdown(run_demo):
    buckets = (await run_demo(CROSS, by="KIND"))["membershipStats"]
    assert buckets and all(b["breakdown"] is None for b in buckets)


async def test_the_same_dimension_twice_is_refused_naming_then_by(run_demo):
    errors = await run_demo.errors(CROSS, by="SECTOR", thenBy="SECTOR")
    assert errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": "thenBy"}
    assert "SECTOR" in errors[0].message


DASHBOARD = """query($filter: OrganisationFilter, $other: OrganisationFilter) {
  continents: membershipStats(by: CONTINENT, filter: $filter) { key count }
  countries: membershipStats(by: COUNTRY, filter: $filter) { key count }
  sectors: membershipStats(by: SECTOR, filter: $filter) { key count }
  kinds: membershipStats(by: KIND, filter: $filter) { key count }
  cross: membershipStats(by: COUNTRY, thenBy: SECTOR, filter: $filter) { key count breakdown { key count } }
  trend: membershipTrend(interval: YEAR, filter: $filter) { period joined activeAtEnd }
  other: membershipStats(by: KIND, filter: $other) { key count }
}"""


async def test_the_statistics_of_one_request_share_one_command_per_filter(run_demo, recorder):
    filter = {"statuses": ["ACTIVE", "LAPSED"]}
    recorder.reset()
    together = await run_demo(DASHBOARD, filter=filter, other={"continents": ["ASIA"]})
    # one command per filter: a find for the one with the trend (histories), an aggregate for the other;
    # and the generation their answers are kept under
    assert sorted(recorder.commands) == ["aggregate organisations", "find meta", "find organisations"]
    for alias, by in (("continents", "CONTINENT"), ("countries", "COUNTRY"), ("sectors", "SECTOR"), ("kinds", "KIND")):
        alone = await run_demo(STATS, by=by, filter=filter)
        assert together[alias] == [{"key": b["key"], "count": b["count"]} for b in alone["membershipStats"]]
    cross = await run_demo(CROSS, by="COUNTRY", thenBy="SECTOR", filter=filter)
    assert together["cross"] == [
        {"key": b["key"], "count": b["count"], "breakdown": [{"key": c["key"], "count": c["count"]} for c in b["breakdown"]]}
        for b in cross["membershipStats"]]
    alone = await run_demo(STATS, by="KIND", filter={"continents": ["ASIA"]})
    assert together["other"] == [{"key": b["key"], "count": b["count"]} for b in alone["membershipStats"]]


COUNTRIES = len(countries.all_countries())


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [("by: COUNTRY", COUNTRIES), ("by: COUNTRY, thenBy: SECTOR", COUNTRIES + COUNTRIES * 7),
     ("by: SECTOR, thenBy: COUNTRY", 7 + 7 * COUNTRIES), ("by: KIND, thenBy: STATUS", 6 + 6 * 6)],
)
def test_a_cross_tab_costs_the_cells_its_two_dimensions_can_have(schema, arguments, expected):
    assert query_cost(schema._schema, f"{{ membershipStats({arguments}) {{ key breakdown {{ key }} }} }}") == expected


def test_the_breakdown_cost_follows_the_then_by_around_it_through_fragments(schema):
    query = """fragment Cells on StatBucket { breakdown { key } }
      { a: membershipStats(by: KIND, thenBy: SECTOR) { ...Cells } b: membershipStats(by: KIND, thenBy: STATUS) { ...Cells } }"""
    assert query_cost(schema._schema, query) == (6 + 6 * 7) + (6 + 6 * 6)
