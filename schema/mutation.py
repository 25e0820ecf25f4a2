"""The root Mutation type: every domain's mutations, merged."""

from strawberry.tools import merge_types

from schema.mutations.organisations import OrganisationMutations

Mutation = merge_types("Mutation", (OrganisationMutations,))
