"""What one request did, gathered while it runs and read once it ends.

The record of the request being served lives in a context variable, so code
far from the HTTP layer (PyMongo's command listener, the GraphQL extension)
adds to it without being handed it; asyncio tasks started for the request
inherit the variable and so the same record.
"""

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memberdir.edge.rate_limits import Decision


@dataclass
class RequestRecord:
    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    status: int = 0
    operations: list[str] = field(default_factory=list)
    cost: int | None = None  # summed over the request's operations, once validated
    database_commands: int = 0
    # (collection, seconds) per command, for the metrics
    database_timings: list[tuple[str, float]] = field(default_factory=list)
    pending_commands: dict[tuple[object, int], str] = field(default_factory=dict)  # started, not yet ended
    error_codes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # kinds of limit that refused it
    internal_errors: int = 0
    role: str = "anonymous"
    key_id: str | None = None
    budget: "Decision | None" = None  # the caller's, as this request's last charge left it

    def add_cost(self, cost: int) -> None:
        self.cost = (self.cost or 0) + cost

    def add_database_command(self, collection: str, seconds: float) -> None:
        self.database_commands += 1
        self.database_timings.append((collection, seconds))

    def refused_by(self, limit: str) -> None:
        if limit not in self.refusals:
            self.refusals.append(limit)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def outcome(self) -> str:
        """ok, client_error, refused, rate_limited or internal_error."""
        if self.internal_errors or self.status >= 500:
            return "internal_error"
        if self.status == 429 or "rate" in self.refusals:
            return "rate_limited"
        if self.refusals:
            return "refused"
        if self.error_codes or self.status >= 400:
            return "client_error"
        return "ok"


_current: ContextVar[RequestRecord | None] = ContextVar("memberdir_request", default=None)


def current_request() -> RequestRecord | None:
    return _current.get()


def start_request(record: RequestRecord) -> object:
    """Make `record` the current one; returns the token `end_request` takes."""
    return _current.set(record)


def end_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def note_refusal(limit: str) -> None:
    """Record on the current request (if any) that a limit of this kind refused it."""
    record = current_request()
    if record is not None:
        record.refused_by(limit)
