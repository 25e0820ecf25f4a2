"""Strawberry's ASGI view, speaking GraphQL over HTTP to the letter.

What it changes, and why (https://graphql.github.io/graphql-over-http/):
- the response is `application/graphql-response+json` when the client
  accepts it (edge.negotiation), 406 when it accepts none of ours;
- with that media type, a request that never ran (parse, validation or
  variable-coercion failure) is a 400 without a `data` entry, so clients and
  proxies can tell it from a result; with `application/json` it stays 200;
- every refusal is a JSON error (edge.errors), never text/plain, and echoes at
  most a short prefix of what the client sent;
- bodies are decoded strictly (edge.bodies): a malformed one is a 400 naming
  the fault, never a 500 that drops the keep-alive connection;
- a mutation over GET is 405 with `Allow: POST`, sent as a document or by id;
  several operations and no `operationName` is an error, not the first operation;
- a document may be named by id instead of sent (edge.documents: trusted
  documents, automatic persisted queries, trusted-documents-only mode).
"""

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from memberdir.edge import bodies
from memberdir.edge.answer_reuse import not_modified_instead
from memberdir.edge.documents import DocumentRequest, Documents, PersistedQueryMiss
from memberdir.edge.errors import Refused, refusal_of, shown
from memberdir.edge.negotiation import GRAPHQL_RESPONSE, JSON, response_media_type

MAX_MESSAGE = 300


class GraphQLOverHTTP(GraphQL):
    documents: Documents | None = None  # documents sent by id (edge.documents); None: text only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            request = Request(scope=scope, receive=receive)
            response = not_modified_instead(request, await self.run(request))
        except HTTPException as refused:
            response = refusal_of(refused)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = await super().get_sub_response(request)
        adapter = self.request_adapter_class(request)
        ide = self.should_render_graphql_ide(adapter)
        # The sub-response carries what the answer speaks; the request's state
        # links to it, so the result (process_result) can set its status.
        sub_response.media_type = JSON if ide else response_media_type(request.headers.get("accept"))
        request.state.graphql_sub_response = sub_response
        return sub_response

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming its document by id or by hash (APQ) asks for an answer, not the page.
        params = request.query_params
        named = params.get("documentId") is not None or params.get("extensions") is not None
        return not named and super().should_render_graphql_ide(request)

    def encode_json(self, data: object) -> bytes:
        # orjson: a tenth of json.dumps's CPU (49 µs to 3 for the counts by country), in UTF-8.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return bodies.decode_json(data)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method != "POST":
            found = await super().parse_http_body(request)
            return DocumentRequest(**vars(found), document_id=request.query_params.get("documentId"))
        # edge.limits let only JSON through (its media type compared case-insensitively, which
        # Strawberry's reading does not do), so the body is read here.
        found = bodies.operations(self.decode_json(await request.get_body()))
        if isinstance(found, list):
            self._validate_batch_request(found, protocol="http")
            return [_request_data(operation) for operation in found]
        return _request_data(found)

    async def execute_operation(self, request, request_adapter, request_data, context, root_value, sub_response):
        request.state.graphql_batch = isinstance(request_data, list)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):
        register = None
        if self.documents is not None:
            found = self.documents.for_request(request.scope, request_data)
            if isinstance(found, PreExecutionError):
                return found  # no document it may run: refused before anything ran
            request_data, register = found.request, found.register
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as refused:
            cause = refused.__cause__
            if isinstance(cause, InvalidOperationTypeError):
                raise Refused(405, "Mutations are sent with POST", headers={"Allow": "POST"}) from cause
            if isinstance(cause, CannotGetOperationTypeError):
                raise Refused(400, _which_operation(request_data.operation_name)) from cause
            raise
        if register is not None and not isinstance(result, PreExecutionError):
            register()  # an automatically persisted query is kept once it has run
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        for error in processed.get("errors") or ():
            # graphql-core quotes names from the document (a field name can be one 1 MB token).
            if len(error["message"]) > MAX_MESSAGE:
                error["message"] = error["message"][:MAX_MESSAGE] + "…"
        sub_response = getattr(request.state, "graphql_sub_response", None)
        if sub_response is not None and sub_response.media_type == GRAPHQL_RESPONSE and isinstance(result, PreExecutionError):
            processed.pop("data", None)  # the request never ran: there is no data, not even null
            if not getattr(request.state, "graphql_batch", False) and not isinstance(result, PersistedQueryMiss):
                sub_response.status_code = 400
        return processed

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = sub_response.media_type or JSON
        return response


def _request_data(operation: dict[str, Any]) -> GraphQLRequestData:
    return DocumentRequest(
        query=operation.get("query"),
        variables=operation.get("variables"),
        operation_name=operation.get("operationName"),
        extensions=operation.get("extensions"),
        protocol="http",
        document_id=operation.get("documentId"),
    )


def _which_operation(name: str | None) -> str:
    if name:
        return f"No operation named {shown(name)} in the document"
    # Several operations without a name are refused earlier (memberdir.execution.request_checks); here there is none.
    return "The document holds no operation to run, only fragments"
