"""Per GraphQL operation: its cost charged to the caller's budget, reported back
in `extensions` (with the request id), and its name and errors noted for the
request's log line and metrics.

`extensions.cost` follows Shopify's Admin API: the requested cost, the most a
query may cost, and the caller's budget (`throttleStatus`).
"""

import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from memberdir.edge.rate_limits import Decision, RateLimiter
from memberdir.edge.request_record import RequestRecord, current_request
from resolvers.allowance import Allowance

# The operation's cost, set by the cost rule while validating (memberdir.execution.cost).
# Operations of a batch run as tasks of their own, each with its own value.
_operation_cost: ContextVar[int | None] = ContextVar("memberdir_operation_cost", default=None)
_operation_charge: ContextVar[Decision | None] = ContextVar("memberdir_operation_charge", default=None)

# A requested operationName is any string the client sent; only a GraphQL name
# is logged or becomes a label (never, say, an e-mail address).
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

_LIMIT_CODES = {
    "QUERY_TOO_COSTLY": "cost",
    "DEADLINE_EXCEEDED": "deadline",
    "RATE_LIMITED": "rate",
    "REQUEST_TOO_LARGE": "body_size",
}
# Strawberry's own limit extensions give no code; their messages say which.
_LIMIT_MESSAGES = (
    ("exceeds maximum operation depth", "depth"),
    ("aliases found. Allowed", "aliases"),
    ("Document contains more than", "tokens"),
    ("operations in one batched request", "batch"),
)


def measured_cost(cost: int) -> None:
    """Given to the cost rule: the cost of an operation it has just measured."""
    _operation_cost.set((_operation_cost.get() or 0) + cost)
    record = current_request()
    if record is not None:
        record.add_cost(cost)


def operation_label(name: str | None) -> str:
    if name is None:
        return "(anonymous)"
    return name if _OPERATION_NAME.fullmatch(name) else "(invalid)"


def limit_kind(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    if code in _LIMIT_CODES:
        return _LIMIT_CODES[code]
    return next((kind for text, kind in _LIMIT_MESSAGES if text in error.message), None)


def error_code(error: GraphQLError, is_internal: Callable[[GraphQLError], bool]) -> str:
    if is_internal(error):
        return "INTERNAL_SERVER_ERROR"
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"


def note_errors(record: RequestRecord, errors: list[GraphQLError], is_internal: Callable[[GraphQLError], bool]) -> None:
    for error in errors:
        code = error_code(error, is_internal)
        record.error_codes.append(code)
        if code == "INTERNAL_SERVER_ERROR":
            record.internal_errors += 1
        if kind := limit_kind(error):
            record.refused_by(kind)


def current_allowance(limiter: RateLimiter, client: str) -> Allowance:
    """The caller's budget after this operation's charge, for the `rateLimit` field."""
    budget = limiter.peek(client)
    charged = _operation_charge.get()
    return Allowance(
        limit=budget.limit, remaining=budget.remaining, reset_at=budget.reset_at, cost=charged.charged if charged else 0
    )


class OperationAccounting(SchemaExtension):
    def __init__(self, limiter: RateLimiter, max_cost: int, is_internal: Callable[[GraphQLError], bool]):
        self.limiter, self.max_cost, self.is_internal = limiter, max_cost, is_internal

    def on_operation(self) -> Iterator[None]:
        _operation_cost.set(None)
        _operation_charge.set(None)
        yield
        record = current_request()
        if record is None:
            return
        context = self.execution_context
        record.operations.append(operation_label(context.operation_name))
        result = context.result
        errors = result.errors if result is not None and result.errors else context.pre_execution_errors
        note_errors(record, list(errors or ()), self.is_internal)

    def on_execute(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        # An operation answered before it runs (a 304 from the generations alone,
        # edge.answer_reuse) costs no points.
        if request is not None and self.execution_context.result is None:
            points = max(_operation_cost.get() or 0, 1)  # even a tiny query costs a point
            decision = self.limiter.charge(self.limiter.client_of(request.scope), points)
            _operation_charge.set(decision)
            if not decision.allowed:
                self._refuse(decision, points)
        yield

    def _refuse(self, decision: Decision, points: int) -> None:
        """Answer 429 instead of running the operation."""
        message = (
            f"This query costs {points} points and {decision.remaining} of the {decision.limit} "
            f"per minute are left; try again in {decision.retry_after} s or ask for less"
        )
        error = GraphQLError(message, extensions={"code": "RATE_LIMITED"})
        self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])
        response = self.execution_context.context.response
        response.status_code = 429
        for name, value in decision.headers().items():
            response.headers[name] = value

    def get_results(self) -> dict[str, Any]:
        record = current_request()
        results: dict[str, Any] = {"requestId": record.request_id} if record else {}
        cost = _operation_cost.get()
        if cost is not None:
            results["cost"] = {"requestedQueryCost": cost, "maximumQueryCost": self.max_cost}
            request = getattr(self.execution_context.context, "request", None)
            if request is not None:
                # The budget as this operation's charge left it, else (not charged) as it stands.
                budget = _operation_charge.get() or self.limiter.peek(self.limiter.client_of(request.scope))
                results["cost"]["throttleStatus"] = {
                    "maximumAvailable": budget.limit,
                    "currentlyAvailable": budget.remaining,
                    "resetAt": budget.reset_at.isoformat(),
                }
        return results
