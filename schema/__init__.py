"""The directory's GraphQL schema: an Apollo Federation 2 subgraph."""

from collections.abc import Callable, Iterable

from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.entities import DirectorySchema
from schema.groups import WorkingGroup
from schema.mutation import Mutation
from schema.organisations import Organisation
from schema.people import Person
from schema.query import Query
from schema.validation import NameArgumentsInValidationErrors


Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    extensions: Iterable[Extension] = (), config: StrawberryConfig | None = None
) -> DirectorySchema:
    """The schema; `extensions` are classes or factories, built afresh per request."""
    return DirectorySchema(
        query=Query,
        mutation=Mutation,
        types=[Organisation, Person, WorkingGroup],
        extensions=[NameArgumentsInValidationErrors, *extensions],
        config=config,
    )
