"""GraphQL over HTTP, to the letter: the graphql-http audit suite finds nothing, and
each rule it checks (and some it does not) holds here too."""

import asyncio
import json
import shutil

import pytest

from edge_helpers import live_server
from memberdir.app import create_app
from memberdir.settings import Settings
from memberdir.supergraph import NODE_PROJECT
from tests.security_helpers import NORMAL_QUERY, assert_still_serves, error_codes, messages

GRAPHQL_RESPONSE = "application/graphql-response+json"
NEW = {"accept": GRAPHQL_RESPONSE}


async def post(client, body, headers=None):
    return await client.post("/graphql", json=body, headers=headers or {})


async def test_the_graphql_http_audit_passes_with_no_warnings(directory):
    node = shutil.which("node")
    assert node, "Node.js runs the audit suite"
    async with live_server(create_app(Settings(), database=directory)) as base:
        process = await asyncio.create_subprocess_exec(
            node, str(NODE_PROJECT / "audit-http.mjs"), f"{base}/graphql",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=NODE_PROJECT,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert len(results) > 40  # the whole suite ran
    not_ok = [r for r in results if r["status"] != "ok"]
    assert not_ok == []


async def test_the_newer_media_type_is_answered_when_accepted(http):
    response = await post(http, {"query": NORMAL_QUERY}, {"accept": "Application/GraphQL-Response+JSON; charset=utf-8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}
    older = await post(http, {"query": NORMAL_QUERY}, {"accept": "application/json"})
    assert older.headers["content-type"] == "application/json"
    anything = await post(http, {"query": NORMAL_QUERY}, {"accept": "*/*"})
    assert anything.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "body, kind",
    [
        ({"query": "{"}, "parse"),
        ({"query": "{ organisations { nope } }"}, "validation"),
        ({"query": "{ organisations(first: 100) { nodes { people(first: 100) { nodes { affiliation { people(first: 100) { nodes { id } } } } } } } }"}, "cost"),
        ({"query": "query($n: Int!) { organisations(first: $n) { totalCount } }", "variables": {"n": "ten"}}, "coercion"),
        ({"query": "query($n: Int!) { organisations(first: $n) { totalCount } }"}, "missing variable"),
    ],
)
async def test_a_request_that_never_ran_is_400_without_data_for_the_newer_media_type(http, body, kind):
    response = await post(http, body, NEW)
    assert response.status_code == 400, kind
    assert "data" not in response.json() and response.json()["errors"]
    # Older clients (application/json) get 200 and `data: null`, as the spec asks.
    older = await post(http, body)
    assert older.status_code == 200 and older.json()["data"] is None
    await assert_still_serves(http)


async def test_an_error_while_running_is_still_200_with_data(http):
    long_id = "x" * 100
    query = f'{{ bad: organisation(id: "{long_id}") {{ name }} good: organisation(id: "org_lagos") {{ name }} }}'
    response = await post(http, {"query": query}, NEW)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"bad": None, "good": {"name": "Lagos Rare Disease Foundation"}}
    assert error_codes(response) == ["BAD_USER_INPUT"]


async def test_an_accept_the_server_cannot_honour_is_406_in_json(http):
    response = await post(http, {"query": NORMAL_QUERY}, {"accept": "text/csv"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json"
    assert error_codes(response) == ["NOT_ACCEPTABLE"]
    refused_by_weight = await post(http, {"query": NORMAL_QUERY}, {"accept": "application/json;q=0, */*;q=0"})
    assert refused_by_weight.status_code == 406
    await assert_still_serves(http)


async def test_several_operations_need_an_operation_name(http):
    document = "query A { countries(continent: OCEANIA) { code } } query B { organisation(id: \"org_lagos\") { name } }"
    response = await post(http, {"query": document}, NEW)
    assert response.status_code == 400 and "data" not in response.json()
    assert error_codes(response) == ["OPERATION_NAME_REQUIRED"] and "operationName" in messages(response)
    older = await post(http, {"query": document})
    assert older.json()["data"] is None and error_codes(older) == ["OPERATION_NAME_REQUIRED"]
    named = await post(http, {"query": document, "operationName": "B"})
    assert named.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}


async def test_an_unknown_operation_is_a_json_error_echoing_only_a_prefix(http):
    name = "X" * 5000
    response = await post(http, {"query": "query A { __typename }", "operationName": name})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "No operation named 'XXXX" in messages(response)
    assert len(response.text) < 300


@pytest.mark.parametrize(
    "method, path, status, code",
    [("PUT", "/graphql", 405, "METHOD_NOT_ALLOWED"), ("DELETE", "/graphql", 405, "METHOD_NOT_ALLOWED"),
     ("GET", "/nothing-here", 404, "NOT_FOUND")],
)
async def test_refusals_outside_graphql_are_json_too(http, method, path, status, code):
    response = await http.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert error_codes(response) == [code]


async def test_batch_refusals_are_json(directory):
    from tests.security_helpers import client_for

    async with client_for(directory, Settings(max_batch_operations=2)) as client:
        over = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 3)
        assert over.status_code == 400 and error_codes(over) == ["TOO_MANY_OPERATIONS"]
        empty = await client.post("/graphql", json=[])
        assert empty.status_code == 400 and error_codes(empty) == ["BAD_REQUEST_BODY"]
        await assert_still_serves(client)


@pytest.mark.parametrize("content_type", ["APPLICATION/JSON", "Application/Json; Charset=UTF-8", "application/json;charset=utf-8"])
async def test_media_types_are_compared_case_insensitively(http, content_type):
    response = await http.post("/graphql", content=json.dumps({"query": NORMAL_QUERY}), headers={"content-type": content_type})
    assert response.status_code == 200
    assert response.json()["data"]["organisation"]["name"] == "Lagos Rare Disease Foundation"


async def test_an_unsupported_content_type_is_a_json_415(http):
    response = await http.post("/graphql", content="{ __typename }", headers={"content-type": "application/graphql"})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    assert error_codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]


async def test_error_messages_quote_only_a_prefix_of_long_names(http):
    name = "a" * 100_000
    response = await post(http, {"query": f"{{ {name} }}"})
    [error] = response.json()["errors"]
    assert "Cannot query field 'aaaa" in error["message"]
    assert len(error["message"]) <= 301
    await assert_still_serves(http)


async def test_a_document_of_fragments_only_is_a_json_400(http):
    response = await post(http, {"query": "fragment F on Query { __typename }"})
    assert response.status_code == 400
    assert error_codes(response) == ["BAD_REQUEST"] and "no operation" in messages(response)
