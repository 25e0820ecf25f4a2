"""No client input reaches the database as an operator or a pattern."""

import pytest

from datastore.people import PersonFilter
from datastore.text import grams
from tests.security_helpers import assert_still_serves, messages

PEOPLE = "query($filter: PersonFilter) { people(filter: $filter) { totalCount nodes { id } } }"
ORGANISATIONS = "query($filter: OrganisationFilter) { organisations(filter: $filter) { totalCount } }"


async def post(http, query: str, **variables):
    return await http.post("/graphql", json={"query": query, "variables": variables})


@pytest.mark.parametrize("search", [".*", "^", "a|b", "(?i)", "[a-z]+", "\\", "$where", "{$ne: null}"])
async def test_regex_and_operator_text_in_search_is_literal(http, search):
    for query, field in ((PEOPLE, "people"), (ORGANISATIONS, "organisations")):
        response = await post(http, query, filter={"search": search})
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        assert response.json()["data"][field]["totalCount"] == 0
    await assert_still_serves(http)


@pytest.mark.parametrize(
    "filter",
    [
        {"search": {"$ne": ""}},
        {"search": {"$regex": ".*"}},
        {"search": ["a", "b"]},
        {"affiliation": {"$ne": None}},
        {"countries": [{"$gt": ""}]},
        {"$where": "sleep(1000)"},
    ],
)
async def test_operators_in_variables_are_type_errors(http, filter):
    response = await post(http, PEOPLE, filter=filter)
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert "Variable '$filter' has invalid value" in messages(response)
    await assert_still_serves(http)


async def test_an_operator_as_an_id_is_a_type_error(http):
    response = await post(http, "query($id: ID!) { person(id: $id) { id } }", id={"$ne": ""})
    assert response.json()["data"] is None and "Variable '$id' has invalid value" in messages(response)
    await assert_still_serves(http)


async def test_an_operator_in_an_entity_representation_matches_nothing(http):
    # _Any takes any JSON, so an id may arrive as an object: refused before any lookup.
    representations = [{"__typename": t, "id": {"$ne": ""}} for t in ("Person", "Organisation", "WorkingGroup")]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    body = (await post(http, query, r=representations)).json()
    assert body["data"] == {"_entities": [None, None, None]}
    assert [e["extensions"]["argument"] for e in body["errors"]] == ["representations"] * 3
    assert all("needs an id (a string)" in e["message"] for e in body["errors"])
    await assert_still_serves(http)


def test_search_becomes_an_escaped_literal_pattern():
    query = PersonFilter(search="a.*|$where").to_query()
    assert query["name_folded"] == {"$regex": "a\\.\\*\\|\\$where"}
    assert query["name_grams"] in grams("a.*|$where")  # a plain string, compared for equality


async def test_overlong_search_and_ids_are_refused(http):
    long_search = await post(http, PEOPLE, filter={"search": "x" * 101})
    assert "Invalid argument 'filter.search': at most 100 characters" in messages(long_search)
    long_id = await post(http, "query($id: ID!) { person(id: $id) { id } }", id="per_" + "x" * 100)
    assert "an id has at most 64 characters" in messages(long_id)
    await assert_still_serves(http)
