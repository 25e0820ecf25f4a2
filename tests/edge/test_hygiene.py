"""HTTP hygiene: compression when accepted, answers no shared cache keeps, HEAD where GET is."""

import pytest

from tests.security_helpers import NORMAL_QUERY, assert_still_serves

BIG_QUERY = "{ countries { code name continent } }"  # every country: several KB


async def test_large_answers_are_compressed_when_the_client_accepts_gzip(http):
    big = await http.post("/graphql", json={"query": BIG_QUERY}, headers={"accept-encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert int(big.headers["content-length"]) < len(big.content) / 3  # httpx decoded it
    assert len(big.json()["data"]["countries"]) > 200
    assert "accept-encoding" in big.headers["vary"].lower()
    small = await http.post("/graphql", json={"query": NORMAL_QUERY}, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers
    plain = await http.post("/graphql", json={"query": BIG_QUERY}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "POST", "json": {"query": NORMAL_QUERY}},
        {"method": "GET", "params": {"query": NORMAL_QUERY}, "headers": {"x-api-key": "mdk_unknown"}},  # a 401
        {"method": "POST", "json": {"query": "{"}},  # a GraphQL error
        {"method": "POST", "json": {"query": NORMAL_QUERY}, "headers": {"x-api-key": "mdk_unknown"}},  # a 401
        {"method": "POST", "content": b"null", "headers": {"content-type": "application/json"}},  # a 400
    ],
)
async def test_graphql_answers_are_private_and_vary_on_credentials(http, request_args):
    args = dict(request_args)
    response = await http.request(args.pop("method"), "/graphql", **args)
    assert response.headers["cache-control"] == "private, no-store"
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"authorization", "x-api-key", "cookie"} <= vary


async def test_anonymous_get_answers_may_be_kept_by_shared_caches_and_revalidated(http):
    """Conditional requests (memberdir/edge/answer_reuse.py): an anonymous GET answer
    is public but revalidated every time, and varies on whatever would make it another's."""
    response = await http.get("/graphql", params={"query": NORMAL_QUERY})
    assert response.headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert response.headers["etag"]
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"accept", "authorization", "cookie", "x-api-key"} <= vary


async def test_head_is_answered_where_allow_lists_it(http):
    refused = await http.request("PUT", "/graphql")
    allowed = {m.strip() for m in refused.headers["allow"].split(",")}
    assert "HEAD" in allowed
    get = await http.get("/graphql", params={"query": NORMAL_QUERY})
    head = await http.head("/graphql", params={"query": NORMAL_QUERY})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["cache-control"] == get.headers["cache-control"]
    assert head.headers["etag"] == get.headers["etag"]
    for path in ("/healthz", "/readyz"):
        assert (await http.head(path)).status_code == 200
    await assert_still_serves(http)
