"""The directory's GraphQL schema: an Apollo Federation 2 subgraph."""

from collections.abc import Callable, Iterable

from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.entities import DirectorySchema
from schema.groups import WorkingGroup
from schema.mutation import Mutation
from schema.inputs import CheckRequestBeforeExecution
from schema.organisations import Organisation
from schema.people import Person
from schema.planned import PlannedExecution
from schema.query import Query
from schema.validation import NameArgumentsInValidationErrors


Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    extensions: Iterable[Extension] = (), config: StrawberryConfig | None = None, planned: bool = True
) -> DirectorySchema:
    """The schema; `extensions` are classes or factories, built afresh per request.
    `planned: False` leaves every operation to graphql-core's executor (the reference)."""
    return DirectorySchema(
        query=Query,
        mutation=Mutation,
        types=[Organisation, Person, WorkingGroup],
        extensions=[NameArgumentsInValidationErrors, CheckRequestBeforeExecution, *extensions],
        config=config,
        execution_context_class=PlannedExecution if planned else None,
    )
