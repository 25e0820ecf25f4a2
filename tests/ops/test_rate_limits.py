"""A budget of cost points per client per minute; cost and budget reported to the client."""

import ipaddress
from datetime import UTC, datetime

from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.edge.rate_limits import RateLimiter, client_address
from memberdir.settings import Settings
from resolvers.viewer import Viewer
from tests.ops_helpers import observed_app

TWENTY = "query Twenty { organisations(first: 20) { nodes { id } } }"


def graphql(query: str) -> dict:
    return {"query": query}


async def test_over_the_budget_is_429_with_retry_after_and_a_json_error(ferretdb, directory):
    async with observed_app(ferretdb, directory, Settings(rate_limit_points_per_minute=30)) as (client, _):
        first = await client.post("/graphql", json=graphql(TWENTY))
        second = await client.post("/graphql", json=graphql(TWENTY))  # 20 more than the 10 left
        cheap = await client.post("/graphql", json=graphql("{ __typename }"))  # 1 point fits
        for _ in range(9):
            await client.post("/graphql", json=graphql("{ __typename }"))
        exhausted = await client.post("/graphql", json=graphql("{ __typename }"))
    assert first.status_code == 200 and first.headers["ratelimit-remaining"] == "10"
    assert second.status_code == 429 and second.json()["data"] is None
    assert second.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "costs 20 points and 10 of the 30" in second.json()["errors"][0]["message"]
    assert 1 <= int(second.headers["retry-after"]) <= 60
    assert cheap.status_code == 200 and cheap.headers["ratelimit-remaining"] == "9"
    assert exhausted.status_code == 429 and exhausted.headers["ratelimit-remaining"] == "0"
    assert exhausted.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(exhausted.headers["retry-after"]) <= 60


async def test_every_graphql_answer_has_the_ratelimit_headers(ferretdb, directory):
    async with observed_app(ferretdb, directory, Settings(rate_limit_points_per_minute=500)) as (client, _):
        answers = [
            await client.post("/graphql", json=graphql(TWENTY)),
            await client.post("/graphql", json=graphql("{ nothingHere }")),
            await client.get("/graphql", params={"query": "{ __typename }"}),
        ]
    for answer in answers:
        assert answer.headers["ratelimit-limit"] == "500"
        assert 0 <= int(answer.headers["ratelimit-remaining"]) < 500
        assert 1 <= int(answer.headers["ratelimit-reset"]) <= 60
        assert "retry-after" not in answer.headers


async def test_cost_in_extensions_and_the_rate_limit_field(ferretdb, directory):
    query = "query Both { organisations(first: 20) { nodes { id } } rateLimit { limit cost remaining resetAt } }"
    settings = Settings(rate_limit_points_per_minute=1000, max_cost=900)
    async with observed_app(ferretdb, directory, settings) as (client, _):
        first = (await client.post("/graphql", json=graphql(query))).json()
        second = (await client.post("/graphql", json=graphql(query))).json()
    cost = 20  # one page of `first: 20` (memberdir.execution.cost)
    assert first["extensions"]["cost"]["requestedQueryCost"] == cost
    assert first["extensions"]["cost"]["maximumQueryCost"] == 900
    throttle = first["extensions"]["cost"]["throttleStatus"]
    assert (throttle["maximumAvailable"], throttle["currentlyAvailable"]) == (1000, 980)
    limit = second["data"]["rateLimit"]
    assert (limit["limit"], limit["cost"], limit["remaining"]) == (1000, 20, 960)
    assert datetime.fromisoformat(limit["resetAt"]) > datetime.now(UTC)


async def test_each_key_has_its_own_budget_apart_from_anonymous_callers(ferretdb, directory):
    issued = await api_keys.issue(directory, "rate test", Role.MEMBER)
    async with observed_app(ferretdb, directory, Settings(rate_limit_points_per_minute=25)) as (client, _):
        await client.post("/graphql", json=graphql(TWENTY))
        anonymous = await client.post("/graphql", json=graphql(TWENTY))
        keyed = await client.post("/graphql", json=graphql(TWENTY), headers={"X-API-Key": issued.secret_key})
    assert anonymous.status_code == 429
    assert keyed.status_code == 200 and keyed.headers["ratelimit-remaining"] == "5"


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(ferretdb, directory):
    def behind(address: str) -> dict:
        return {"X-Forwarded-For": f"203.0.113.9, {address}"}  # the first hop is the client's own claim

    untrusted = Settings(rate_limit_points_per_minute=25)
    async with observed_app(ferretdb, directory, untrusted) as (client, _):
        await client.post("/graphql", json=graphql(TWENTY), headers=behind("198.51.100.1"))
        same_peer = await client.post("/graphql", json=graphql(TWENTY), headers=behind("198.51.100.2"))
    trusted = Settings(rate_limit_points_per_minute=25, trusted_proxies=["127.0.0.0/8"])
    async with observed_app(ferretdb, directory, trusted) as (client, _):
        await client.post("/graphql", json=graphql(TWENTY), headers=behind("198.51.100.1"))
        other_client = await client.post("/graphql", json=graphql(TWENTY), headers=behind("198.51.100.2"))
        same_client = await client.post("/graphql", json=graphql(TWENTY), headers=behind("198.51.100.1"))
    assert same_peer.status_code == 429  # X-Forwarded-For ignored: one peer, one budget
    assert other_client.status_code == 200 and same_client.status_code == 429


def test_client_address_takes_the_rightmost_untrusted_hop():
    proxies = [ipaddress.ip_network("10.0.0.0/8")]

    def scope(peer: str, forwarded: str | None) -> dict:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
        return {"type": "http", "client": (peer, 1234), "headers": headers}

    assert client_address(scope("192.0.2.7", "1.2.3.4"), proxies) == "192.0.2.7"  # not from a proxy
    assert client_address(scope("10.0.0.2", "6.6.6.6, 192.0.2.8, 10.0.0.3"), proxies) == "192.0.2.8"
    assert client_address(scope("10.0.0.2", None), proxies) == "10.0.0.2"
    assert client_address(scope("10.0.0.2", "not-an-address"), proxies) == "10.0.0.2"
    assert client_address(scope("10.0.0.2", "10.0.0.9"), proxies) == "10.0.0.2"


def test_the_client_is_the_credential_else_the_address():
    limiter = RateLimiter(10, [ipaddress.ip_network("10.0.0.0/8")])
    keyed = Viewer(role=Role.MEMBER, credential="api-key:k1")
    forwarded = [(b"x-forwarded-for", b"192.0.2.8")]
    assert limiter.client_of({"client": ("10.0.0.2", 1), "headers": forwarded, "state": {"viewer": keyed}}) == "api-key:k1"
    assert limiter.client_of({"client": ("10.0.0.2", 1), "headers": forwarded, "state": {}}) == "address:192.0.2.8"


def test_charge_takes_all_the_points_or_none():
    limiter = RateLimiter(10)
    first = limiter.charge("exports:key_1", 7)
    refused = limiter.charge("exports:key_1", 7)
    assert (first.allowed, first.remaining, first.charged) == (True, 3, 7)
    assert (refused.allowed, refused.remaining, refused.charged) == (False, 3, 0)
    assert refused.headers()["Retry-After"] == str(refused.retry_after)
    assert limiter.charge("exports:key_2", 10).allowed  # another client, another budget
    assert limiter.peek("exports:key_1").remaining == 3
