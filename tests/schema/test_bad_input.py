"""Bad input gets a GraphQL error naming the argument; never a 500 or a stack trace."""

import base64
import json

import pytest


def error_of(response) -> dict:
    assert response.status_code != 500
    body = response.json()
    assert body["errors"], body
    text = json.dumps(body)
    assert "Traceback" not in text and 'File "' not in text
    return body["errors"][0]


async def post(http, query: str, **variables):
    return await http.post("/graphql", json={"query": query, "variables": variables})


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("{ organisations(first: 101) { totalCount } }", "first"),
        ("{ organisations(first: -1) { totalCount } }", "first"),
        ("{ people(first: 1000000) { totalCount } }", "first"),
        ('{ organisation(id: "org_montreal") { people(first: 101) { totalCount } } }', "first"),
        ('{ workingGroup(id: "grp_clinical") { roster(first: 501) { totalCount } } }', "first"),
        ('{ organisations(after: "not-a-cursor") { totalCount } }', "after"),
        ('{ organisations(after: "") { totalCount } }', "after"),
        ('{ organisations(filter: {countries: ["XX"]}) { totalCount } }', "filter.countries"),
        ('{ organisations(filter: {countries: ["CAN"]}) { totalCount } }', "filter.countries"),
        ('{ membershipStats(by: COUNTRY, filter: {countries: ["C$"]}) { count } }', "filter.countries"),
        ('{ people(filter: {countries: ["ZZ"]}) { totalCount } }', "filter.countries"),
        ('{ organisations(filter: {joinedAfter: "2020-01-01", joinedBefore: "2019-01-01"}) { totalCount } }', "filter.joinedAfter"),
        ("{ organisation { id } }", "id"),
        ('{ organisation(id: "org_montreal", slug: "universite-de-montreal") { id } }', "id"),
        ("{ workingGroup { id } }", "id"),
    ],
)
async def test_bad_arguments_are_named(http, query, argument):
    response = await post(http, query)
    assert response.status_code == 200
    error = error_of(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert f"'{argument}'" in error["message"]


async def test_overlong_search_and_id_are_refused(http):
    long = "a" * 101
    search = error_of(await post(http, "query($f: OrganisationFilter) { organisations(filter: $f) { totalCount } }", f={"search": long}))
    assert search["extensions"]["argument"] == "filter.search" and "100 characters" in search["message"]
    ident = error_of(await post(http, "query($id: ID!) { person(id: $id) { id } }", id="per_" + "x" * 100))
    assert ident["extensions"]["argument"] == "id"
    slug = error_of(await post(http, "query($s: String) { workingGroup(slug: $s) { id } }", s="a" * 121))
    assert slug["extensions"]["argument"] == "slug" and "120 characters" in slug["message"]
    long_but_valid = await post(http, "query($s: String) { organisation(slug: $s) { id } }", s="a" * 120)
    assert long_but_valid.json()["data"] == {"organisation": None}


async def test_too_many_filter_values_are_refused(http):
    error = error_of(await post(http, "query($f: OrganisationFilter) { organisations(filter: $f) { totalCount } }", f={"countries": ["CA"] * 301}))
    assert error["extensions"]["argument"] == "filter.countries"


async def test_cursor_of_another_order_or_list_is_refused(http):
    name_cursor = (await post(http, "{ organisations(first: 1) { pageInfo { endCursor } } }")).json()["data"]["organisations"]["pageInfo"]["endCursor"]
    other_order = error_of(await post(http, "query($a: String) { organisations(orderBy: JOINED_ASC, after: $a) { totalCount } }", a=name_cursor))
    assert other_order["extensions"]["argument"] == "after"
    other_list = error_of(await post(http, "query($a: String) { people(after: $a) { totalCount } }", a=name_cursor))
    assert other_list["extensions"]["argument"] == "after"


@pytest.mark.parametrize(
    "payload",
    [
        ["organisations:NAME_ASC", [1, 2]],
        ["organisations:NAME_ASC", ["a"]],
        ["organisations:NAME_ASC", [{"$gt": ""}, "org_x"]],
        ["organisations:NAME_ASC", "x"],
        {"k": 1},
    ],
)
async def test_forged_cursors_are_refused(http, payload):
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    error = error_of(await post(http, "query($a: String) { organisations(after: $a) { totalCount } }", a=forged))
    assert error["extensions"]["argument"] == "after"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("{ organisations(orderBy: NAME_SIDEWAYS) { totalCount } }", "orderBy"),
        ("{ membershipStats(by: PLANET) { count } }", "by"),
        ("{ organisations(filter: {continents: [ANTARCTICA]}) { totalCount } }", "filter.continents"),
        ('{ organisations(first: "ten") { totalCount } }', "first"),
        ("{ organisations(filter: {colour: RED}) { totalCount } }", "filter"),
        ('{ workingGroup(id: "grp_clinical") { roster(roles: [PRESIDENT]) { totalCount } } }', "roles"),
    ],
)
async def test_bad_literals_are_named_by_validation(http, query, named):
    response = await post(http, query)
    assert response.status_code in (200, 400)
    error = error_of(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": named}
    assert error["message"].startswith(f"Invalid argument '{named}': ")


async def test_unknown_fields_are_named(http):
    assert "nope" in error_of(await post(http, "{ organisations { nope } }"))["message"]


async def test_enum_variable_with_unknown_value_names_the_variable(http):
    response = await post(http, "query($o: OrganisationOrder) { organisations(orderBy: $o) { totalCount } }", o="SIDEWAYS")
    error = error_of(response)
    assert "$o" in error["message"] and "SIDEWAYS" in error["message"]


async def test_malformed_http_bodies_are_400(http):
    not_json = await http.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    no_query = await http.post("/graphql", json={"variables": {}})
    assert no_query.status_code == 400


async def test_server_still_answers_after_bad_input(http):
    await post(http, "{ organisations(first: 101) { totalCount } }")
    response = await post(http, "{ organisations { totalCount } }")
    assert response.json()["data"] == {"organisations": {"totalCount": 8}}
