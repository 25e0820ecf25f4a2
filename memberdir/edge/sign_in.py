"""The sign-in routes of the pages (docs/pages.md):

- GET /auth/login?next=/me: 302 to the issuer (memberdir.sign_in); the sign-in
  under way (state, nonce, PKCE verifier, next) is kept in the database for
  ten minutes and taken once. `next` must be a local path (no open redirect).
- GET /auth/callback: the issuer's answer; the code redeemed, the ID token
  checked, the person found as the bearer-token path finds them
  (memberdir.auth), a session started (memberdir.sessions): 302 to `next`.
- POST /auth/logout: ends the session and clears the cookie; 303 to / for a
  form, 204 for fetch.
- GET /auth/session: {"signedIn", "signInAvailable"}.
- POST /auth/key (development only, else 404): {"key": "<API key>"} -> a
  session for that key, for people without an issuer.

The POSTs pass the origin check, which a request carrying the session cookie
cannot skip by leaving Origin out (memberdir.edge.origin).
"""

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, request_response

from datastore import people, sessions as stored
from datastore.sessions import PendingSignIn
from memberdir import api_keys, database_gate
from memberdir.api_keys import KeyRejected
from memberdir.auth import Authenticator, signed_in_as
from memberdir.edge.errors import refusal
from memberdir.edge.origin import SameOriginOrAllowed
from memberdir.sessions import SessionEnded, Sessions, clear_cookie, cookie_name, cookie_of, set_cookie
from memberdir.settings import Settings
from memberdir.sign_in import IssuerUnavailable, RelyingParty, SignInFailed

SIGN_IN_MINUTES = 10  # how long a sign-in under way may take at the issuer
NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)


def local_path(given: str | None) -> str | None:
    """`given` if it is a path on this site ("/me", "/manage/groups/x?tab=roster"), else None.
    "//evil.example", "/\\evil.example", "https://..." and anything with control characters are not."""
    if not given:
        return "/"
    if not given.startswith("/") or given.startswith(("//", "/\\")) or "\\" in given:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in given):
        return None
    parts = urlsplit(given)
    return given if not parts.scheme and not parts.netloc else None


class SignInRoutes:
    def __init__(self, settings: Settings, database, authenticator: Authenticator):
        self.settings, self.database, self.authenticator = settings, database, authenticator
        self.sessions = Sessions(settings)
        self.party = RelyingParty(settings) if settings.sign_in_enabled else None

    async def login(self, request: Request) -> Response:
        if self.party is None:
            return refusal(404, "NOT_FOUND", "Sign-in is not configured on this server (docs/pages.md)")
        next_path = local_path(request.query_params.get("next"))
        if next_path is None:
            return refusal(400, "BAD_REQUEST", "`next` must be a path on this site, such as /me")
        try:
            begun = await self.party.begin()
        except IssuerUnavailable as error:
            log.warning("sign-in could not begin: %s", error)
            return refusal(503, "UNAVAILABLE", "The sign-in service cannot be reached right now; try again shortly")
        now, db = datetime.now(UTC), self.database.get()
        await stored.forget_expired(db, now)  # sign-ins never finished do not pile up
        await stored.begin_sign_in(db, PendingSignIn(
            state=begun["state"], nonce=begun["nonce"], code_verifier=begun["code_verifier"], next=next_path,
            expires_at=now + timedelta(minutes=SIGN_IN_MINUTES)))
        return RedirectResponse(begun["url"], status_code=302, headers=NO_STORE)

    async def callback(self, request: Request) -> Response:
        if self.party is None:
            return refusal(404, "NOT_FOUND", "Sign-in is not configured on this server (docs/pages.md)")
        query, db = request.query_params, self.database.get()
        pending = await stored.take_sign_in(db, query.get("state") or "", datetime.now(UTC))
        if pending is None:
            return refusal(400, "SIGN_IN_FAILED", "This sign-in is unknown, already used or expired: sign in again")
        if query.get("error"):
            return refusal(403, "SIGN_IN_FAILED", f"The issuer did not sign you in ({query['error'][:60]})")
        if "iss" in query and query["iss"] != self.settings.oidc_issuer:  # RFC 9207: no mix-up of issuers
            return refusal(400, "SIGN_IN_FAILED", "The answer came from another issuer: sign in again")
        if not query.get("code"):
            return refusal(400, "SIGN_IN_FAILED", "The issuer's answer has no code: sign in again")
        try:
            claims = await self.party.finish(query["code"], pending.nonce, pending.code_verifier)
        except SignInFailed as failed:
            return refusal(403, "SIGN_IN_FAILED", f"Signing in failed: {failed}. Sign in again")
        except IssuerUnavailable as error:
            log.warning("sign-in could not finish: %s", error)
            return refusal(503, "UNAVAILABLE", "The sign-in service cannot be reached right now; try again shortly")
        # Who they are, exactly as for a bearer token (memberdir.auth).
        person_id = await self.authenticator._person_of(db, claims)
        if person_id and await people.is_erased(db, person_id):
            return refusal(403, "SIGN_IN_FAILED", "This person's record was erased")
        if (previous := cookie_of(self.settings, request.headers)) is not None:
            await self.sessions.end(db, previous)  # a new sign-in is a new session, never the old one kept
        subject = hashlib.sha256(f"{self.settings.oidc_issuer} {claims['sub']}".encode()).hexdigest()[:24]
        value = await self.sessions.start(db, role=self.authenticator._role_of(claims), person_id=person_id,
                                          credential=f"oidc-session:{subject}", label=signed_in_as(claims))
        response = RedirectResponse(pending.next, status_code=302, headers=NO_STORE)
        set_cookie(self.settings, response, value)
        return response

    async def logout(self, request: Request) -> Response:
        value = cookie_of(self.settings, request.headers)
        if value is not None:
            await self.sessions.end(self.database.get(), value)
        page = "text/html" in request.headers.get("accept", "")
        response = RedirectResponse("/", status_code=303, headers=NO_STORE) if page else Response(
            status_code=204, headers=NO_STORE)
        clear_cookie(self.settings, response)
        return response

    async def session(self, request: Request) -> Response:
        value, signed_in = cookie_of(self.settings, request.headers), False
        if value is not None:
            try:
                await self.sessions.viewer(self.database.get(), value)
                signed_in = True
            except SessionEnded:
                pass
        response = JSONResponse({"signedIn": signed_in, "signInAvailable": self.party is not None}, headers=NO_STORE)
        if value is not None and not signed_in:
            clear_cookie(self.settings, response)
        return response

    async def key(self, request: Request) -> Response:
        if self.settings.production:
            return refusal(404, "NOT_FOUND", f"Nothing at {request.url.path!r}")
        try:
            given = json.loads(await request.body())
            presented = given["key"] if isinstance(given, dict) else None
        except (ValueError, KeyError):
            presented = None
        if not isinstance(presented, str) or not presented.strip():
            return refusal(400, "BAD_REQUEST", 'Send JSON {"key": "<API key>"}')
        db = self.database.get()
        try:
            key = await api_keys.verify(db, presented.strip())
        except KeyRejected as rejected:
            return refusal(401, "UNAUTHENTICATED", str(rejected))
        if (previous := cookie_of(self.settings, request.headers)) is not None:
            await self.sessions.end(db, previous)
        value = await self.sessions.start(db, role=key.role, person_id=key.person_id,
                                          credential=f"api-key:{key.id}", key_id=key.id)
        response = JSONResponse({"signedIn": True}, headers=NO_STORE)
        set_cookie(self.settings, response, value)
        return response

    def routes(self, gate) -> list[BaseRoute]:
        """`gate(app)`: the database gate each route passes (503 while the database is away)."""
        checked = lambda endpoint: gate(SameOriginOrAllowed(  # noqa: E731
            _asgi(endpoint), self.settings.allowed_origins, cookie=cookie_name(self.settings)))
        return [
            Route("/auth/login", gate(_asgi(self.login)), methods=["GET"]),
            Route("/auth/callback", gate(_asgi(self.callback)), methods=["GET"]),
            Route("/auth/session", gate(_asgi(self.session)), methods=["GET"]),
            Route("/auth/logout", checked(self.logout), methods=["POST"]),
            Route("/auth/key", checked(self.key), methods=["POST"]),
        ]


def _asgi(endpoint):
    """An endpoint as an ASGI app, answering 503 when the database fails underneath it."""
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except PyMongoError:
            return refusal(503, database_gate.CODE, database_gate.MESSAGE, {"Retry-After": "1"})

    return request_response(guarded)

