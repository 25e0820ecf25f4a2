"""Only our own failures are logged with a traceback, once, with the request id.

Strawberry logs every GraphQL error with its traceback on the
`strawberry.execution` logger, a client's bad argument as much as our bug:
about thirty lines for each typo. A client's mistake is already in its
request's access line (its error code), so it is dropped here; an internal
error is kept, with the request id the client also gets in `extensions`.
"""

import logging
from collections.abc import Callable

from graphql import GraphQLError
from pymongo.errors import PyMongoError

from memberdir.edge.request_record import current_request

STRAWBERRY_ERRORS = logging.getLogger("strawberry.execution")


class OnlyInternalErrors(logging.Filter):
    def __init__(self, is_internal: Callable[[GraphQLError], bool]):
        super().__init__()
        self.is_internal = is_internal

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        if not isinstance(error, GraphQLError):
            return True
        if not self.is_internal(error):
            return False
        current = current_request()
        record.request_id = current.request_id if current else None
        where = ".".join(str(p) for p in error.path or ()) or "the query"
        record.msg, record.args = "Internal error resolving %s: %s", (where, error.message)
        if isinstance(error.original_error, PyMongoError):
            # The database's own failure (it cannot write, it went away): one line;
            # the supervisor's probe says whether the database is unavailable.
            record.msg, record.exc_info, record.exc_text = "Database error resolving %s: %s", None, None
        return True


def log_only_internal_errors(is_internal: Callable[[GraphQLError], bool]) -> None:
    """Install the filter once per process (apps built again reuse it)."""
    if not any(isinstance(f, OnlyInternalErrors) for f in STRAWBERRY_ERRORS.filters):
        STRAWBERRY_ERRORS.addFilter(OnlyInternalErrors(is_internal))
