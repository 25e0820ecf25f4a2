"""The ASGI application: /graphql, /export/..., /healthz, /readyz, /metrics, the browser pages and their sign-in (/auth/...).

Every request is observed (edge.observe: request id, log line, metrics). A
request to /graphql passes, in order: the HTTP edge (memberdir.edge.stack:
caching headers, HEAD, the origin check, method, content type and body size),
Authentication (the Viewer), the RateLimitGate (the caller's budget), then
Strawberry speaking GraphQL over HTTP (memberdir.edge.graphql_http) with the
query limits (memberdir.execution.limits), a batch
limit and an execution deadline. A request to /export/... passes the same edge,
Authentication and rate budget (memberdir/edge/exports.py).
"""

import asyncio
import logging
import re
from datetime import timedelta
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import MaskErrors
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from datastore import reads
from datastore.client import Database
from datastore.records.memberships import AgreementVersions
from memberdir.auth import Authentication, Authenticator
from memberdir.database import open_database, settings_engine
from memberdir.embedded.server import EmbeddedEngine
from memberdir.database_gate import DatabaseErrors, DatabaseGate
from memberdir.edge import stack
from memberdir.edge.deadline import DeadlineExceeded, within_deadline
from memberdir.edge.error_log import log_only_internal_errors
from memberdir.edge.errors import Refused
from memberdir.edge.documents import Documents
from memberdir.edge.exports import ExportEndpoint
from memberdir.edge.persisted_queries import PersistedQueries
from memberdir.edge.trusted_documents import TrustedDocuments
from memberdir.edge import verify_email
from memberdir.edge.verify_email import VerifyEmailPage
from memberdir.edge import matching as affiliation_matching
from memberdir.edge.answer_cache import AnswerCache
from memberdir.edge.answer_reuse import KeptAnswers, NotModifiedBeforeCharge
from memberdir.edge.graphql_accounting import OperationAccounting, current_allowance, measured_cost
from memberdir.edge.graphql_http import GraphQLOverHTTP
from memberdir.edge.metrics import Metrics, metrics_endpoint
from memberdir.edge.observe import Observe
from memberdir.edge.pages import Pages
from memberdir.edge.rate_limits import RateLimiter, RateLimitGate
from memberdir.edge.sign_in import SignInRoutes
from memberdir.edge.request_record import note_refusal
from memberdir.invitation_expiry import expiring
from memberdir.notifications.loop import delivering
from memberdir.notifications.notices import noticing
from memberdir.recovery import sweeping
from memberdir.settings import Settings
from memberdir.supervisor import EngineSupervisor
from memberdir import tracing as tracing_setup
from memberdir.tracing import Tracing
from resolvers.context import Context
from resolvers.mutations.committing import writes_ended
from resolvers.viewer import ANONYMOUS
from memberdir.execution import build_schema
from memberdir.execution.limits import QueryLimits, limit_extensions
from memberdir.execution.document_cache import reuse_documents

# graphql-core offers close field, type and enum names when one is wrong: a
# map of the schema for whoever guesses. Production leaves it out.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
log = logging.getLogger(__name__)


def _is_internal(error: GraphQLError) -> bool:
    """Mask errors raised while resolving fields, but not those the client caused:
    bad arguments (ours are GraphQLErrors) and bad queries or variables (which
    fail before execution and so have no path)."""
    original = error.original_error
    return error.path is not None and original is not None and not isinstance(original, GraphQLError)


def _stray_cancellation_error() -> ExecutionResult:
    error = GraphQLError("Unexpected error.", extensions={"code": "INTERNAL_SERVER_ERROR"})
    return ExecutionResult(data=None, errors=[error])


def _deadline_error(seconds: float, writes_ended: list[dict] = ()) -> ExecutionResult:
    """The deadline's answer; a write already started is not cancelled, and the answer says how it ended."""
    message = f"The query ran past the {seconds:g} s deadline and was cancelled; ask for less"
    extensions: dict = {"code": "DEADLINE_EXCEEDED"}
    if writes_ended:
        applied = sum(1 for w in writes_ended if w["state"] == "APPLIED")
        message += (f". Its writes were not cancelled: {applied} of {len(writes_ended)} applied"
                    " (see extensions.writes; a retry with the same clientMutationId answers as they ended)")
        extensions["writes"] = list(writes_ended)
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions=extensions)])


class DirectoryGraphQL(GraphQLOverHTTP):
    def __init__(
        self,
        settings: Settings,
        database: "DatabaseHolder",
        limiter: RateLimiter,
        extensions: tuple = (),
        planned: bool = True,
        tracing: Tracing | None = None,
        answers: AnswerCache | None = None,
    ):
        answers = answers or AnswerCache(settings.response_cache_bytes)
        limits = QueryLimits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
            max_expanded_fields=settings.max_expanded_fields,
            introspection_for_anonymous=not settings.production,
        )
        schema = build_schema(
            extensions=[
                *((tracing.operations(),) if tracing else ()),  # first: its span holds the others' work
                *limit_extensions(limits, measured_cost),
                reuse_documents(),  # after every extension that sets parse options or rules, or refuses first
                lambda: MaskErrors(should_mask_error=_is_internal),
                NotModifiedBeforeCharge,  # before the charge: a 304 known without running is free
                lambda: OperationAccounting(limiter, settings.max_cost, _is_internal),
                lambda: KeptAnswers(answers),  # after the charge (edge.answer_reuse)
                # After MaskErrors, so it sees a database error before it is masked.
                lambda: DatabaseErrors(writes=database.recheck),
                *extensions,
            ],
            config=StrawberryConfig(batching_config={"max_operations": settings.max_batch_operations}),
            planned=planned,
        )
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=True,
        )
        self.database = database
        self.settings = settings
        self.limiter = limiter
        log_only_internal_errors(_is_internal)
        self.pages = Pages(settings)
        self.documents = Documents(
            TrustedDocuments.load(),
            PersistedQueries(settings.persisted_queries_max_entries, settings.persisted_queries_max_characters),
            settings.trusted_documents_only,
        )

    async def render_graphql_ide(self, request) -> Response:
        # Our own build of GraphiQL, not Strawberry's page that loads it from a CDN.
        return self.pages.graphiql()

    async def get_context(self, request, response) -> Context:
        viewer = request.scope.get("state", {}).get("viewer", ANONYMOUS)
        context = Context.for_request(self.database.get(), request, response, viewer=viewer)
        context.removal_notice_days = self.settings.removal_notice_days
        context.agreement_versions = AgreementVersions(self.settings.constitution_version,
                                                       self.settings.member_agreement_version)
        context.invitation_days = self.settings.invitation_days
        context.invitations_per_day = self.settings.invitations_per_day
        context.write_lease = timedelta(seconds=self.settings.write_lease_seconds)
        context.public_url = self.settings.public_url
        context.webhook_allow_loopback = bool(self.settings.webhook_allow_loopback)
        context.allowance = lambda: _noted(current_allowance(self.limiter, self.limiter.client_of(request.scope)))
        return context

    def _validate_batch_request(self, request_data: list, protocol: Any) -> None:
        # Strawberry's own refusal says only "Too many operations"; name the limit.
        limit = self.settings.max_batch_operations
        if len(request_data) > limit:
            note_refusal("batch")
            raise Refused(400, f"At most {limit} operations in one batched request, got {len(request_data)}", "TOO_MANY_OPERATIONS")
        super()._validate_batch_request(request_data, protocol)

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        """Parse, validate and run, cancelled at the deadline (a whole batch shares one)."""
        seconds = self.settings.execution_deadline_seconds
        try:
            return await within_deadline(
                super().execute_operation(request, request_adapter, request_data, context, root_value, sub_response),
                seconds,
            )
        except DeadlineExceeded:
            note_refusal("deadline")
            ended = await writes_ended(context)
            if isinstance(request_data, list):
                return [_deadline_error(seconds, ended) for _ in request_data]
            return _deadline_error(seconds, ended)
        except asyncio.CancelledError:
            if _being_cancelled():
                raise  # the server's own (shutdown): not ours to answer
            # A cancellation nobody asked of this request (work in flight cancelled by
            # another's failure) is a fault to log, answered like any other.
            log.exception("a CancelledError escaped the execution of a request that was not cancelled")
            if isinstance(request_data, list):
                return [_stray_cancellation_error() for _ in request_data]
            return _stray_cancellation_error()
        finally:
            context.forget_loaded()

    async def process_result(self, request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if self.settings.production:
            for error in processed.get("errors") or ():
                error["message"] = _SUGGESTION.sub("", error["message"])
        return processed


def _noted(allowance: Any) -> Any:
    """The caller's budget changes without any write: an answer showing it is never kept (edge.answer_cache)."""
    reads.noted_moment_read()
    return allowance


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class DatabaseHolder:
    """The database, once the lifespan has opened it, and whether it answers and writes."""

    def __init__(self) -> None:
        self._db: Database | None = None
        self.supervisor: EngineSupervisor | None = None  # set while serving (not with a caller's database)

    def available(self) -> bool:
        return self.supervisor is None or self.supervisor.available

    async def recheck(self) -> bool:
        """After a request met a database error: whether the database still writes
        (a fresh probe, shared with concurrent callers)."""
        return self.supervisor is None or await self.supervisor.check()

    def set(self, db: Database | None) -> None:
        self._db = db

    def get(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    extensions: tuple = (),
    planned: bool = True,
    tracing: Tracing | None = None,
) -> Starlette:
    """The app; with `database` given it uses that instead of opening its own.

    `tracing`: OpenTelemetry spans (memberdir.tracing); by default on only when
    OTEL_EXPORTER_OTLP_ENDPOINT is set. A caller's `database` has its own listeners.

    `extensions`: extra schema extensions, for tests that need a slow resolver.
    `planned=False`: graphql-core's executor alone (the reference), for tests.
    """
    settings = settings or Settings()
    tracing = tracing or tracing_setup.from_environment()
    traced_commands = tracing.database_listeners() if tracing else ()
    holder = DatabaseHolder()
    holder.set(database)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if database is not None:  # owned by the caller
            yield
            return
        lease = timedelta(seconds=settings.write_lease_seconds)
        if settings.mongodb_uri is not None:
            async with open_database(settings, seed_if_empty=True, listeners=traced_commands) as db, \
                    supervising(None):
                holder.set(db)
                async with serving_work(lease):
                    yield
                holder.set(None)
            return
        # The embedded engine, watched: restarted if it dies or cannot write (README, "Database engines").
        with settings_engine(settings) as engine:
            async with supervising(engine), \
                    open_database(settings, seed_if_empty=True, engine=engine, listeners=traced_commands) as db:
                holder.set(db)
                async with serving_work(lease):
                    yield
                holder.set(None)

    @asynccontextmanager
    async def serving_work(lease: timedelta) -> AsyncIterator[None]:
        """What a serving process does besides answering: completing cut-off changes,
        delivering notifications, owing the month's operational notices, expiring
        invitations. Each is safe with several processes (README, "Operations")."""
        async with sweeping(holder.get, lease), delivering(holder.get, settings, metrics), \
                noticing(holder.get, settings.operational_notices_day, settings.operational_notices_check_seconds), \
                expiring(holder.get, settings.invitation_sweep_seconds, lease):
            yield

    @asynccontextmanager
    async def supervising(engine: EmbeddedEngine | None) -> AsyncIterator[None]:
        """The supervisor watching the database (MONGODB_URI's when `engine` is None)."""
        holder.supervisor = EngineSupervisor.for_settings(settings, engine)
        watching = asyncio.create_task(holder.supervisor.watch())
        try:
            yield
        finally:
            watching.cancel()
            with suppress(asyncio.CancelledError):
                await watching
            holder.supervisor = None

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        """Ready when the database answers and writes: the supervisor's verdict from a
        journaled write probe at most one probe interval old (so a stream of /readyz
        calls makes no stream of writes)."""
        supervisor = holder.supervisor
        if supervisor is None:  # a database the caller owns: it answers or not
            try:
                await holder.get().ping()
            except Exception:  # any failure to answer means not ready
                return _unready("not answering", "the database does not answer")
        elif not await supervisor.check(max_age=settings.health_probe_seconds):
            return _unready(supervisor.state, supervisor.reason)
        return JSONResponse({"status": "ok", "database": "ok"})

    limiter = RateLimiter(settings.rate_limit_points_per_minute, settings.trusted_proxies)
    embedded = database is None and settings.mongodb_uri is None
    metrics = Metrics(
        settings.metrics_max_operation_names,
        engine_up=settings_engine(settings).answering if embedded else None,
    )
    answers = AnswerCache(settings.response_cache_bytes)
    metrics.watch_answers(answers)
    graphql = DirectoryGraphQL(settings, holder, limiter, extensions, planned, tracing, answers)
    budgeted = RateLimitGate(graphql, limiter)
    authenticator = Authenticator(settings, holder)
    guarded = stack.guard_graphql(Authentication(budgeted, authenticator), settings)
    exports = stack.guard_graphql(Authentication(ExportEndpoint(holder), authenticator), settings)
    matches = affiliation_matching.guard(
        Authentication(affiliation_matching.AffiliationMatchEndpoint(holder), authenticator), settings)
    app = Starlette(
        routes=[
            Route("/graphql", DatabaseGate(guarded, holder.available), methods=["GET", "POST"]),
            Route("/export/roster/{slug}.{format}", DatabaseGate(exports, holder.available), methods=["GET"]),
            Route("/export/{kind}.{format}", DatabaseGate(exports, holder.available), methods=["GET"]),
            Route(verify_email.PATH, DatabaseGate(VerifyEmailPage(graphql.schema, holder.get, settings),
                                                  holder.available), methods=["GET", "POST"]),
            Route("/match/affiliations.csv", DatabaseGate(matches, holder.available), methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *_metrics_routes(settings, metrics),
            *SignInRoutes(settings, holder, authenticator).routes(lambda app: DatabaseGate(app, holder.available)),
            *graphql.pages.routes(),
        ],
        middleware=[
            *((Middleware(tracing.requests),) if tracing else ()),  # outermost: the request's span holds all
            Middleware(Observe, metrics=metrics),
            *stack.app_middleware(settings),
        ],
        lifespan=lifespan,
        exception_handlers=stack.EXCEPTION_HANDLERS,
    )
    app.state.metrics, app.state.rate_limiter = metrics, limiter  # for `serve` and the exports
    app.state.tracing = tracing
    app.state.answers = answers
    return app


def _unready(state: str, reason: str | None) -> JSONResponse:
    body = {"status": "unavailable", "database": state, "reason": reason}
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


def _metrics_routes(settings: Settings, metrics: Metrics) -> list[Route]:
    """/metrics: with MEMBERDIR_METRICS_TOKEN set, to its holders only; else open in
    development and absent in production (where MEMBERDIR_METRICS_PORT serves it)."""
    if settings.metrics_token is not None:
        return [Route("/metrics", metrics_endpoint(metrics, settings.metrics_token.get_secret_value()))]
    return [] if settings.production else [Route("/metrics", metrics_endpoint(metrics, None))]
