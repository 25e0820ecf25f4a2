"""The pages' sign-in (memberdir/edge/sign_in.py) against a real OpenID Connect
provider on loopback (tests/oidc_provider.py), driven with httpx as a browser
would: to the provider, its login form, back to /auth/callback, then /graphql
with the session cookie.

Expiry is tested by moving a session's stored times back past the limits
rather than by waiting them out with tiny settings: the same check, no sleep.
"""

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import uvicorn
from httpx import ASGITransport, AsyncClient

from datastore import sessions as stored
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings
from datastore.records.vocabulary import Role
from tests.conftest import directory_copy

pytestmark = pytest.mark.database

VIEWER = "{ viewer { role person { id } } }"
COOKIE = "memberdir_session"


@dataclass
class Site:
    base: str
    db: object
    provider: object

    def client(self) -> AsyncClient:
        return AsyncClient(timeout=20)

    async def graphql(self, client: AsyncClient, query: str = VIEWER, **headers: str) -> httpx.Response:
        return await client.post(f"{self.base}/graphql", json={"query": query},
                                 headers={"Origin": self.base, **headers})


@pytest.fixture(scope="module")
async def site(engine, oidc_provider) -> AsyncIterator[Site]:
    async with directory_copy(engine, "test_sign_in") as db:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = create_app(Settings(**oidc_provider.app_settings(base)), database=db)
        server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            assert not task.done()
            await asyncio.sleep(0.02)
        try:
            yield Site(base, db, oidc_provider)
        finally:
            server.should_exit = True
            await task
            sock.close()


async def to_provider_form(client: AsyncClient, site: Site, next_path: str = "/me") -> tuple[httpx.Response, str]:
    """/auth/login, followed to the provider's login page; returns it and the authorisation URL."""
    started = await client.get(f"{site.base}/auth/login", params={"next": next_path})
    assert started.status_code == 302, started.text
    authorise = started.headers["location"]
    form = await client.get(authorise, follow_redirects=True)
    assert form.status_code == 200 and 'name="login"' in form.text and 'name="password"' in form.text
    return form, authorise


async def at_callback(client: AsyncClient, site: Site, user, next_path: str = "/me") -> str:
    """Signs `user` in at the provider; returns the URL it sends the browser back to (not yet followed)."""
    form, _ = await to_provider_form(client, site, next_path)
    action = re.search(r'action="([^"]+)"', form.text).group(1)
    answer = await client.post(httpx.URL(str(form.url)).join(action),
                               data={"login": user.email, "password": user.password})
    while not answer.headers["location"].startswith(f"{site.base}/auth/callback"):
        assert answer.status_code in (302, 303), answer.text
        answer = await client.get(httpx.URL(str(answer.url)).join(answer.headers["location"]))
    return answer.headers["location"]


async def signed_in(client: AsyncClient, site: Site, user, next_path: str = "/me") -> httpx.Response:
    back = await client.get(await at_callback(client, site, user, next_path))
    assert back.status_code == 302, back.text
    return back


async def test_signing_in_through_the_provider_gives_a_session_cookie_for_the_person(site):
    tom = site.provider.add_user("tom@helix.example", role="MEMBER")
    async with site.client() as client:
        anonymous = (await site.graphql(client)).json()["data"]["viewer"]
        assert anonymous == {"role": "anonymous", "person": None}
        _, authorise = await to_provider_form(client, site)
        asked = httpx.URL(authorise).params
        assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] and asked["state"]
        assert asked["nonce"] and asked["response_type"] == "code" and "code_verifier" not in asked
        back = await signed_in(client, site, tom, "/manage/groups/x?tab=roster")
        assert back.headers["location"] == "/manage/groups/x?tab=roster"
        cookie = back.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Path=/" in cookie and "Secure" not in cookie  # development: plain http
        value = client.cookies[COOKIE]
        assert await site.db.sessions.find_one({"_id": value}) is None  # only its digest is stored
        assert await site.db.sessions.find_one({"_id": stored.digest(value)}) is not None
        viewer = (await site.graphql(client)).json()["data"]["viewer"]
        assert viewer == {"role": "member", "person": {"id": "per_tom"}}
        assert (await client.get(f"{site.base}/auth/session")).json() == {"signedIn": True, "signInAvailable": True}
        # The header wins over the cookie: one credential per request.
        bad = await site.graphql(client, Authorization="Bearer mdk_0000000000000000_" + "x" * 43)
        assert bad.status_code == 401


async def test_a_tampered_state_a_replayed_callback_and_a_wrong_verifier_are_refused(site):
    ana = site.provider.add_user(role="STAFF")
    async with site.client() as client:
        back = await at_callback(client, site, ana)
        state = httpx.URL(back).params["state"]
        tampered = await client.get(back.replace(f"state={state}", f"state={state}x"))
        assert tampered.status_code == 400 and COOKIE not in client.cookies
        assert (await client.get(back)).status_code == 302  # the real one, once
        assert (await site.graphql(client)).json()["data"]["viewer"] == {"role": "staff", "person": None}
        replayed = await client.get(back)
        assert replayed.status_code == 400 and "already used" in replayed.json()["errors"][0]["message"]
    async with site.client() as client:
        back = await at_callback(client, site, ana)
        state = httpx.URL(back).params["state"]
        # Someone else's verifier: the provider checks it against the S256 challenge and refuses the code.
        await site.db.sign_ins.update_one({"_id": stored.digest(state)}, {"$set": {"code_verifier": "x" * 50}})
        refused = await client.get(back)
        assert refused.status_code == 403 and COOKIE not in client.cookies
        assert "refused" in refused.json()["errors"][0]["message"]


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "me",
                                       "javascript:alert(1)", "/\r\nLocation: x"])
async def test_next_must_be_a_local_path(site, next_path):
    async with site.client() as client:
        refused = await client.get(f"{site.base}/auth/login", params={"next": next_path})
    assert refused.status_code == 400 and "location" not in refused.headers


async def test_signing_out_ends_the_session_everywhere(site):
    user = site.provider.add_user(role="MEMBER")
    async with site.client() as client:
        await signed_in(client, site, user)
        value = client.cookies[COOKIE]
        assert (await client.post(f"{site.base}/auth/logout")).status_code == 403  # no Origin: refused
        out = await client.post(f"{site.base}/auth/logout", headers={"Origin": site.base})
        assert out.status_code == 204 and COOKIE not in client.cookies
        assert await site.db.sessions.find_one({"_id": stored.digest(value)}) is None
    async with site.client() as replay:  # the old cookie, kept by someone: 401, and the answer clears it
        replay.cookies.set(COOKIE, value)
        refused = await site.graphql(replay)
        assert refused.status_code == 401 and "ended" in refused.json()["errors"][0]["message"]
        assert refused.headers["set-cookie"].startswith(f'{COOKIE}=""')
        assert (await replay.get(f"{site.base}/auth/session")).json()["signedIn"] is False
    async with site.client() as client:  # a form posts it: 303 to /
        await signed_in(client, site, user)
        out = await client.post(f"{site.base}/auth/logout", headers={"Origin": site.base, "Accept": "text/html"})
        assert out.status_code == 303 and out.headers["location"] == "/"


@pytest.mark.parametrize("limit", ["idle", "absolute"])
async def test_a_session_past_its_limits_is_refused(site, limit):
    user = site.provider.add_user(role="MEMBER")
    async with site.client() as client:
        await signed_in(client, site, user)
        digest = stored.digest(client.cookies[COOKIE])
        found = await site.db.sessions.find_one({"_id": digest})
        settings = Settings()
        if limit == "idle":
            moved = {"seen_at": found["seen_at"] - timedelta(minutes=settings.session_idle_minutes, seconds=1)}
        else:
            moved = {"expires_at": found["created_at"] - timedelta(seconds=1)}
        assert (await site.graphql(client)).json()["data"]["viewer"]["role"] == "member"
        await site.db.sessions.update_one({"_id": digest}, {"$set": moved})
        refused = await site.graphql(client)
        assert refused.status_code == 401 and "expired" in refused.json()["errors"][0]["message"]


async def test_erasing_the_person_ends_their_session_at_once(site):
    jean = site.provider.add_user("jf.cote@umontreal.example", role="MEMBER")
    staff_key = (await api_keys.issue(site.db, "erasure test", Role.STAFF)).secret_key
    async with site.client() as client, site.client() as staff:
        await signed_in(client, site, jean)
        assert (await site.graphql(client)).json()["data"]["viewer"]["person"] is not None
        person_id = (await site.graphql(client)).json()["data"]["viewer"]["person"]["id"]
        version = (await site.graphql(staff, f'{{ person(id: "{person_id}") {{ version }} }}',
                                      **{"X-API-Key": staff_key})).json()["data"]["person"]["version"]
        erase = ('mutation($i: ErasePersonInput!) { erasePerson(input: $i) { userErrors { message } } }')
        erased = await staff.post(f"{site.base}/graphql", headers={"X-API-Key": staff_key}, json={
            "query": erase, "variables": {"i": {"personId": person_id, "reason": "asked", "expectedVersion": version}}})
        assert erased.json()["data"]["erasePerson"]["userErrors"] == []
        assert await site.db.sessions.count_documents({"person_id": person_id}) == 0
        assert (await site.graphql(client)).status_code == 401


async def test_a_key_session_ends_when_the_key_is_revoked(site):
    issued = await api_keys.issue(site.db, "a developer's key", Role.MEMBER, "per_priya")
    async with site.client() as client:
        wrong = await client.post(f"{site.base}/auth/key", json={"key": "mdk_nope"}, headers={"Origin": site.base})
        assert wrong.status_code == 401 and COOKIE not in client.cookies
        opened = await client.post(f"{site.base}/auth/key", json={"key": issued.secret_key},
                                   headers={"Origin": site.base})
        assert opened.status_code == 200 and COOKIE in client.cookies
        assert (await site.graphql(client)).json()["data"]["viewer"]["person"] == {"id": "per_priya"}
        exported = await client.get(f"{site.base}/export/people.ndjson")  # the exports take the cookie too
        assert exported.status_code == 200 and '"per_priya"' in exported.text
        first = stored.digest(client.cookies[COOKIE])
        await client.post(f"{site.base}/auth/key", json={"key": issued.secret_key}, headers={"Origin": site.base})
        assert await site.db.sessions.find_one({"_id": first}) is None  # signing in again ends the old session
        await api_keys.revoke(site.db, issued.record.id)
        assert await site.db.sessions.count_documents({"key_id": issued.record.id}) == 0
        assert (await site.graphql(client)).status_code == 401


async def test_a_post_signed_in_by_cookie_must_come_from_this_site(site):
    issued = await api_keys.issue(site.db, "origin test", Role.MEMBER, "per_tom")
    async with site.client() as client:
        await client.post(f"{site.base}/auth/key", json={"key": issued.secret_key}, headers={"Origin": site.base})
        body = {"query": VIEWER}
        no_origin = await client.post(f"{site.base}/graphql", json=body)
        other = await client.post(f"{site.base}/graphql", json=body, headers={"Origin": "https://evil.example"})
        own = await client.post(f"{site.base}/graphql", json=body, headers={"Origin": site.base})
        assert (no_origin.status_code, other.status_code, own.status_code) == (403, 403, 200)
        assert no_origin.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_ORIGIN"
        # A script's own key needs no Origin, cookie or not.
        keyed = await client.post(f"{site.base}/graphql", json=body, headers={"X-API-Key": issued.secret_key})
        assert keyed.status_code == 200


async def test_in_production_the_cookie_is_secure_and_host_only_and_keys_open_no_session(site, oidc_provider):
    base = "https://directory.test"  # answered in process: never looked up
    settings = Settings(environment="production", **oidc_provider.app_settings(base))
    app = create_app(settings, database=site.db)
    user = oidc_provider.add_user(role="MEMBER")
    async with AsyncClient(transport=ASGITransport(app=app), base_url=base) as directory, site.client() as browser:
        started = await directory.get("/auth/login", params={"next": "/me"})
        form = await browser.get(started.headers["location"], follow_redirects=True)
        action = re.search(r'action="([^"]+)"', form.text).group(1)
        answer = await browser.post(httpx.URL(str(form.url)).join(action),
                                    data={"login": user.email, "password": user.password})
        while not answer.headers["location"].startswith(f"{base}/auth/callback"):
            answer = await browser.get(httpx.URL(str(answer.url)).join(answer.headers["location"]))
        back = await directory.get(answer.headers["location"])
        assert back.status_code == 302
        cookie = back.headers["set-cookie"]
        assert cookie.startswith("__Host-memberdir_session=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "Path=/" in cookie and "Domain" not in cookie
        assert (await directory.post("/auth/key", json={"key": "x"}, headers={"Origin": base})).status_code == 404


async def test_without_an_issuer_the_pages_offer_the_development_key_instead(directory):
    app = create_app(Settings(), database=directory)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/auth/session")).json() == {"signedIn": False, "signInAvailable": False}
        assert (await client.get("/auth/login", params={"next": "/me"})).status_code == 404


SIGN_IN = {"oidc_issuer": "https://login.example.org", "oidc_client_id": "directory",
           "oidc_client_secret": "s3cret", "oidc_redirect_url": "https://directory.example.org/auth/callback"}


@pytest.mark.parametrize(("given", "complaint"), [
    ({"oidc_client_secret": "s3cret"}, "MEMBERDIR_OIDC_REDIRECT_URL: needed with"),
    ({"oidc_client_id": "directory"}, "MEMBERDIR_OIDC_REDIRECT_URL: needed with"),
    ({**SIGN_IN, "oidc_client_secret": None}, "sign-in also needs MEMBERDIR_OIDC_CLIENT_SECRET"),
    ({**SIGN_IN, "oidc_redirect_url": "https://directory.example.org/callback"}, "must end in /auth/callback"),
    ({**SIGN_IN, "oidc_redirect_url": "http://directory.example.org/auth/callback", "environment": "production"},
     "must be https:// in production"),
    ({"session_idle_minutes": 600, "session_absolute_hours": 2}, "at least MEMBERDIR_SESSION_IDLE_MINUTES"),
])
def test_sign_in_settings_come_whole_or_not_at_all(given, complaint):
    from pydantic import ValidationError

    from memberdir.settings_errors import describe

    with pytest.raises(ValidationError) as refused:
        Settings(**given)
    assert complaint in describe(refused.value) and "s3cret" not in describe(refused.value)
    assert Settings(**SIGN_IN).sign_in_enabled and not Settings().sign_in_enabled


async def test_a_tiny_idle_limit_in_the_settings_ends_a_session(directory):
    """The limits are settings: with 60 ms of idleness allowed, a session unused for longer is over."""
    app = create_app(Settings(session_idle_minutes=0.001, session_absolute_hours=1), database=directory)
    issued = await api_keys.issue(directory, "idle test", Role.MEMBER)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        opened = await client.post("/auth/key", json={"key": issued.secret_key}, headers={"Origin": "http://test"})
        assert opened.status_code == 200
        await asyncio.sleep(0.2)
        refused = await client.post("/graphql", json={"query": VIEWER}, headers={"Origin": "http://test"})
    assert refused.status_code == 401 and "expired" in refused.json()["errors"][0]["message"]
