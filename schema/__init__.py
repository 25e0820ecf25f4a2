"""The directory's GraphQL schema: an Apollo Federation 2 subgraph's types,
inputs and mutations. How it runs (the planned executor, the limits and
caches every request passes) is memberdir.execution's."""

from schema.directory_schema import DirectorySchema
from schema.groups import WorkingGroup
from schema.mutation import Mutation
from schema.organisations import Organisation
from schema.people import Person
from schema.query import Query

# Federation entities that no root field names, listed so the SDL has them.
ENTITY_TYPES = [Organisation, Person, WorkingGroup]

__all__ = ["ENTITY_TYPES", "DirectorySchema", "Mutation", "Query"]
