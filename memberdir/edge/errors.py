"""Refusals sent before or instead of GraphQL, in the GraphQL response shape clients parse.

Every refusal is JSON (`{"errors": [{"message", "extensions": {"code"}}]}`),
never Starlette's or Strawberry's text/plain, and echoes at most a short
prefix of anything the client sent (`shown`).
"""

from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_ECHO = 40

# The code clients get for an HTTP status when nothing more specific applies.
CODES = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def shown(text: str) -> str:
    """A client's text as it may appear in a message: quoted, at most MAX_ECHO characters."""
    cut = text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"
    return repr(cut)


def refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class Refused(HTTPException):
    """Raised inside the GraphQL view; becomes `refusal(...)`. A cross_web HTTPException,
    so Strawberry's own code paths treat it as theirs."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(status, message)
        self.code = code or CODES.get(status, "BAD_REQUEST")
        self.headers = headers or {}


def refusal_of(error: HTTPException) -> JSONResponse:
    """Strawberry's text refusals (and ours) as JSON."""
    if isinstance(error, Refused):
        return refusal(error.status_code, error.code, error.reason, error.headers)
    return refusal(error.status_code, CODES.get(error.status_code, "BAD_REQUEST"), error.reason)


async def starlette_refusal(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own 404 and 405 (with its Allow header) as JSON too."""
    assert isinstance(error, StarletteHTTPException)
    message = {404: f"Nothing at {shown(request.url.path)}", 405: f"{request.method} is not allowed here"}.get(
        error.status_code, error.detail
    )
    return refusal(error.status_code, CODES.get(error.status_code, "BAD_REQUEST"), message, error.headers)
