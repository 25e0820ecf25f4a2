"""The directory's GraphQL schema: an Apollo Federation 2 subgraph."""

from collections.abc import Iterable

import strawberry
from strawberry.extensions import SchemaExtension

from schema.groups import WorkingGroup
from schema.organisations import Organisation
from schema.people import Person
from schema.query import Query


def build_schema(extensions: Iterable[SchemaExtension | type[SchemaExtension]] = ()) -> strawberry.federation.Schema:
    return strawberry.federation.Schema(
        query=Query,
        types=[Organisation, Person, WorkingGroup],
        extensions=list(extensions),
    )
