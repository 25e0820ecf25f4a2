"""Answers already known: a 304 for a GET whose ETag is still current, and the
exact response cache (edge.answer_cache), as two schema extensions around the
rate-limit charge (edge.graphql_accounting.OperationAccounting):

    NotModifiedBeforeCharge -> OperationAccounting (charges) -> KeptAnswers

- NotModifiedBeforeCharge: a GET query with If-None-Match naming a generation
  ETag (edge.etags) that the current tokens give again is answered 304
  without running; it sets the operation's result first, which tells the
  accounting to charge nothing (a 304 decided without executing is free).
- KeptAnswers: after the charge, serves a kept answer whose tokens still hold
  (extensions.cache HIT), else runs the query recording what it read
  (datastore.reads) and keeps it if it may (MISS). GET answers without
  errors get an ETag and caching headers; a content ETag that matches after
  running is a 304 too, but charged.

The credentials were checked (Authentication) before any of this, and the
per-caller extensions (cost, rate limit, request id) are computed for every
request by the accounting: only `data` is ever kept.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from datastore import generations, reads
from memberdir.edge import etags
from memberdir.edge.answer_cache import KEPT_OVER, AnswerCache, KeptAnswer, caller_of
from memberdir.edge.database_commands import DATABASE_COMMANDS
from resolvers.viewer import ANONYMOUS

HIT, MISS = "HIT", "MISS"
# What a GET answer depends on besides the URL: the media type it speaks, and
# whose answer it is (credentials by header or session cookie).
VARY = ("Accept", "Authorization", "Cookie", "X-API-Key")
PUBLIC = "public, max-age=0, must-revalidate"
PRIVATE = "private, no-cache"


@dataclass
class Reuse:
    """One operation's state, shared by the two extensions."""

    request: Request
    key: tuple  # (document, operation name, variables as JSON)
    caller: str
    get: bool  # a GET, not part of a batch: ETag and 304 apply
    tokens: dict[str, str | None] | None = None
    cache: str | None = None  # HIT or MISS, once known
    etag: str | None = None
    not_modified: bool = False
    day: date = field(default_factory=lambda: datetime.now(UTC).date())

    @property
    def kept_key(self) -> tuple:
        """The cache's key: the request and whose answer it is, so callers never share one."""
        return (*self.key, self.caller)

    async def current_tokens(self, db: Any) -> dict[str, str | None]:
        if self.tokens is None:
            self.tokens = await generations.shared_current(db)
        return self.tokens


def _reuse_of(extension: SchemaExtension) -> Reuse | None:
    """The operation's Reuse, made by whichever extension comes first; None where nothing applies."""
    context = extension.execution_context
    found = getattr(context, "memberdir_reuse", False)
    if found is not False:
        return found
    reuse = None
    request = getattr(context.context, "request", None)
    variables = _canonical(context.variables) if request is not None and context.query else None
    if variables is not None and context.operation_type is OperationType.QUERY:
        viewer = request.scope.get("state", {}).get("viewer", ANONYMOUS)
        single = not getattr(request.state, "graphql_batch", False)
        reuse = Reuse(
            request, (context.query, context.operation_name, variables), caller_of(viewer),
            get=single and request.method in ("GET", "HEAD"),
        )
        reuse.day = getattr(context.context, "_today", reuse.day)  # the date the answer would read
        if reuse.get:
            request.state.answer_reuse = reuse
    context.memberdir_reuse = reuse  # type: ignore[attr-defined]
    return reuse


def _canonical(variables: dict[str, Any] | None) -> str | None:
    """The variables as JSON with sorted keys; None for what has no JSON (a lone surrogate:
    request_checks names it), which is then neither kept nor tagged."""
    try:
        return orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return None


class NotModifiedBeforeCharge(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        reuse = _reuse_of(self)
        if reuse is not None and reuse.get and (asked := reuse.request.headers.get("if-none-match")):
            tokens = await reuse.current_tokens(self.execution_context.context.db)
            if (tag := etags.still_current(asked, reuse.key, reuse.caller, tokens, reuse.day)) is not None:
                reuse.etag, reuse.not_modified = tag, True
                self.execution_context.result = GraphQLExecutionResult(data=None, errors=None)
        yield


class KeptAnswers(SchemaExtension):
    def __init__(self, cache: AnswerCache):
        self.cache = cache

    async def on_execute(self) -> AsyncIterator[None]:
        reuse = _reuse_of(self)
        context = self.execution_context
        if reuse is None or context.result is not None or not (self.cache.enabled or reuse.get):
            yield  # not a query, refused by the rate limit, or already a 304
            return
        db = context.context.db
        with reads.recording() as read:
            tokens = await reuse.current_tokens(db)
            kept = self.cache.get(reuse.kept_key, tokens, reuse.day) if self.cache.enabled else None
            if kept is not None:
                reuse.cache, reuse.etag = HIT, kept.etag
                context.result = GraphQLExecutionResult(data=orjson.Fragment(kept.data), errors=None)
            else:
                reuse.cache = MISS
                context.context.loaders.generation.start_from(tokens)  # no second read of the same tokens
            yield
        if kept is None:
            self._after_running(reuse, read, tokens)
        if reuse.get and reuse.etag is not None:
            reuse.not_modified = etags.matches(reuse.request.headers.get("if-none-match"), reuse.etag)
            self._caching_headers(reuse)

    def _after_running(self, reuse: Reuse, read: reads.Reads, tokens: dict[str, str | None]) -> None:
        result = self.execution_context.result
        if result is None or result.errors or result.data is None or not isinstance(result, GraphQLExecutionResult):
            return  # answers with errors are neither kept nor tagged
        data = orjson.dumps(result.data)
        collections = read.collections - {"meta"}
        under = [(c, tokens.get(c)) for c in sorted(collections)]
        keepable = (
            _sees_reads(self.execution_context.context.db) and not read.moment and collections <= KEPT_OVER
            and all(token is not None for _, token in under)
        )
        if keepable:
            day = reuse.day if read.date else None
            reuse.etag = etags.generation_etag(reuse.key, reuse.caller, under, day)  # type: ignore[arg-type]
            if self.cache.enabled:
                answer = KeptAnswer(data, tuple(under), day, reuse.etag)  # type: ignore[arg-type]
                self.cache.put(reuse.kept_key, answer, sum(len(part or "") for part in reuse.key))
        elif reuse.get:
            reuse.etag = etags.content_etag(reuse.caller, data)

    def _caching_headers(self, reuse: Reuse) -> None:
        response = self.execution_context.context.response
        if response is None:
            return
        response.headers["ETag"] = reuse.etag
        response.headers["Cache-Control"] = PUBLIC if reuse.caller == "anonymous" else PRIVATE
        response.headers["Vary"] = ", ".join(VARY)

    def get_results(self) -> dict[str, Any]:
        reuse = getattr(self.execution_context, "memberdir_reuse", None)
        if reuse is None or reuse.cache is None or not self.cache.enabled:
            return {}
        return {"cache": reuse.cache}


def _sees_reads(db: Any) -> bool:
    """Whether the listener that notes each command's collection (datastore.reads) watches this
    database's client, as `serve` connects it: without it an answer's reads are unknown."""
    return DATABASE_COMMANDS in db.client.options.event_listeners


def not_modified_instead(request: Request, response: Response) -> Response:
    """The 304 for a GET whose answer the client holds already: no body, the validators and caching headers."""
    reuse: Reuse | None = getattr(request.state, "answer_reuse", None)
    if reuse is None or not reuse.not_modified or reuse.etag is None or response.status_code != 200:
        return response
    headers = {
        "ETag": reuse.etag,
        "Cache-Control": PUBLIC if reuse.caller == "anonymous" else PRIVATE,
        "Vary": ", ".join(VARY),
    }
    return Response(status_code=304, headers=headers)


__all__ = ["HIT", "MISS", "KeptAnswers", "NotModifiedBeforeCharge", "not_modified_instead"]
