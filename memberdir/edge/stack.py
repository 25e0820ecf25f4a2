"""The order the edge wraps /graphql and the whole app, outermost first.

Whole app: gzip (answers over GZIP_MINIMUM_BYTES, when accepted), then CORS
(only with allowed origins), so preflights are answered before any route.
/graphql: the caching headers (on refusals too), HEAD as GET, the origin
check, the request limits, then whatever the caller passes (authentication
and the GraphQL view).
"""

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from memberdir.edge.cors import DirectoryCORS
from memberdir.edge.errors import starlette_refusal
from memberdir.edge.headers import HeadAsGet, PrivateAnswers
from memberdir.edge.limits import RequestLimits
from memberdir.edge.origin import SameOriginOrAllowed
from memberdir.sessions import cookie_name
from memberdir.settings import Settings

GZIP_MINIMUM_BYTES = 2048  # below this, compressing saves less than it costs

EXCEPTION_HANDLERS = {HTTPException: starlette_refusal}


def app_middleware(settings: Settings) -> list[Middleware]:
    middleware = [Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)]
    if settings.allowed_origins:
        middleware.append(Middleware(DirectoryCORS, allowed_origins=settings.allowed_origins))
    return middleware


def guard_graphql(app: ASGIApp, settings: Settings) -> ASGIApp:
    limited = RequestLimits(app, settings.max_body_bytes)
    origin_checked = SameOriginOrAllowed(limited, settings.allowed_origins, cookie=cookie_name(settings))
    return PrivateAnswers(HeadAsGet(origin_checked))
