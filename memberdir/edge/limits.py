"""Checks on the HTTP request itself, before a byte of it is parsed.

- POST only with a JSON body (its media type compared case-insensitively): a
  browser can send a form or text/plain across sites without a preflight, so
  refusing them keeps cross-site requests out, with edge.origin (CSRF).
  Mutations over GET are refused by the GraphQL view (405, edge.graphql_http).
- The body is read up to `max_body_bytes` and no further (413), whether or not
  the client declared its length.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberdir.edge.errors import refusal


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            response = refusal(415, "UNSUPPORTED_MEDIA_TYPE", "POST a JSON body with Content-Type: application/json")
            await response(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        body = None
        if not (declared.isdigit() and int(declared) > self.max_body_bytes):
            body = await self._read_at_most(receive)
        if body is None:
            too_large = f"The request body is over the limit of {self.max_body_bytes} bytes"
            await refusal(413, "REQUEST_TOO_LARGE", too_large)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_at_most(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
