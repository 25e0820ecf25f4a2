"""membershipStats: every dimension, and agreement with organisations().totalCount."""

import pytest

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
