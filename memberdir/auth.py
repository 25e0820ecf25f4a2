"""Who is calling: an API key, an OpenID Connect token, a session cookie, or nobody.

One credential per request. Authorization and X-API-Key together are refused;
a session cookie (memberdir.sessions) counts only when neither header is sent:
the header wins, so a page's own session never changes what a script or
GraphiQL sends with an explicit key, and a bad header is never rescued by a
cookie.

Credentials that do not check out get 401 with a short reason and a
WWW-Authenticate header; they are never quietly treated as anonymous, so a
client with a stale key finds out rather than getting less data.
"""

from collections.abc import Iterable
from typing import Any

from pymongo.errors import PyMongoError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from datastore import people
from datastore.client import Database
from datastore.records.vocabulary import Role
from memberdir import api_keys, database_gate
from memberdir.api_keys import KeyRejected
from memberdir.edge.errors import refusal
from memberdir.sessions import SessionEnded, Sessions, clear_cookie, cookie_of
from memberdir.oidc import JwksCache, KeysUnavailable, TokenRejected, TokenVerifier
from memberdir.settings import Settings
from resolvers.viewer import ANONYMOUS, Viewer


class Unauthenticated(Exception):
    """A credential was sent and did not check out; the message is the reason.
    `session_ended`: it was a session cookie, which the answer then clears."""

    def __init__(self, reason: str, session_ended: bool = False):
        super().__init__(reason)
        self.session_ended = session_ended


class Authenticator:
    def __init__(self, settings: Settings, database: Any):
        self.settings = settings
        self.database = database  # anything with get() -> Database, once the lifespan opened it
        self.tokens = (
            TokenVerifier(
                settings.oidc_issuer,
                settings.oidc_audience,
                JwksCache(settings.oidc_jwks_url),
                settings.oidc_algorithms,
                settings.oidc_leeway_seconds,
            )
            if settings.oidc_enabled
            else None
        )
        self.sessions = Sessions(settings)

    async def viewer_for(self, headers: Headers) -> Viewer:
        authorization, api_key = headers.get("authorization"), headers.get("x-api-key")
        if authorization is not None and api_key is not None:
            raise Unauthenticated("send one credential, not both Authorization and X-API-Key")
        if api_key is not None:
            return await self._key_viewer(api_key.strip())
        if authorization is None:
            return await self._session_viewer(headers)
        scheme, _, credential = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise Unauthenticated("use Authorization: Bearer <key or token>")
        credential = credential.strip()
        if api_keys.looks_like_key(credential):
            return await self._key_viewer(credential)
        return await self._token_viewer(credential)

    async def _key_viewer(self, presented: str) -> Viewer:
        try:
            key = await api_keys.verify(self.database.get(), presented)
        except KeyRejected as rejected:
            raise Unauthenticated(str(rejected))
        return Viewer(role=key.role, person_id=key.person_id, credential=f"api-key:{key.id}",
                      any_document=key.any_document)

    async def _session_viewer(self, headers: Headers) -> Viewer:
        value = cookie_of(self.settings, headers)
        if value is None:
            return ANONYMOUS
        try:
            return await self.sessions.viewer(self.database.get(), value)
        except SessionEnded as ended:
            raise Unauthenticated(str(ended), session_ended=True)

    async def _token_viewer(self, token: str) -> Viewer:
        if self.tokens is None:
            raise Unauthenticated("bearer tokens are not accepted: no OpenID Connect issuer is configured")
        try:
            claims = await self.tokens.claims(token)
        except TokenRejected as rejected:
            raise Unauthenticated(str(rejected))
        person_id = await self._person_of(self.database.get(), claims)
        if person_id and await people.is_erased(self.database.get(), person_id):
            raise Unauthenticated("this person's record was erased")
        return Viewer(role=self._role_of(claims), person_id=person_id, credential=f"oidc:{claims['sub']}",
                      label=signed_in_as(claims))

    def _role_of(self, claims: dict[str, Any]) -> Role:
        """The highest known role the claim names (a string or a list); else the default.
        Names are matched whatever their case ("STAFF" is staff): issuers spell roles as they like."""
        given = claims.get(self.settings.oidc_role_claim)
        values: Iterable[Any] = given if isinstance(given, list) else [given]
        spelt = [v.strip().lower() for v in values if isinstance(v, str)]
        named = [Role(v) for v in spelt if v in Role._value2member_map_]
        signed_in = [r for r in named if r is not Role.ANONYMOUS]
        return max(signed_in, key=lambda r: r.rank, default=self.settings.oidc_default_role)

    async def _person_of(self, db: Database, claims: dict[str, Any]) -> str | None:
        value = claims.get(self.settings.oidc_person_claim)
        # A claim is JSON: only a plain string may reach a query, never an object like {"$ne": ""}.
        if not isinstance(value, str) or not value or len(value) > 320:
            return None
        if self.settings.oidc_person_match == "id":
            return value
        if claims.get("email_verified") is not True:  # an unverified address proves nothing
            return None
        person = await people.by_email(db, value)
        return person.id if person else None


def signed_in_as(claims: dict[str, Any]) -> str | None:
    """Who the issuer says signed in, to show them (Viewer.signedInAs): the e-mail, else the subject."""
    for name in ("email", "sub"):
        if isinstance(value := claims.get(name), str) and value and len(value) <= 320:
            return value
    return None


class Authentication:
    """ASGI middleware: puts the request's Viewer in scope["state"]["viewer"], or answers 401."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator):
        self.app, self.authenticator = app, authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                viewer = await self.authenticator.viewer_for(Headers(scope=scope))
            except Unauthenticated as failed:
                reason = str(failed)
                challenge = f'Bearer error="invalid_token", error_description="{reason}"'
                response = refusal(401, "UNAUTHENTICATED", reason, {"WWW-Authenticate": challenge})
                if failed.session_ended:  # the browser forgets it: its next request is anonymous
                    clear_cookie(self.authenticator.settings, response)
                await response(scope, receive, send)
                return
            except KeysUnavailable:
                # Our side cannot check the credential: not the client's fault, so not 401.
                response = refusal(503, "UNAVAILABLE", "cannot check credentials right now; try again shortly")
                await response(scope, receive, send)
                return
            except PyMongoError:  # the database, as every other answer meeting it says
                response = refusal(503, database_gate.CODE, database_gate.MESSAGE, {"Retry-After": "1"})
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["viewer"] = viewer
        await self.app(scope, receive, send)
