"""GET /export/...: rosters, role contacts, organisations, people and
statistics as CSV, NDJSON or XLSX, streamed.

Routed behind the same Authentication as /graphql, so the viewer (and the
privacy of every e-mail cell) is the same as GraphQL's for that credential.
Problems with the request are answered before the first byte: 400 naming the
parameter, 404 for a group that does not exist, 503 when the database fails.
Each export carries a generation ETag (edge.etags); If-None-Match naming the
current one is a 304, decided before anything is read or charged.
"""

import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from datastore import generations
from memberdir import database_gate
from memberdir.edge import etags
from memberdir.edge.answer_cache import KEPT_OVER, caller_of
from memberdir.edge.answer_reuse import PRIVATE, PUBLIC, VARY
from memberdir.edge.rate_limits import Decision, too_many_requests
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers.exports import EXPORTS, Format, NotFound, Table, csv_chunks, ndjson_chunks, write_xlsx
from resolvers.exports.tables import roster
from resolvers.viewer import ANONYMOUS

FILE_CHUNK = 64 * 1024
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def charge_export(request: Request, rows: int) -> Decision | None:
    """The one place an export is charged against the caller's rate budget.

    An export costs what GraphQL charges for the same nodes: one point a row
    (memberdir/execution/cost.py counts nodes the same way), from the same per-client
    budget as /graphql (memberdir.edge.rate_limits); None where the app has
    no limiter (an endpoint mounted alone).
    """
    limiter = getattr(request.app.state, "rate_limiter", None) if "app" in request.scope else None
    if limiter is None:
        return None
    return limiter.charge(limiter.client_of(request.scope), max(1, rows))


def _error(status: int, code: str, message: str, argument: str | None = None) -> JSONResponse:
    extensions: dict[str, Any] = {"code": code}
    if argument is not None:
        extensions["argument"] = argument
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status)


class ExportEndpoint:
    """ASGI app for /export/{kind}.{format} and /export/roster/{slug}.{format}."""

    def __init__(self, database: Any):
        self.database = database  # anything with get() -> Database, once the lifespan opened it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        params = request.path_params
        try:
            format = Format(params["format"])
        except ValueError:
            return _error(400, "BAD_USER_INPUT", "The format must be .csv, .xlsx or .ndjson", "format")
        kind, slug = params.get("kind", "roster"), params.get("slug")
        if kind not in EXPORTS:
            return _error(404, "NOT_FOUND", f"No export {kind!r}; there are: {', '.join(EXPORTS)}")
        given: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            given.setdefault(name, []).append(value)
        viewer = request.scope.get("state", {}).get("viewer", ANONYMOUS)
        ctx = Context.for_request(self.database.get(), request, viewer=viewer)
        try:
            tag = await export_etag(ctx, request)
            if tag is not None and etags.matches(request.headers.get("if-none-match"), tag.etag):
                return Response(status_code=304, headers=tag.headers())  # decided without exporting: free
            table = await (roster(ctx, given, slug) if slug is not None else EXPORTS[kind](ctx, given))
            charged = charge_export(request, table.size)
            if charged is not None and not charged.allowed:
                return too_many_requests(charged)
            headers = {
                "Content-Disposition": f'attachment; filename="{_filename(table, format)}"',
                **(tag.headers() if tag is not None else {"Cache-Control": "no-store"}),
                "X-Export-Cost": str(max(1, table.size)),
                **(charged.headers() if charged is not None else {}),
            }
            if request.method == "HEAD":  # the headers a GET would get, without doing the export
                return Response(media_type=format.media_type, headers=headers)
            if format is Format.XLSX:
                folder = Path(tempfile.mkdtemp(prefix="memberdir-export-"))
                try:
                    await write_xlsx(table, folder / "export.xlsx")
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
                return StreamingResponse(_file_then_delete(folder / "export.xlsx"), media_type=format.media_type, headers=headers)
        except BadArgument as refused:
            return _error(400, "BAD_USER_INPUT", str(refused.message), refused.argument)
        except NotFound as missing:
            return _error(404, "NOT_FOUND", str(missing), missing.argument)
        except PyMongoError:
            return _error(503, database_gate.CODE, database_gate.MESSAGE)
        rows = csv_chunks(table) if format is Format.CSV else ndjson_chunks(table)
        return StreamingResponse(rows, media_type=format.media_type, headers=headers)


@dataclass(frozen=True, slots=True)
class ExportTag:
    etag: str
    anonymous: bool

    def headers(self) -> dict[str, str]:
        return {"ETag": self.etag, "Cache-Control": PUBLIC if self.anonymous else PRIVATE, "Vary": ", ".join(VARY)}


async def export_etag(ctx: Context, request: Request) -> ExportTag | None:
    """The export's generation ETag (edge.etags), from the tokens of the directory's
    collections, which are all an export reads (a test holds it to that), and the
    date its tables are computed for; None while a bulk write runs."""
    tokens = await generations.shared_current(ctx.db)
    under = [(collection, tokens.get(collection)) for collection in sorted(KEPT_OVER)]
    if any(token is None for _, token in under):
        return None
    asked = ("export", request.url.path, tuple(sorted(request.query_params.multi_items())))
    caller = caller_of(ctx.viewer)
    etag = etags.generation_etag(asked, caller, under, ctx._today)  # type: ignore[arg-type]
    return ExportTag(etag, caller == "anonymous")


def _filename(table: Table, format: Format) -> str:
    return f"{_UNSAFE_IN_FILENAME.sub('-', table.name).strip('-') or 'export'}.{format.value}"


async def _file_then_delete(path: Path) -> AsyncIterator[bytes]:
    try:
        async with await anyio.open_file(path, "rb") as file:
            while chunk := await file.read(FILE_CHUNK):
                yield chunk
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
