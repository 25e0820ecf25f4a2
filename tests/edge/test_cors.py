"""CORS for the origins in MEMBERDIR_ALLOWED_ORIGINS (off by default), and the CSRF
check that refuses a browser's POST from any other origin; one allow-list for both."""

import pytest

from memberdir.settings import Settings
from tests.security_helpers import NORMAL_QUERY, assert_still_serves, client_for, error_codes

DASHBOARD = "https://dash.example.org"
ELSEWHERE = "https://evil.example"


@pytest.fixture(scope="module")
async def with_dashboard(directory):
    async with client_for(directory, Settings(allowed_origins=[DASHBOARD + "/"])) as client:
        yield client


def preflight(origin: str, method: str = "POST", headers: str = "authorization, x-api-key, content-type") -> dict:
    return {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}


async def test_cors_is_off_by_default(http):
    answer = await http.options("/graphql", headers=preflight(DASHBOARD))
    assert answer.status_code == 405 and error_codes(answer) == ["METHOD_NOT_ALLOWED"]
    assert "access-control-allow-origin" not in answer.headers
    read = await http.get("/graphql", params={"query": NORMAL_QUERY}, headers={"origin": DASHBOARD})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


async def test_a_listed_origin_gets_its_preflight_answered(with_dashboard):
    answer = await with_dashboard.options("/graphql", headers=preflight(DASHBOARD))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == DASHBOARD
    assert {"GET", "POST"} <= {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key", "content-type"} <= allowed
    assert int(answer.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in answer.headers  # credentials are headers, not cookies


async def test_other_origins_and_other_headers_are_refused_in_json(with_dashboard):
    other = await with_dashboard.options("/graphql", headers=preflight(ELSEWHERE))
    assert other.status_code == 403 and error_codes(other) == ["CORS_REFUSED"]
    assert "access-control-allow-origin" not in other.headers
    odd_header = await with_dashboard.options("/graphql", headers=preflight(DASHBOARD, headers="x-something-else"))
    assert odd_header.status_code == 400 and error_codes(odd_header) == ["CORS_REFUSED"]
    odd_method = await with_dashboard.options("/graphql", headers=preflight(DASHBOARD, method="DELETE"))
    assert odd_method.status_code == 400


async def test_a_listed_origin_may_read_answers_and_their_headers(with_dashboard):
    response = await with_dashboard.post("/graphql", json={"query": NORMAL_QUERY}, headers={"origin": DASHBOARD})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == DASHBOARD
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"} <= exposed
    assert "origin" in response.headers["vary"].lower()
    elsewhere = await with_dashboard.get("/graphql", params={"query": NORMAL_QUERY}, headers={"origin": ELSEWHERE})
    assert "access-control-allow-origin" not in elsewhere.headers


@pytest.mark.parametrize("origin", [ELSEWHERE, "null", "http://test.evil.example", "https://dash.example.org:8443"])
async def test_a_post_from_another_origin_is_refused(with_dashboard, origin):
    response = await with_dashboard.post("/graphql", json={"query": NORMAL_QUERY}, headers={"origin": origin})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert error_codes(response) == ["FORBIDDEN_ORIGIN"]
    assert "MEMBERDIR_ALLOWED_ORIGINS" in response.json()["errors"][0]["message"]
    await assert_still_serves(with_dashboard)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # not a browser: no Origin
        {"origin": "http://test"},  # the server's own origin (the Host the client used)
        {"origin": "https://somewhere.example", "sec-fetch-site": "same-origin"},  # the browser says so
        {"origin": DASHBOARD},  # listed
        {"origin": "HTTPS://DASH.EXAMPLE.ORG:443"},  # the same origin, written differently
    ],
)
async def test_a_post_from_this_or_a_listed_origin_is_served(with_dashboard, headers):
    response = await with_dashboard.post("/graphql", json={"query": NORMAL_QUERY}, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}


async def test_without_a_list_only_the_servers_own_origin_may_post(http):
    refused = await http.post("/graphql", json={"query": NORMAL_QUERY}, headers={"origin": DASHBOARD})
    assert refused.status_code == 403
    own = await http.post("/graphql", json={"query": NORMAL_QUERY}, headers={"origin": "http://test"})
    assert own.status_code == 200


@pytest.mark.parametrize("value", [["*"], ["not an origin"], ["https://dash.example.org/path"]])
def test_the_allow_list_accepts_only_origins(value):
    with pytest.raises(ValueError):
        Settings(allowed_origins=value)
