"""The browser pages: the dashboard, GraphiQL and the pages where people keep
the directory right, built from frontend/ at set-up.

The HTML comes from the front-end build (settings.frontend_dir), its scripts
and styles from /static/assets/. Each page sends a Content-Security-Policy
that allows nothing from another origin, and refuses to be framed. Every path
of the pages (PAGE_PATHS) is the one entry pages.html, which routes by the
path in the browser; they sign in through the server (memberdir/edge/sign_in.py),
so no page talks to the issuer itself.
"""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
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

# The pages' paths, all served the single entry pages.html (docs/pages.md).
PAGE_PATHS = ("/", "/me", "/apply", "/staff", "/staff/{rest:path}",
              "/manage/organisations/{slug}", "/manage/groups/{slug}")

# Asset names carry a hash of their content, so a browser may keep them.
ASSET_CACHING = {"Cache-Control": "public, max-age=31536000, immutable"}


def content_security_policy() -> str:
    """Same-origin only. Styles allow 'unsafe-inline' because the editor (Monaco)
    and React set style elements and attributes at run time; fonts come as data: URLs."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


class Pages:
    """Serves the built HTML with its security headers."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.directory = Path(settings.frontend_dir)

    def page(self, name: str) -> Response:
        path = self.directory / name
        if not path.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503, headers=COMMON_HEADERS)
        headers = {**COMMON_HEADERS, "Content-Security-Policy": content_security_policy(), "Cache-Control": "no-cache"}
        return HTMLResponse(path.read_text(encoding="utf-8"), headers=headers)

    def graphiql(self) -> Response:
        return self.page("graphiql.html")

    async def dashboard(self, request: Request) -> Response:
        return self.page("dashboard.html")

    async def pages(self, request: Request) -> Response:
        return self.page("pages.html")

    def routes(self) -> list[BaseRoute]:
        assets = StaticFiles(directory=self.directory / "assets", check_dir=False)
        return [
            Route("/dashboard", self.dashboard, methods=["GET"]),
            *(Route(path, self.pages, methods=["GET"]) for path in PAGE_PATHS),
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
