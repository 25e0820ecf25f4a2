"""The root Mutation type: every domain's mutations, merged."""

from strawberry.tools import merge_types

from schema.mutations.groups import GroupMutations
from schema.mutations.organisations import OrganisationMutations
from schema.mutations.people import PersonMutations
from schema.mutations.rosters import RosterMutations

Mutation = merge_types("Mutation", (OrganisationMutations, PersonMutations, RosterMutations, GroupMutations))
