"""How a GraphQL request runs: checked before it runs (request checks,
validation that names arguments, limits on size and cost), answered from
caches where an answer is already known, and executed level by level
(the planned executor) or by graphql-core.

The schema package holds only the types; this package assembles them into
the schema the app serves.
"""

from collections.abc import Callable, Iterable

from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from memberdir.execution.planned import PlannedExecution
from memberdir.execution.request_checks import CheckRequestBeforeExecution
from memberdir.execution.validation import NameArgumentsInValidationErrors
from schema import ENTITY_TYPES, DirectorySchema, Mutation, Query

Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    extensions: Iterable[Extension] = (), config: StrawberryConfig | None = None, planned: bool = True
) -> DirectorySchema:
    """The schema; `extensions` are classes or factories, built afresh per request.
    `planned: False` leaves every operation to graphql-core's executor (the reference)."""
    return DirectorySchema(
        query=Query,
        mutation=Mutation,
        types=ENTITY_TYPES,
        extensions=[NameArgumentsInValidationErrors, CheckRequestBeforeExecution, *extensions],
        config=config,
        execution_context_class=PlannedExecution if planned else None,
    )
