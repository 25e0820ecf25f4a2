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


@pytest.mark.parametrize("path", ["/", "/me", "/apply", "/staff", "/staff/reviews/org_helix",
                                  "/manage/organisations/helix", "/manage/groups/data-work-stream"])
async def test_every_page_path_is_the_one_built_entry_with_the_page_headers(directory, tmp_path: Path, path: str):
    (tmp_path / "pages.html").write_text("<!doctype html><title>pages</title>")
    async with client_for(Settings(frontend_dir=tmp_path), directory) as client:
        response = await client.get(path)
        for elsewhere in ("/me/more", "/manage/organisations", "/manage/groups/x/y", "/nothing-here"):
            assert (await client.get(elsewhere)).status_code == 404, elsewhere
    assert response.status_code == 200 and response.text == "<!doctype html><title>pages</title>"
    assert response.headers["cache-control"] == "no-cache"
    assert_page_headers(response)
    assert policy(response)["connect-src"] == ["'self'"]  # the pages sign in through the server, never the issuer


async def test_the_dashboard_signs_in_no_more_in_the_browser(http):
    assert (await http.get("/dashboard/config.json")).status_code == 404
    assert (await http.get("/dashboard/signed-in")).status_code == 404
    assert policy(await http.get("/dashboard"))["connect-src"] == ["'self'"]


async def test_the_dashboard_is_served_in_production(directory):
    async with client_for(Settings(environment="production"), directory) as client:
        assert (await client.get("/dashboard")).status_code == 200


@pytest.mark.parametrize("path", ["/dashboard", "/graphql", "/", "/me", "/manage/groups/x"])
async def test_pages_not_built_say_how_to_build_them(directory, tmp_path: Path, path: str):
    async with client_for(Settings(frontend_dir=tmp_path), directory) as client:
        response = await client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 503
    assert response.text == NOT_BUILT
