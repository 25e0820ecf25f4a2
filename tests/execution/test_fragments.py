"""Fragments that fan out (each spreads the next one twice) cannot stall the server.

The work is counted, not timed: the project's shape and cost walks visit each
fragment once, so their work grows linearly with the number of fragments while
the expanded document doubles with each; such documents are refused before any
validation rule runs. Timings are in bench/fragments.py.
"""

import pytest
from graphql import TypeInfo, ValidationContext, parse

from resolvers.list_sizes import COUNTRIES
from memberdir.execution.cost import QueryCost
from memberdir.execution.shape import DocumentShapes
from tests.security_helpers import assert_still_serves, error_codes


def fan_out(levels: int, on: str = "Query", leaf: str = "__typename") -> str:
    """`{ ...F0 }`, F0 spreads F1 twice, ... F(levels) selects `leaf`: 2**levels fields once spread."""
    fragments = [f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return "{ ...F0 } " + " ".join(fragments)


LEVELS = range(4, 25, 4)


def test_the_shape_walk_is_linear_in_the_fragments():
    walked, fields = [], []
    for levels in LEVELS:
        shapes = DocumentShapes(parse(fan_out(levels)))
        fields.append(shapes.largest().fields)
        walked.append(shapes.nodes_walked)
    assert fields == [2**levels for levels in LEVELS]  # what a naive walk would visit
    steps = {b - a for a, b in zip(walked, walked[1:])}
    assert len(steps) == 1 and steps.pop() == 2 * 4  # two spreads per fragment, four fragments a step
    assert walked[-1] < 100


def test_the_cost_walk_is_linear_in_the_fragments(schema):
    walked = []
    for levels in LEVELS:
        document = parse(fan_out(levels, leaf="countries { code }"))
        context = ValidationContext(schema._schema, document, TypeInfo(schema._schema), lambda error: None)
        cost = QueryCost(context, {})
        operation = document.definitions[0]
        total = cost.of(operation.selection_set, schema._schema.query_type, 1)
        assert total == 2**levels * COUNTRIES  # every spread list counted...
        walked.append(cost.nodes_walked)  # ...without walking each one
    steps = {b - a for a, b in zip(walked, walked[1:])}
    assert len(steps) == 1 and walked[-1] < 100


def test_depth_and_aliases_are_counted_as_the_spread_document_has_them():
    document = parse("""
        { a: organisations { nodes { ...Org } } b: organisations { nodes { ...Org } } }
        fragment Org on Organisation { x: name people { nodes { affiliation { name } } } }
    """)
    shape = DocumentShapes(document).largest()
    assert shape.aliases == 4  # a, b, and x once per spread
    assert shape.depth == 5  # organisations > nodes > people > nodes > affiliation


@pytest.mark.parametrize("levels", [14, 18, 22])
async def test_fan_out_documents_are_refused_before_validation(http, levels):
    response = await http.post("/graphql", json={"query": fan_out(levels)})
    assert response.status_code == 200 and response.json()["data"] is None
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_LARGE", "fields": 2**levels, "limit": 5000}
    over_get = await http.get("/graphql", params={"query": fan_out(levels)})
    assert error_codes(over_get) == ["QUERY_TOO_LARGE"]
    await assert_still_serves(http)


async def test_a_fan_out_within_the_limit_runs(http):
    response = await http.post("/graphql", json={"query": fan_out(10)})
    assert response.json()["data"] == {"__typename": "Query"}


async def test_graphiql_introspection_is_well_within_the_expanded_size_limit(http):
    from graphql import get_introspection_query

    introspection = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True)
    assert DocumentShapes(parse(introspection)).largest().fields < 1000
    response = await http.post("/graphql", json={"query": introspection})
    assert "errors" not in response.json()
