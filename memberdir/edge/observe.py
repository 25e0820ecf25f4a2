"""ASGI middleware around every route: the request id, the request's record, its
log line and its metrics; and a last resort for an exception nothing else caught.

The id comes from `X-Request-ID` when safe (edge.request_ids) and goes back on
every response. An exception escaping the app is logged once, with its
traceback and the request id, and answered with a JSON 500 carrying the id.
"""

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberdir.edge.access_log import log_request
from memberdir.edge.metrics import Metrics
from memberdir.edge.request_ids import HEADER, request_id_from
from memberdir.edge.request_record import RequestRecord, end_request, start_request

ERRORS = logging.getLogger("memberdir.errors")
# Refusals answered before GraphQL runs, known by their status alone.
_REFUSAL_STATUSES = {413: "body_size", 429: "rate"}


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id_from(Headers(scope=scope)), scope["method"], scope["path"])
        token = start_request(record)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                record.status = message["status"]
                if limit := _REFUSAL_STATUSES.get(record.status):
                    record.refused_by(limit)
                MutableHeaders(scope=message)[HEADER] = record.request_id
                _note_caller(record, scope)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # the last resort: whatever escaped, logged once, answered as JSON
            ERRORS.exception("Unhandled error serving %s %s", record.method, record.path)
            record.internal_errors += 1
            if not started:
                await _internal_error(record.request_id)(scope, receive, send_with_id)
        finally:
            end_request(token)
            log_request(record)
            self.metrics.observe(record)


def _note_caller(record: RequestRecord, scope: Scope) -> None:
    viewer = scope.get("state", {}).get("viewer")
    if viewer is None:
        return
    record.role = viewer.role.value
    if viewer.credential and viewer.credential.startswith("api-key:"):
        record.key_id = viewer.credential.removeprefix("api-key:")


def _internal_error(request_id: str) -> JSONResponse:
    body = {
        "errors": [
            {
                "message": "Unexpected error; quote the request id when reporting it",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }
    return JSONResponse(body, status_code=500)
