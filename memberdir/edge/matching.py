"""POST /match/affiliations.csv: a CSV of affiliation strings, one a row, answered
as a CSV of the same rows with each one's best organisation, streamed.

Behind the same Authentication and rate budget as /export (one point a row,
charged before any matching: memberdir.edge.exports.charge_export), so the
candidates are those the credential may see through `organisations`. The
body is read whole and checked before the first byte of the answer: a row
that is not one column, a row too long, more than MAX_ROWS rows, or text that
is not UTF-8 or not CSV is a 400 naming the row; over MAX_BODY_BYTES a 413.
"""

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from memberdir import database_gate
from memberdir.edge.exports import charge_export
from memberdir.edge.headers import PrivateAnswers
from memberdir.edge.origin import SameOriginOrAllowed
from memberdir.edge.rate_limits import too_many_requests
from memberdir.sessions import cookie_name
from memberdir.settings import Settings
from resolvers.context import Context
from resolvers.exports.formats import BYTE_ORDER_MARK, neutralised
from resolvers.matching import MAX_ROWS, MAX_TEXT, match_many
from resolvers.viewer import ANONYMOUS

# Room for MAX_ROWS rows of MAX_TEXT characters, quoted.
MAX_BODY_BYTES = MAX_ROWS * (MAX_TEXT + 4)
MEDIA_TYPES = {"text/csv", "text/plain", "application/csv"}
# A first row with one of these is a heading, not an affiliation.
HEADINGS = {"affiliation", "affiliations", "text"}
COLUMNS = ["affiliation", "organisationId", "organisationName", "score", "chosen", "matchingType"]


class BadCsv(Exception):
    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


def _error(status: int, code: str, message: str, row: int | None = None) -> JSONResponse:
    extensions: dict[str, Any] = {"code": code}
    if row is not None:
        extensions["row"] = row
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status)


def affiliations(body: bytes) -> list[str]:
    """The affiliation strings of a CSV body, in order; BadCsv naming the row at fault.
    Rows are counted from 1, the heading (if any) being row 1, as a spreadsheet shows them."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadCsv(f"The body is not UTF-8 text (at byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[str] = []
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if row == 1 and len(cells) == 1 and cells[0].strip().casefold() in HEADINGS:
                continue
            if len([c for c in cells if c.strip()]) > 1 or len(cells) > 2 or len(cells) == 2 and cells[1].strip():
                raise BadCsv(f"Row {row} has {len(cells)} columns; send one column of affiliation text "
                             "(quote a text that holds commas)", row)
            value = cells[0] if cells else ""
            if len(value) > MAX_TEXT:
                raise BadCsv(f"Row {row} has {len(value)} characters; at most {MAX_TEXT}", row)
            if len(found) == MAX_ROWS:
                raise BadCsv(f"More than {MAX_ROWS} rows (row {row}); send them in several requests", row)
            found.append(value)
    except csv.Error as error:
        raise BadCsv(f"Row {row + 1} is not valid CSV: {error}", row + 1) from None
    return found


async def _read_at_most(request: Request, most: int) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > most:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class AffiliationMatchEndpoint:
    def __init__(self, database: Any):
        self.database = database  # anything with get() -> Database, once the lifespan opened it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in MEDIA_TYPES:
            return _error(415, "UNSUPPORTED_MEDIA_TYPE", "POST a CSV body with Content-Type: text/csv")
        body = await _read_at_most(request, MAX_BODY_BYTES)
        if body is None:
            return _error(413, "REQUEST_TOO_LARGE", f"The request body is over the limit of {MAX_BODY_BYTES} bytes")
        try:
            texts = affiliations(body)
        except BadCsv as bad:
            return _error(400, "BAD_USER_INPUT", str(bad), bad.row)
        charged = charge_export(request, len(texts))
        if charged is not None and not charged.allowed:
            return too_many_requests(charged)
        viewer = request.scope.get("state", {}).get("viewer", ANONYMOUS)
        ctx = Context.for_request(self.database.get(), request, viewer=viewer)
        rows = match_many(ctx, texts)
        try:
            first = await anext(rows, None)  # the index is read here: a database failure is still a 503
        except PyMongoError:
            return _error(503, database_gate.CODE, database_gate.MESSAGE)
        headers = {
            "Content-Disposition": 'attachment; filename="affiliation-matches.csv"',
            "Cache-Control": "no-store",
            "X-Export-Cost": str(max(1, len(texts))),
            **(charged.headers() if charged is not None else {}),
        }
        return StreamingResponse(_csv(first, rows), media_type="text/csv; charset=utf-8", headers=headers)


async def _csv(first: tuple[Sequence[str], list] | None, rest: AsyncIterator) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(COLUMNS)
    batch = first
    while batch is not None:
        for text, found in zip(*batch):
            if found is None:
                writer.writerow([neutralised(text), "", "", "", "", ""])
            else:
                writer.writerow([neutralised(text), found.organisation_id, neutralised(found.name),
                                 f"{found.score:.4f}", "true" if found.chosen else "false", found.matching_type.value])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        batch = await anext(rest, None)


def guard(app: ASGIApp, settings: Settings) -> ASGIApp:
    """The edge /graphql has, but for its JSON-only body check: this body is CSV, read and limited here."""
    return PrivateAnswers(SameOriginOrAllowed(app, settings.allowed_origins, cookie=cookie_name(settings)))
