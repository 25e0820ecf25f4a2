"""A bounded property-based fuzz of the schema: whatever valid query a client
sends, the answer is data or a client error, never a 500 or an internal error."""

import datetime

import graphql

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from memberdir.execution import build_schema

def _field(name: str, value: str) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=nodes.String(value))


SCALARS = {
    "Date": st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2040, 1, 1)).map(
        lambda d: nodes.String(d.isoformat())
    ),
    "_Any": st.tuples(
        st.sampled_from(["Person", "Organisation", "WorkingGroup"]),
        st.sampled_from(["per_ana", "org_lagos", "grp_data", "nobody"]),
    ).map(lambda pair: nodes.Object([_field("__typename", pair[0]), _field("id", pair[1])])),
}
MASKED = "Unexpected error."


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
@given(query=queries(build_schema()._schema, custom_scalars=SCALARS))
async def test_fuzzed_queries_never_fail_inside(http, query):
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200, (query, response.text)
    body = response.json()
    assert "data" in body or "errors" in body
    internal = [e for e in body.get("errors", []) if e["message"] == MASKED]
    assert not internal, (query, internal)
