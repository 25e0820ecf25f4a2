"""One structured log line per request, without secrets; one traceback per internal error."""

import json
import logging

import pytest
from strawberry.extensions import SchemaExtension

from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.edge.access_log import JsonFormatter, ReadableFormatter
from memberdir.settings import Settings
from tests.ops_helpers import observed_app

SEARCH = "query FindPeople($q: String) { people(filter: {search: $q}, first: 5) { nodes { name email } } }"


def access_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "memberdir.access"]


def server_records(caplog) -> list[logging.LogRecord]:
    """What the server logged (the test's HTTP client logs its requests too)."""
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]


async def test_a_request_is_one_line_with_its_fields_and_no_secrets(ferretdb, directory, caplog):
    issued = await api_keys.issue(directory, "log test", Role.STAFF)
    secret_email = "ana.lopes@example.org"
    async with observed_app(ferretdb, directory) as (client, _):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = await client.post(
                "/graphql",
                json={"query": SEARCH, "variables": {"q": secret_email}, "operationName": "FindPeople"},
                headers={"X-API-Key": issued.secret_key, "X-Request-ID": "trace-42"},
            )
    assert response.status_code == 200, response.text
    [line] = access_lines(caplog)
    fields = line.request
    assert fields["requestId"] == "trace-42" == response.headers["x-request-id"]
    assert (fields["method"], fields["path"], fields["status"]) == ("POST", "/graphql", 200)
    assert fields["operation"] == "FindPeople" and fields["outcome"] == "ok"
    assert fields["cost"] == 5 and fields["dbCommands"] >= 1 and fields["durationMs"] > 0
    assert (fields["role"], fields["keyId"]) == ("staff", issued.record.id)
    json_line = JsonFormatter().format(line)
    assert json.loads(json_line)["requestId"] == "trace-42" and "\n" not in json_line
    everything = caplog.text + json_line + ReadableFormatter().format(line)
    for secret in (issued.secret_key, secret_email, "ana.lopes", "example.org", "query FindPeople"):
        assert secret not in everything


async def test_a_readable_line_in_development(ferretdb, directory, caplog):
    async with observed_app(ferretdb, directory) as (client, _):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await client.post("/graphql", json={"query": "query Two { organisations(first: 2) { totalCount } }"})
    [line] = access_lines(caplog)
    text = ReadableFormatter().format(line)
    assert "POST /graphql 200" in text and "operation=Two" in text and "cost=2" in text
    assert f"requestId={line.request['requestId']}" in text and "\n" not in text


async def test_a_clients_mistake_is_one_line_without_a_traceback(ferretdb, directory, caplog):
    async with observed_app(ferretdb, directory) as (client, _):
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            response = await client.post("/graphql", json={"query": '{ organisations(first: "ten") { totalCount } }'})
            unknown = await client.post("/graphql", json={"query": "{ nothingHere }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert unknown.json()["errors"]
    logged = [r for r in server_records(caplog) if r.levelno >= logging.INFO]
    assert [r.name for r in logged] == ["memberdir.access", "memberdir.access"]
    assert not any(r.exc_info for r in caplog.records)
    assert [line.request["errors"] for line in logged] == [["BAD_USER_INPUT"], ["GRAPHQL_VALIDATION_FAILED"]]
    assert {line.request["outcome"] for line in logged} == {"client_error"}


class BrokenName(SchemaExtension):
    """A bug in a resolver: Organisation.name raises."""

    def resolve(self, _next, root, info, *args, **kwargs):
        if info.field_name == "name" and info.parent_type.name == "Organisation":
            raise RuntimeError("simulated bug")
        return _next(root, info, *args, **kwargs)


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_an_internal_error_is_one_traceback_with_the_id_the_client_gets(ferretdb, directory, caplog, environment):
    settings = Settings(environment=environment)
    async with observed_app(ferretdb, directory, settings, extensions=(BrokenName,)) as (client, _):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = await client.post("/graphql", json={"query": '{ organisation(id: "org_lagos") { name } }'})
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body["extensions"]["requestId"] == request_id
    assert "simulated bug" not in json.dumps(body)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    [traceback] = tracebacks
    assert traceback.request_id == request_id and "organisation.name" in traceback.getMessage()
    assert "RuntimeError: simulated bug" in JsonFormatter().format(traceback)
    [line] = access_lines(caplog)
    assert line.request["outcome"] == "internal_error" and line.request["errors"] == ["INTERNAL_SERVER_ERROR"]


class Explodes:
    """An ASGI app failing outside GraphQL, where nothing else catches it."""

    async def __call__(self, scope, receive, send) -> None:
        raise RuntimeError("simulated crash")


async def test_an_unhandled_exception_is_one_traceback_and_a_json_500(caplog):
    from httpx import ASGITransport, AsyncClient

    from memberdir.edge.metrics import Metrics
    from memberdir.edge.observe import Observe

    app = Observe(Explodes(), Metrics(10))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = await client.get("/anything", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500 and response.headers["x-request-id"] == "crash-1"
    assert response.json()["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "crash-1"}
    assert len([r for r in caplog.records if r.exc_info]) == 1
    [line] = access_lines(caplog)
    assert line.request["status"] == 500 and line.request["outcome"] == "internal_error"



@pytest.mark.parametrize(
    "given, kept",
    [("abc-123", True), ("A.b_c:d-9", True), ("x" * 64, True), ("x" * 65, False), ("has space", False),
     ('quote"', False), ("new\tline", False), ("", False)],
)
async def test_request_ids_are_taken_only_when_short_and_safe(ferretdb, directory, given, kept):
    async with observed_app(ferretdb, directory) as (client, _):
        answers = [
            await client.get("/healthz", headers={"X-Request-ID": given}),
            await client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": given}),
            await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": given, "X-API-Key": "mdk_wrong"}
            ),
        ]
    for answer in answers:
        echoed = answer.headers["x-request-id"]
        assert (echoed == given) is kept
        assert 1 <= len(echoed) <= 64 and echoed.replace("-", "").isalnum() or kept
    assert answers[2].status_code == 401


async def test_a_requested_operation_name_is_logged_only_when_it_is_a_name(ferretdb, directory, caplog):
    async with observed_app(ferretdb, directory) as (client, _):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            for name in ["Two", "ana@example.org", "x" * 101]:
                # a document that does not parse keeps the requested name as the operation's
                await client.post("/graphql", json={"query": "query Two { __typename", "operationName": name})
    assert [line.request["operation"] for line in access_lines(caplog)] == ["Two", "(invalid)", "(invalid)"]
    assert "example.org" not in caplog.text
