"""Prometheus metrics of one server process (prometheus_client).

Each app has its own registry: the numbers are this process's since it
started. Several processes (replicas, containers) are scraped one by one, each
as its own target; prometheus_client's multiprocess mode is not used, so one
port shared by several worker processes would give whichever answered.

Operation names are chosen by clients, so the first `max_operation_names`
distinct ones become label values and the rest are counted as `other`.
"""

import hmac
import threading
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from memberdir.edge.answer_cache import AnswerCache
from memberdir.edge.request_record import RequestRecord
from memberdir.execution.planned import execution

CONTENT_TYPE = CONTENT_TYPE_LATEST
OTHER = "other"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_DATABASE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_COST_BUCKETS = (0, 1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000)
# Routes are ours, so their names are a closed set; anything else is `other`.
_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


class LabelCap:
    """The first `size` distinct values pass; later new ones become `other`."""

    def __init__(self, size: int):
        self.size = size
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        with self._lock:
            if value in self._seen:
                return value
            if len(self._seen) < self.size:
                self._seen.add(value)
                return value
        return OTHER


class Metrics:
    def __init__(self, max_operation_names: int, engine_up: Callable[[], bool] | None = None):
        self.registry = CollectorRegistry()
        self.operation_label = LabelCap(max_operation_names)
        self.collection_label = LabelCap(32)
        self.requests = Counter(
            "memberdir_graphql_requests",
            "GraphQL requests by operation name ((batch) for several, (anonymous) for none) and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "memberdir_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.responses = Counter(
            "memberdir_http_responses",
            "HTTP responses by route and status code",
            ["route", "status"],
            registry=self.registry,
        )
        self.database = Histogram(
            "memberdir_database_command_duration_seconds",
            "Database commands sent for requests, and their time, by collection",
            ["collection"],
            buckets=_DATABASE_BUCKETS,
            registry=self.registry,
        )
        self.cost = Histogram(
            "memberdir_query_cost",
            "Computed cost of each GraphQL request that passed validation",
            buckets=_COST_BUCKETS,
            registry=self.registry,
        )
        self.refusals = Counter(
            "memberdir_refusals",
            "Requests refused by a limit, by kind of limit",
            ["limit"],
            registry=self.registry,
        )
        self.registry.register(ExecutionOutcomes())
        # The outbox (memberdir/notifications): notifications per delivery state, read from the
        # database every few seconds (so alike in every process), and this process's attempts.
        self.notifications = Gauge(
            "memberdir_notifications",
            "Notifications in the outbox by delivery state (PENDING, SENT, FAILED, SKIPPED)",
            ["state"],
            registry=self.registry,
        )
        self.delivery_attempts = Counter(
            "memberdir_notification_delivery_attempts",
            "Delivery attempts this process made, by outcome (sent, retry, failed, skipped)",
            ["outcome"],
            registry=self.registry,
        )
        if engine_up is not None:
            up = Gauge(
                "memberdir_embedded_engine_up",
                "1 when the embedded FerretDB answers on its port, 0 when it does not",
                registry=self.registry,
            )
            up.set_function(lambda: 1.0 if engine_up() else 0.0)

    def watch_answers(self, cache: AnswerCache) -> None:
        self.registry.register(AnswerCacheCounts(cache))

    def observe(self, record: RequestRecord) -> None:
        route = record.path if record.path in _ROUTES else OTHER
        self.responses.labels(route, str(record.status)).inc()
        for limit in record.refusals:
            self.refusals.labels(limit).inc()
        for collection, seconds in record.database_timings:
            self.database.labels(self.collection_label(collection)).observe(seconds)
        if route != "/graphql":
            return
        operation = _operation_of(record)
        if operation not in _UNNAMED:
            operation = self.operation_label(operation)
        self.requests.labels(operation, record.outcome).inc()
        self.latency.labels(operation).observe(record.seconds)
        if record.cost is not None:
            self.cost.observe(record.cost)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


# Not GraphQL names, so no client's operation is mistaken for them.
BATCH, ANONYMOUS = "(batch)", "(anonymous)"
_UNNAMED = frozenset({BATCH, ANONYMOUS})


class ExecutionOutcomes(Collector):
    """Which executor answered each operation (memberdir.execution.planned.execution
    counts them for the process): the planned one, or graphql-core because the
    plan does not cover the operation, or because the planned run met an error
    and left the answer to graphql-core."""

    LABELS = {
        execution.PLANNED: ("planned", "covered"),
        execution.NOT_PLANNED: ("graphql_core", "not_covered"),
        execution.LEFT_TO_GRAPHQL_CORE: ("graphql_core", "planned_run_failed"),
    }

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "memberdir_graphql_executions",
            "GraphQL operations executed since the process started, by executor and the reason it ran",
            labels=["executor", "reason"],
        )
        for outcome, labels in self.LABELS.items():
            family.add_metric(labels, execution.outcomes[outcome])
        yield family


class AnswerCacheCounts(Collector):
    """The response cache's hits, misses and evictions (memberdir/edge/answer_cache.py), and its size."""

    def __init__(self, cache: AnswerCache):
        self.cache = cache

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        for name, value, text in (
            ("hits", self.cache.hits, "GraphQL answers served from the response cache"),
            ("misses", self.cache.misses, "GraphQL queries the response cache did not hold (run)"),
            ("evictions", self.cache.evictions, "answers dropped from the response cache to stay within its size"),
        ):
            yield CounterMetricFamily(f"memberdir_response_cache_{name}", text, value=value)
        yield GaugeMetricFamily("memberdir_response_cache_bytes", "bytes the response cache holds", value=self.cache.size_bytes)


def _operation_of(record: RequestRecord) -> str:
    if len(record.operations) > 1:
        return BATCH
    return record.operations[0] if record.operations else ANONYMOUS


def metrics_endpoint(metrics: Metrics, token: str | None) -> Callable[[Request], Awaitable[Response]]:
    """/metrics: open when `token` is None, else only with `Authorization: Bearer <token>`."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                challenge = {"WWW-Authenticate": 'Bearer realm="metrics"'}
                return PlainTextResponse("metrics need the metrics bearer token\n", 401, headers=challenge)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return endpoint
