"""Which document a GraphQL request runs: its text, a trusted document's id, or an
automatically persisted query's hash; and, in trusted-documents-only mode, whether
the caller may run it.

- `documentId: "sha256:<hex>"` (the GraphQL-over-HTTP persisted documents
  proposal), in a POST body or a GET query parameter: a trusted document
  (memberdir.edge.trusted_documents), or one registered by APQ.
- `extensions.persistedQuery: {version: 1, sha256Hash}` (Apollo's automatic
  persisted queries): the hash alone runs a known document or answers
  `PersistedQueryNotFound` (200, as Apollo Server does); with the query, the hash is checked and the query
  registered (memberdir.edge.persisted_queries) once it has run.
- With MEMBERDIR_TRUSTED_DOCUMENTS_ONLY, callers below staff, unless their API
  key was issued with `--any-document`, run trusted documents only (by id, or
  by sending the text of one), never the register's: registering is refused.

The document found is handed on as the request's `query`, so everything after
(the limits, GET executing only queries, the caches) treats it as if it had
been sent.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from graphql import GraphQLError
from starlette.types import Scope
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import PreExecutionError

from datastore.records.vocabulary import Role
from memberdir.edge.errors import shown
from memberdir.edge.graphql_accounting import note_errors
from memberdir.edge.persisted_queries import PersistedQueries
from memberdir.edge.request_record import current_request
from memberdir.edge.trusted_documents import SHA256_HEX, TrustedDocuments
from resolvers.viewer import ANONYMOUS, Viewer

OPTION = "MEMBERDIR_TRUSTED_DOCUMENTS_ONLY"
PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"  # the protocol's message, which its clients match
_DOCUMENT_ID_PREFIX = "sha256:"


@dataclass
class DocumentRequest(GraphQLRequestData):
    """A request's operation, with the persisted document's id it named, if any."""

    document_id: Any = None


class PersistedQueryMiss(PreExecutionError):
    """APQ's "send me the query": answered 200 whatever the media type, as Apollo Server does,
    since the protocol's clients (Apollo Client's link, Gateway, Router) look for it in a
    successful response, and by its exact message (Apollo Gateway reads nothing else)."""


class DocumentRefused(Exception):
    """The request names no document it may run; the message says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    answer = PreExecutionError  # a request that never ran: 400 without `data` under application/graphql-response+json

    def result(self) -> PreExecutionError:
        return self.answer(data=None, errors=[GraphQLError(str(self), extensions={"code": self.code})])


class NotPersisted(DocumentRefused):
    """An APQ hash alone that is not known here: the client is to send the query with it."""

    answer = PersistedQueryMiss

    def __init__(self) -> None:
        super().__init__("PERSISTED_QUERY_NOT_FOUND", PERSISTED_QUERY_NOT_FOUND)


@dataclass(frozen=True, slots=True)
class Found:
    request: GraphQLRequestData
    register: Callable[[], None] | None = None  # to call once the document has run (APQ)


class Documents:
    def __init__(self, trusted: TrustedDocuments, register: PersistedQueries, trusted_only: bool):
        self.trusted, self.register, self.trusted_only = trusted, register, trusted_only

    def may_run_any(self, viewer: Viewer) -> bool:
        return not self.trusted_only or viewer.role.at_least(Role.STAFF) or viewer.any_document

    def for_request(self, scope: Scope, request: GraphQLRequestData) -> Found | PreExecutionError:
        """The request with its document, for the viewer Authentication put in `scope`; or the refusal
        to answer (noted in the request's log line and metrics, as an operation's errors are)."""
        try:
            return self.resolve(request, scope.get("state", {}).get("viewer", ANONYMOUS))
        except DocumentRefused as refused:
            result = refused.result()
            if record := current_request():
                note_errors(record, result.errors, lambda _: False)
            return result

    def resolve(self, request: GraphQLRequestData, viewer: Viewer) -> Found:
        """The request with its document's text; DocumentRefused if there is none it may run."""
        any_document = self.may_run_any(viewer)
        document_id = getattr(request, "document_id", None)
        persisted = (request.extensions or {}).get("persistedQuery")
        if document_id is not None:
            if request.query is not None:
                raise DocumentRefused("BAD_REQUEST", "Send `documentId` or `query`, not both")
            return Found(replace(request, query=self._known(_hex_of_document_id(document_id), any_document, document_id)))
        if persisted is not None:
            return self._persisted_query(request, _hash_of(persisted), any_document)
        if any_document or request.query is None or self.trusted.trusts(request.query):
            return Found(request)
        raise _not_trusted("this document is not one of them")

    def _known(self, sha256_hex: str, any_document: bool, named: str | None = None) -> str:
        """The document known by `sha256_hex`: named by `documentId`, or else by an APQ hash."""
        text = self.trusted.get(sha256_hex)
        if text is None and any_document:
            text = self.register.get(sha256_hex)
        if text is None:
            if named is None:
                raise NotPersisted()
            raise DocumentRefused("PERSISTED_QUERY_NOT_FOUND", f"No document is known by {shown(named)}; "
                                  + ("an automatically persisted query is registered by sending it with its hash"
                                     if any_document else f"only the trusted documents are ({OPTION})"))
        return text

    def _persisted_query(self, request: GraphQLRequestData, sha256_hex: str, any_document: bool) -> Found:
        if request.query is None:
            return Found(replace(request, query=self._known(sha256_hex, any_document)))
        if _sha256(request.query) != sha256_hex:
            raise DocumentRefused(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent",
            )
        if self.trusted.get(sha256_hex) is not None or self.trusted.trusts(request.query):
            return Found(request)
        if not any_document:
            raise _not_trusted("registering automatically persisted queries is refused")
        return Found(request, lambda: self.register.register(sha256_hex, request.query))


def _not_trusted(why: str) -> DocumentRefused:
    return DocumentRefused(
        "TRUSTED_DOCUMENTS_ONLY",
        f"This directory runs only its trusted documents ({OPTION} is set) and {why}: send the `documentId` "
        "(sha256:<hex>) or the exact text of a document in its manifest (schema/trusted-documents.json). "
        "Staff, and API keys issued with --any-document, may send any document.",
    )


def _hex_of_document_id(document_id: Any) -> str:
    if isinstance(document_id, str) and document_id.startswith(_DOCUMENT_ID_PREFIX):
        digest = document_id.removeprefix(_DOCUMENT_ID_PREFIX)
        if SHA256_HEX.fullmatch(digest):
            return digest
    raise DocumentRefused("BAD_REQUEST", "`documentId` must be `sha256:` and 64 lowercase hexadecimal digits, "
                          f"not {shown(str(document_id))}")


def _hash_of(persisted: Any) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise DocumentRefused("BAD_REQUEST", "Unsupported persisted query version: extensions.persistedQuery "
                              "must be {version: 1, sha256Hash: <64 hex digits>}")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        raise DocumentRefused("BAD_REQUEST", "extensions.persistedQuery.sha256Hash must be 64 lowercase hexadecimal digits")
    return digest


def _sha256(text: str) -> str:
    """The hash an APQ client computes: of the exact text it sends."""
    return hashlib.sha256(text.encode()).hexdigest()
