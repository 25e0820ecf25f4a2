"""Every malformed request body is a 4xx JSON error saying what was wrong, and the
client's keep-alive connection stays usable (a real uvicorn on 127.0.0.1)."""

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge_helpers import Connections, live_server
from memberdir.app import create_app
from memberdir.edge.bodies import MAX_INTEGER_DIGITS, MAX_NESTING
from memberdir.settings import Settings
from tests.security_helpers import NORMAL_QUERY, assert_still_serves, error_codes

JSON = {"content-type": "application/json"}
QUERY_BODY = json.dumps({"query": NORMAL_QUERY}).encode()

# (body, words the message must contain)
MALFORMED = [
    (b"null", "must be a JSON object"),
    (b"true", "not a boolean"),
    (b'"{ __typename }"', "not a string"),
    (b"42", "not a number"),
    (b"[[{\"query\": \"{ __typename }\"}]]", "Operation [0] of the batch"),
    (b'[1, "x", null]', "Operation [0] of the batch"),
    (b"[" * 30000 + b"]" * 30000, f"nested more than {MAX_NESTING}"),
    (b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 100 + b"1" + b"}" * 101, f"nested more than {MAX_NESTING}"),
    (b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}", "5000 digits"),
    (b'{"query": "\xff\xfe{ __typename }"}', "not valid UTF-8"),
    (b'{"query": "{ __typename }", "variables": NaN}', "NaN is not JSON"),
    (b'{"query": 5}', "`query` must be a string"),
    (b'{"query": "{ __typename }", "variables": [1]}', "`variables` must be an object"),
    (b'{"query": "{ __typename }", "operationName": {}}', "`operationName` must be a string"),
    (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be an object"),
    (b"{not json", "not JSON"),
    (b"", "empty"),
    (b"[]", "at least one operation"),
]


@pytest.fixture(scope="module")
async def served(directory):
    app = Connections(create_app(Settings(), database=directory))
    async with live_server(app) as base:
        yield base, app


@pytest.mark.parametrize("body, says", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
async def test_each_malformed_body_is_a_named_400_in_json(http, body, says):
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert says in error["message"]
    assert len(error["message"]) < 200  # never an echo of the body
    await assert_still_serves(http)


async def test_one_keep_alive_connection_survives_every_malformed_body(served):
    base, app = served
    app.clients.clear()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        for body, _ in MALFORMED:
            response = await client.post("/graphql", content=body, headers=JSON)
            assert response.status_code == 400
            assert response.headers.get("connection", "").lower() != "close"
            answer = await client.post("/graphql", content=QUERY_BODY, headers=JSON)
            assert answer.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}
    assert len(app.clients) == 2 * len(MALFORMED)
    assert len(set(app.clients)) == 1  # every request came over the one connection


async def test_the_fault_is_named_for_a_batch_entry(http):
    response = await http.post("/graphql", json=[{"query": "{ __typename }"}, {"query": ["x"]}])
    assert response.status_code == 400
    assert error_codes(response) == ["BAD_REQUEST_BODY"]
    assert response.json()["errors"][0]["message"].startswith("Operation [1] of the batch: `query` must be a string")


async def test_numbers_of_reasonable_size_still_work(http):
    digits = "1" * MAX_INTEGER_DIGITS
    body = b'{"query": "query($n: Int) { organisations(first: $n) { totalCount } }", "variables": {"n": ' + digits.encode() + b"}}"
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 200  # a GraphQL error (Int is 32-bit), not a refused body
    assert "errors" in response.json()


# Raw bodies: JSON-ish fragments, random bytes, and valid JSON of every shape.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["query", "variables", "operationName", "extensions", "x"]), inner, max_size=4),
    max_leaves=20,
)
raw_bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"query"', b":", b",", b"null", b'"{ __typename }"', b"1e999", b"\\ud800", b"\xc3"]), max_size=30).map(b"".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
@given(body=raw_bodies)
async def test_fuzzed_raw_bodies_never_get_a_5xx(http, body):
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.status_code < 500, (body, response.text)
    assert response.headers["content-type"] in ("application/json", "application/graphql-response+json")
    payload = response.json()
    assert isinstance(payload, (dict, list))


async def test_bad_json_in_a_get_parameter_is_named(http):
    response = await http.get("/graphql", params={"query": NORMAL_QUERY, "variables": "{nope"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("A query parameter is not JSON")
    not_an_object = await http.get("/graphql", params={"query": NORMAL_QUERY, "variables": "[1]"})
    assert not_an_object.status_code == 400 and "variables" in not_an_object.json()["errors"][0]["message"]
