"""Cross-origin reads, for dashboards on other origins named in MEMBERDIR_ALLOWED_ORIGINS.

Off when the list is empty (browsers then keep other origins' pages from
reading answers). Starlette's middleware answers preflights: allowed for the
listed origins only, with the methods and headers clients use, and the
response headers they may read. No cookies are involved (credentials travel
in Authorization or X-API-Key), so credentials mode stays off.
"""

from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from memberdir.edge.errors import refusal

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = ("Authorization", "X-API-Key", "Content-Type", "Accept", "X-Request-ID")
# What a dashboard may read from an answer: its id, rate-limit state and when to retry.
EXPOSED_HEADERS = (
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "Retry-After",
)
PREFLIGHT_MAX_AGE = 600


class DirectoryCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, allowed_origins: Collection[str]):
        super().__init__(
            app,
            allow_origins=sorted(allowed_origins),
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer, but a refusal is a JSON error like every other."""
        answer = super().preflight_response(request_headers)
        if answer.status_code == 200:
            return answer
        refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-type")}
        message = f"Cross-origin request refused: this {refused} is not allowed"
        return refusal(403 if "origin" in refused else 400, "CORS_REFUSED", message, headers)
