"""The browser pages: the dashboard and GraphiQL, built from frontend/ at set-up.

The HTML comes from the front-end build (settings.frontend_dir), its scripts
and styles from /static/assets/. Each page sends a Content-Security-Policy
that allows nothing from another origin (save the OpenID Connect issuer the
dashboard signs in with), and refuses to be framed.
"""

from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberdir.settings import Settings

NOT_BUILT = (
    "The browser pages are not built: run `make setup` "
    "(npm ci and the build in frontend/), or set MEMBERDIR_FRONTEND_DIR to a built copy."
)

# Headers every page and asset gets: no MIME sniffing, no referrer leaving the
# site, no framing (clickjacking).
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

# Asset names carry a hash of their content, so a browser may keep them.
ASSET_CACHING = {"Cache-Control": "public, max-age=31536000, immutable"}


def content_security_policy(*, connect_to: tuple[str, ...] = ()) -> str:
    """Same-origin only. Styles allow 'unsafe-inline' because the editor (Monaco)
    and React set style elements and attributes at run time; fonts come as data: URLs."""
    connect = " ".join(("'self'", *connect_to))
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src {connect}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Pages:
    """Serves the built HTML with its security headers."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.directory = Path(settings.frontend_dir)

    def page(self, name: str, *, connect_to: tuple[str, ...] = ()) -> Response:
        path = self.directory / name
        if not path.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503, headers=COMMON_HEADERS)
        headers = {
            **COMMON_HEADERS,
            "Content-Security-Policy": content_security_policy(connect_to=connect_to),
            "Cache-Control": "no-cache",
        }
        return HTMLResponse(path.read_text(encoding="utf-8"), headers=headers)

    def graphiql(self) -> Response:
        return self.page("graphiql.html")

    def sign_in_config(self) -> dict | None:
        """What the dashboard needs to sign in: the issuer and this app's client id."""
        settings = self.settings
        if not (settings.oidc_enabled and settings.oidc_client_id):
            return None
        return {"issuer": settings.oidc_issuer, "clientId": settings.oidc_client_id, "scopes": settings.oidc_scopes}

    def _issuer_origins(self) -> tuple[str, ...]:
        config = self.sign_in_config()
        return (origin_of(config["issuer"]),) if config else ()

    async def dashboard(self, request: Request) -> Response:
        return self.page("dashboard.html", connect_to=self._issuer_origins())

    async def signed_in(self, request: Request) -> Response:
        """Where the issuer sends the browser back; hands the code to the dashboard."""
        return self.page("signed-in.html")

    async def config(self, request: Request) -> Response:
        return JSONResponse({"oidc": self.sign_in_config()}, headers={**COMMON_HEADERS, "Cache-Control": "no-cache"})

    def routes(self) -> list[BaseRoute]:
        assets = StaticFiles(directory=self.directory / "assets", check_dir=False)
        return [
            Route("/dashboard", self.dashboard, methods=["GET"]),
            Route("/dashboard/config.json", self.config, methods=["GET"]),
            Route("/dashboard/signed-in", self.signed_in, methods=["GET"]),
            Mount("/static/assets", app=WithHeaders(assets, {**COMMON_HEADERS, **ASSET_CACHING})),
        ]


class WithHeaders:
    """Adds fixed headers to every response of the app it wraps."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
