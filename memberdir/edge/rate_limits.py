"""A budget of cost points per client per minute (the `limits` library, counts in memory: edge.budget_counts).

A client is its API key or OpenID Connect subject when it sent one, else its
address: the TCP peer, or, when that peer is a proxy named in
MEMBERDIR_TRUSTED_PROXIES, the right-most address in X-Forwarded-For that is
not one of those proxies. A GraphQL query is charged its cost (at least 1)
once it passes validation; other code (the exports) charges the same budget,
behind the Authentication middleware so the caller's key is known:

    limiter: RateLimiter = request.app.state.rate_limiter
    decision = limiter.charge(limiter.client_of(request.scope), points)
    if not decision.allowed:
        return too_many_requests(decision)

The counts live in this process's memory: each server process (replica,
container) keeps its own, so N processes behind a balancer allow up to N
budgets, and a restart refills every budget.
"""

import ipaddress
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from limits import RateLimitItemPerMinute
from limits.strategies import FixedWindowRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberdir.edge.budget_counts import InProcessCounts
from memberdir.edge.request_record import current_request
from resolvers.allowance import Allowance
from resolvers.viewer import ANONYMOUS, Viewer

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime
    charged: int  # points taken (0 when refused)

    @property
    def retry_after(self) -> int:
        """Whole seconds until the budget is refilled (at least 1)."""
        return max(1, math.ceil(self.reset_at.timestamp() - time.time()))

    def headers(self) -> dict[str, str]:
        """The IETF draft's RateLimit-* fields, and Retry-After when refused."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.retry_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def allowance(self) -> Allowance:
        return Allowance(limit=self.limit, remaining=self.remaining, reset_at=self.reset_at, cost=self.charged)


class RateLimiter:
    def __init__(self, points_per_minute: int, trusted_proxies: Sequence[Network] = ()):
        self.points_per_minute = points_per_minute
        self.trusted_proxies = list(trusted_proxies)
        self._item = RateLimitItemPerMinute(points_per_minute)
        self._windows = FixedWindowRateLimiter(InProcessCounts())

    def client_of(self, scope: Scope) -> str:
        """Whose budget a request spends: its credential's, else its address's."""
        viewer: Viewer = scope.get("state", {}).get("viewer", ANONYMOUS)
        return viewer.credential or f"address:{client_address(scope, self.trusted_proxies)}"

    def charge(self, client: str, points: int) -> Decision:
        """Take `points` from the client's budget if all of them are left; else take none."""
        points = max(points, 0)
        allowed = self._windows.test(self._item, client, cost=points)
        if allowed and points:
            self._windows.hit(self._item, client, cost=points)
        decision = self._decision(client, allowed, points if allowed else 0)
        if (record := current_request()) is not None:
            record.budget = decision  # for the answer's headers, with no second look
        return decision

    def allows(self, client: str) -> bool:
        """Whether any point of the client's budget is left."""
        return self._windows.test(self._item, client)

    def peek(self, client: str) -> Decision:
        """The budget as it stands; `allowed` when any point is left."""
        return self._decision(client, self._windows.test(self._item, client), 0)

    def _decision(self, client: str, allowed: bool, charged: int) -> Decision:
        reset, remaining = self._windows.get_window_stats(self._item, client)
        return Decision(
            allowed=allowed,
            limit=self.points_per_minute,
            remaining=max(remaining, 0),
            reset_at=datetime.fromtimestamp(reset, UTC),
            charged=charged,
        )


def too_many_requests(decision: Decision) -> JSONResponse:
    message = (
        f"Rate limit of {decision.limit} cost points per minute used up; "
        f"try again in {decision.retry_after} s"
    )
    body = {"errors": [{"message": message, "extensions": {"code": "RATE_LIMITED"}}]}
    return JSONResponse(body, status_code=429, headers=decision.headers())


def client_address(scope: Scope, trusted_proxies: list[Network]) -> str:
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):  # no proxies: no address to parse
        return peer
    hops = [h.strip() for h in ",".join(Headers(scope=scope).getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted_proxies):
            return hop if _is_address(hop) else peer
    return peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted_proxies: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


class RateLimitGate:
    """ASGI middleware, after authentication: finds the client, refuses it with 429
    while its budget is used up, and adds RateLimit-* headers to every answer."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = self.limiter.client_of(scope)
        if not self.limiter.allows(client):
            record = current_request()
            if record is not None:
                record.refused_by("rate")
            await too_many_requests(self.limiter.peek(client))(scope, receive, send)
            return

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                record = current_request()
                budget = (record and record.budget) or self.limiter.peek(client)
                for name, value in budget.headers().items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_budget)
