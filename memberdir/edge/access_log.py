"""One log line per request, and the log format of the whole process.

The line says what was asked and what it cost, never who in person: no
credential, e-mail address, query text or variable values, only the caller's
role and API key id. In production every line is one JSON object (for a log
pipeline); in development a readable line.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from memberdir.edge.request_record import RequestRecord, current_request

ACCESS = logging.getLogger("memberdir.access")


def request_fields(record: RequestRecord) -> dict[str, Any]:
    return {
        "requestId": record.request_id,
        "method": record.method,
        "path": record.path,
        "operation": ",".join(record.operations) or None,
        "status": record.status,
        "outcome": record.outcome,
        "durationMs": round(record.seconds * 1000, 1),
        "cost": record.cost,
        "dbCommands": record.database_commands,
        "role": record.role,
        "keyId": record.key_id,
        "errors": sorted(set(record.error_codes)) or None,
        "refusedBy": record.refusals or None,
    }


def log_request(record: RequestRecord) -> None:
    fields = request_fields(record)
    ACCESS.info("%s %s %s", record.method, record.path, record.status, extra={"request": fields})


class RequestIdFilter(logging.Filter):
    """Tags every log record made while serving a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            current = current_request()
            record.request_id = current.request_id if current else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        request = getattr(record, "request", None)
        if request is not None:
            line |= {k: v for k, v in request.items() if v is not None}
        else:
            line["message"] = record.getMessage()
            if getattr(record, "request_id", None):
                line["requestId"] = record.request_id
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        request = getattr(record, "request", None)
        if request is not None:
            parts = [f"{request['method']} {request['path']} {request['status']}", f"{request['durationMs']}ms"]
            shown = ("operation", "outcome", "cost", "dbCommands", "role", "keyId", "errors", "refusedBy", "requestId")
            parts += [f"{name}={_short(request[name])}" for name in shown if request[name] is not None]
            text = " ".join(parts)
        else:
            text = record.getMessage()
            if getattr(record, "request_id", None):
                text += f" requestId={record.request_id}"
        text = f"{when} {record.levelname:<7} {text}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _short(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def configure_logging(production: bool, level: int = logging.INFO) -> None:
    """Send every logger's records (ours, uvicorn's, Strawberry's) to stderr in one format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if production else ReadableFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
