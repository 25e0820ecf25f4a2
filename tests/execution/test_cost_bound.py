"""The query cost is an honest upper bound: every list has a bound the cost rule
knows, and for any query generated from the schema that passes the limit, the
answer on the demo data never holds more list items than the computed cost."""

import pytest
from graphql import GraphQLList, GraphQLNonNull, get_named_type
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries

from memberdir.settings import Settings
from memberdir.execution import build_schema
from memberdir.execution.cost import FIRST_MAXIMA, list_bound, query_cost
from tests.security_helpers import assert_still_serves, client_for, error_codes
from tests.security.test_fuzz import SCALARS

LIMIT = 2_000  # any limit would do; a small one keeps the answers small


def _list_fields(schema):
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not hasattr(type_, "fields") or type_.name.endswith("Input"):
            continue
        for name, field in getattr(type_, "fields", {}).items():
            kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(kind, GraphQLList) and hasattr(field, "args"):
                yield type_, name, field


def test_every_list_field_has_a_bound_the_cost_rule_knows():
    schema = build_schema()._schema
    unbounded = [
        f"{parent.name}.{name}"
        for parent, name, field in _list_fields(schema)
        if list_bound(parent, name, field) is None and "representations" not in field.args
    ]
    assert unbounded == []
    with_first = {f"{p.name}.{n}" for p, n, f in _list_fields(schema) if "first" in f.args}
    assert with_first <= set(FIRST_MAXIMA)


def test_every_first_has_a_documented_maximum_it_enforces():
    schema = build_schema()._schema
    for coordinate, maximum in FIRST_MAXIMA.items():
        parent, name = coordinate.split(".")
        field = schema.get_type(parent).fields[name]
        assert "first" in field.args, coordinate
        default = field.args["first"].default_value
        assert 0 < default <= maximum, coordinate
        assert f"at most {maximum}" in (field.description or "") or get_named_type(field.type).name.endswith("Connection")


OVER_THE_MAXIMUM = [
    ("{ workingGroups(first: 501) { id } }", "first"),
    ('{ workingGroup(slug: "data-work-stream") { organisations(first: 1001) { id } } }', "first"),
    ('{ workingGroup(slug: "data-work-stream") { children(first: 201) { id } } }', "first"),
    ('{ workingGroup(slug: "data-work-stream") { chairs(first: 101) { id } } }', "first"),
    ('{ organisation(id: "org_lagos") { contacts(first: 101) { role } } }', "first"),
    ('{ organisation(id: "org_lagos") { workingGroups(first: 201) { id } } }', "first"),
    ('{ person(id: "per_ana") { roles(first: 101) { role } } }', "first"),
    ('{ person(id: "per_ana") { groups(first: 201) { role } } }', "first"),
    ('{ person(id: "per_ana") { groups(first: -1) { role } } }', "first"),
]


@pytest.mark.parametrize("query, argument", OVER_THE_MAXIMUM)
async def test_a_first_over_the_maximum_is_refused_not_cut(http, query, argument):
    response = await http.post("/graphql", json={"query": query})
    errors = response.json()["errors"]
    assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "argument": argument}]
    await assert_still_serves(http)


async def test_plain_lists_return_the_first_items_asked_for(http):
    everything = await http.post("/graphql", json={"query": "{ workingGroups { id } }"})
    two = await http.post("/graphql", json={"query": "{ workingGroups(first: 2) { id } }"})
    assert two.json()["data"]["workingGroups"] == everything.json()["data"]["workingGroups"][:2]


@pytest.mark.parametrize(
    "query",
    [
        "{ organisations(first: 20) { nodes { id workingGroups { organisations { id name } } } } }",
        "{ workingGroups { name organisations { id workingGroups { active } } slug } }",
    ],
)
async def test_the_queries_that_ran_for_seconds_are_refused_by_cost(http, query):
    response = await http.post("/graphql", json={"query": query})
    assert error_codes(response) == ["QUERY_TOO_COSTLY"]
    assert response.json()["errors"][0]["extensions"]["cost"] > 50_000
    await assert_still_serves(http)


def list_items(value) -> int:
    """Every item of every list in an answer, however deep."""
    if isinstance(value, list):
        return len(value) + sum(list_items(v) for v in value)
    if isinstance(value, dict):
        return sum(list_items(v) for v in value.values())
    return 0


@pytest.fixture(scope="module")
async def demo_http(demo_db):
    async with client_for(demo_db, Settings(max_cost=LIMIT)) as client:
        yield client


GRAPHQL_SCHEMA = build_schema()._schema


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
@given(query=queries(GRAPHQL_SCHEMA, custom_scalars=SCALARS))
async def test_answers_never_hold_more_items_than_the_cost(demo_http, query):
    cost = query_cost(GRAPHQL_SCHEMA, query)
    response = await demo_http.post("/graphql", json={"query": query})
    body = response.json()
    if cost > LIMIT:
        assert "QUERY_TOO_COSTLY" in error_codes(response)
        return
    assert list_items(body.get("data")) <= cost, (query, cost)
