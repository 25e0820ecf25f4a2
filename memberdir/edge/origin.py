"""Cross-site request forgery: a browser's POST from a page on another origin is refused.

Browsers send `Origin` on every cross-origin request and on same-origin POSTs;
other clients (scripts, the gateway, curl) send none and are not browsers, so
carry no ambient credentials to abuse. A POST whose `Origin` is neither this
server's own nor in MEMBERDIR_ALLOWED_ORIGINS (the list CORS uses too) is
refused with 403 before it is read. `Origin: null` (sandboxed frames, files)
is no origin anyone listed, so it is refused too.

A browser's session cookie (memberdir.sessions) is an ambient credential: a
POST that carries it, and no Authorization or X-API-Key header (which would be
the credential instead), must name its Origin, and a matching one.
"""

from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.websocket_origin import is_same_origin, normalize_origin

from memberdir.edge.errors import refusal, shown
from memberdir.sessions import cookie_of_name


class SameOriginOrAllowed:
    def __init__(self, app: ASGIApp, allowed_origins: Collection[str], cookie: str | None = None):
        self.app = app
        self.allowed_origins = frozenset(allowed_origins)  # normalised by the settings
        self.cookie = cookie  # the session cookie's name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is None and self._signed_in_by_cookie(headers):
                message = "A request signed in by the session cookie must come from this site's pages (no Origin sent)"
                await refusal(403, "FORBIDDEN_ORIGIN", message)(scope, receive, send)
                return
            if origin is not None and not self._allowed(origin, headers):
                message = (
                    f"Requests from pages on {shown(origin)} are not accepted here; "
                    "the server's operator can list trusted origins in MEMBERDIR_ALLOWED_ORIGINS"
                )
                await refusal(403, "FORBIDDEN_ORIGIN", message)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _signed_in_by_cookie(self, headers: Headers) -> bool:
        if self.cookie is None or "authorization" in headers or "x-api-key" in headers:
            return False
        return cookie_of_name(headers, self.cookie) is not None

    def _allowed(self, origin: str, headers: Headers) -> bool:
        if headers.get("sec-fetch-site") == "same-origin" or is_same_origin(origin, headers.get("host")):
            return True
        return normalize_origin(origin) in self.allowed_origins
