"""/metrics: Prometheus text that parses and counts what happened."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from memberdir.app import create_app
from memberdir.database import settings_engine
from memberdir.settings import Settings
from tests.ops_helpers import observed_app


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_parse_and_count_requests(ferretdb, directory):
    # Each request runs its query: the response cache off (its own counters: tests/edge/test_answer_reuse.py).
    async with observed_app(ferretdb, directory, Settings(response_cache_bytes=0)) as (client, _):
        for _ in range(3):
            await client.post("/graphql", json={"query": "query Alpha { organisations(first: 3) { nodes { name } } }"})
        await client.post("/graphql", json={"query": 'query Beta { organisations(first: "x") { totalCount } }'})
        deeper = "{ contacts { person { affiliation " * 4 + "{ name }" + " } } }" * 4
        deep = '{ organisation(id: "org_lagos") ' + deeper + " }"  # 14 levels
        await client.post("/graphql", json={"query": deep})
        response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert value(found, "memberdir_graphql_requests_total", operation="Alpha", outcome="ok") == 3
    assert value(found, "memberdir_graphql_requests_total", operation="Beta", outcome="client_error") == 1
    assert value(found, "memberdir_graphql_requests_total", operation="(anonymous)", outcome="refused") == 1
    assert value(found, "memberdir_refusals_total", limit="depth") == 1
    assert value(found, "memberdir_graphql_request_duration_seconds_count", operation="Alpha") == 3
    assert value(found, "memberdir_database_command_duration_seconds_count", collection="organisations") >= 3
    assert value(found, "memberdir_query_cost_sum") >= 9  # three queries of cost 3, and Beta's measured cost
    assert value(found, "memberdir_http_responses_total", route="/graphql", status="200") == 5


async def test_operation_names_are_capped(ferretdb, directory):
    settings = Settings(metrics_max_operation_names=2)
    async with observed_app(ferretdb, directory, settings) as (client, _):
        for name in ["One", "Two", "Three", "Four", "One"]:
            await client.post("/graphql", json={"query": f"query {name} {{ __typename }}"})
        found = samples((await client.get("/metrics")).text)
    operations = {dict(labels)["operation"] for (name, labels) in found if name == "memberdir_graphql_requests_total"}
    assert operations == {"One", "Two", "other"}
    assert value(found, "memberdir_graphql_requests_total", operation="other", outcome="ok") == 2
    assert value(found, "memberdir_graphql_requests_total", operation="One", outcome="ok") == 2


async def test_a_refusal_before_graphql_is_counted_by_kind(ferretdb, directory):
    async with observed_app(ferretdb, directory, Settings(max_body_bytes=1024)) as (client, _):
        large = b"{" + b" " * 2000 + b"}"
        response = await client.post("/graphql", content=large, headers={"content-type": "application/json"})
        found = samples((await client.get("/metrics")).text)
    assert response.status_code == 413
    assert value(found, "memberdir_refusals_total", limit="body_size") == 1


async def test_production_serves_metrics_only_to_the_token(ferretdb, directory):
    token = "metrics-token-0123456789"
    async with observed_app(ferretdb, directory, Settings(environment="production")) as (client, _):
        assert (await client.get("/metrics")).status_code == 404
    settings = Settings(environment="production", metrics_token=token)
    async with observed_app(ferretdb, directory, settings) as (client, _):
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong-token"})).status_code == 401
        allowed = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200 and "memberdir_http_responses_total" in allowed.text


@pytest.mark.parametrize("answering", [True, False])
async def test_the_embedded_engine_state(ferretdb, tmp_path, answering):
    from httpx import ASGITransport, AsyncClient

    settings = Settings(data_dir=tmp_path)
    port_file = settings_engine(settings).port_file
    port_file.parent.mkdir(parents=True)
    port = ferretdb.port if answering else 9  # nothing listens on the discard port
    port_file.write_text(str(port))
    app = create_app(settings)  # the lifespan is not run: nothing is started
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        found = samples((await client.get("/metrics")).text)
    assert value(found, "memberdir_embedded_engine_up") == (1.0 if answering else 0.0)


async def test_each_query_limit_is_counted_as_its_own_kind(ferretdb, directory):
    settings = Settings(max_depth=3, max_aliases=1, max_tokens=60, max_cost=10, max_batch_operations=2)
    refused = {
        "depth": {"query": '{ organisation(id: "org_lagos") { contacts(first: 1) { person { affiliation { name } } } } }'},
        "aliases": {"query": "{ a: __typename b: __typename }"},
        "tokens": {"query": "{ " + "__typename " * 60 + "}"},
        "cost": {"query": "{ organisations(first: 11) { totalCount } }"},
    }
    async with observed_app(ferretdb, directory, settings) as (client, _):
        for body in refused.values():
            await client.post("/graphql", json=body)
        batch = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 3)
        found = samples((await client.get("/metrics")).text)
    assert batch.status_code == 400
    for kind in [*refused, "batch"]:
        assert value(found, "memberdir_refusals_total", limit=kind) == 1, kind
    assert value(found, "memberdir_graphql_requests_total", operation="(anonymous)", outcome="refused") == 5


async def test_which_executor_answered_is_counted(ferretdb, directory):
    """The planned executor's outcomes, counted for the process: read before and after."""
    name = "memberdir_graphql_executions_total"
    sent = {  # (executor, reason): (query, times sent)
        ("planned", "covered"): ("{ organisations(first: 2) { nodes { name } } }", 2),
        ("graphql_core", "not_covered"): ("{ __schema { queryType { name } } }", 1),
        # A planned run that meets an error leaves the answer to graphql-core.
        ("graphql_core", "planned_run_failed"): ('{ organisations(after: "nonsense") { nodes { name } } }', 3),
    }
    async with observed_app(ferretdb, directory, Settings(response_cache_bytes=0)) as (client, _):  # each one runs
        before = samples((await client.get("/metrics")).text)
        for query, times in sent.values():
            for _ in range(times):
                assert (await client.post("/graphql", json={"query": query})).status_code == 200
        after = samples((await client.get("/metrics")).text)
    for (executor, reason), (_, times) in sent.items():
        labels = {"executor": executor, "reason": reason}
        assert value(after, name, **labels) - value(before, name, **labels) == times, labels
