"""The browser pages over HTTP: what the server sends with them (the pages
themselves are tried in Chromium by tests/browser)."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from memberdir.app import create_app
from memberdir.edge.pages import NOT_BUILT
from memberdir.settings import Settings

ISSUER = "https://login.alliance.example/realms/members"
KEYWORDS = {"'self'", "'none'", "'unsafe-inline'", "data:"}


@asynccontextmanager
async def client_for(settings: Settings, directory) -> AsyncIterator[AsyncClient]:
    app = create_app(settings, database=directory)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response.headers["content-security-policy"].split(";")]
    return {name: sources for name, *sources in directives}


def assert_page_headers(response, *, may_connect_to: set[str] = frozenset()) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    for name, sources in csp.items():
        remote = set(sources) - KEYWORDS
        assert remote <= (may_connect_to if name == "connect-src" else set()), (name, remote)


async def test_graphiql_page_is_ours_with_security_headers(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "<title>Member Directory · GraphiQL</title>" in response.text
    assert "unpkg" not in response.text and "cdn" not in response.text.lower()
    assert_page_headers(response)


async def test_dashboard_page_and_its_assets(http):
    response = await http.get("/dashboard")
    assert response.status_code == 200
    assert_page_headers(response)
    assets = re.findall(r'(?:src|href)="(/static/assets/[^"]+)"', response.text)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        served = await http.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in served.headers["cache-control"]
    assert (await http.get("/static/assets/no-such-file.js")).status_code == 404


async def test_sign_in_is_offered_only_with_an_issuer_and_a_client_id(http, directory):
    assert (await http.get("/dashboard/config.json")).json() == {"oidc": None}
    settings = Settings(
        oidc_issuer=ISSUER, oidc_audience="memberdir", oidc_jwks_url=f"{ISSUER}/certs", oidc_client_id="dashboard",
    )
    async with client_for(settings, directory) as client:
        config = (await client.get("/dashboard/config.json")).json()
        page = await client.get("/dashboard")
    assert config == {"oidc": {"issuer": ISSUER, "clientId": "dashboard", "scopes": "openid email profile"}}
    # The dashboard may talk to the issuer (discovery, token), and to nothing else outside.
    assert_page_headers(page, may_connect_to={"https://login.alliance.example"})
    assert "https://login.alliance.example" in policy(page)["connect-src"]


async def test_the_dashboard_is_served_in_production(directory):
    async with client_for(Settings(environment="production"), directory) as client:
        assert (await client.get("/dashboard")).status_code == 200


@pytest.mark.parametrize("path", ["/dashboard", "/graphql"])
async def test_pages_not_built_say_how_to_build_them(directory, tmp_path: Path, path: str):
    async with client_for(Settings(frontend_dir=tmp_path), directory) as client:
        response = await client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 503
    assert response.text == NOT_BUILT
