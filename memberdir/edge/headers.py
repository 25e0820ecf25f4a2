"""Headers every GraphQL answer carries, and HEAD served as GET.

A GraphQL answer depends on who asks (contact details are shown by the
caller's key, token or session cookie), so no shared cache may keep one: `Cache-Control:
private, no-store`, and `Vary` names the credential headers for any cache
that keeps it all the same. Refusals get the same headers: a 401 or 403 is
about one caller too.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHE_CONTROL = "private, no-store"
VARY_ON = ("Authorization", "X-API-Key", "Cookie")  # the session cookie is a credential too


class PrivateAnswers:
    """Adds the caching policy (unless the app set its own) and `Vary` on credentials."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", CACHE_CONTROL)
                add_vary(headers, *VARY_ON)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_vary(headers: MutableHeaders, *names: str) -> None:
    present = [v.strip() for value in headers.getlist("Vary") for v in value.split(",") if v.strip()]
    lowered = {v.lower() for v in present}
    missing = [n for n in names if n.lower() not in lowered]
    if missing:
        headers["Vary"] = ", ".join([*present, *missing])


class HeadAsGet:
    """HEAD answered as GET would be, without the body (Allow lists HEAD wherever GET is)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
