"""The root Mutation type: every domain's mutations, merged."""

from strawberry.tools import merge_types

from schema.mutations.groups import GroupMutations
from schema.mutations.invitations import InvitationMutations
from schema.mutations.limits import with_input_limits
from schema.mutations.merging import MergingMutations
from schema.mutations.organisations import OrganisationMutations
from schema.mutations.people import PersonMutations
from schema.mutations.rosters import RosterMutations
from schema.mutations.webhooks import WebhookMutations

# Every mutation's input is checked against the limits on input before it runs.
Mutation = with_input_limits(
    merge_types("Mutation", (OrganisationMutations, PersonMutations, RosterMutations, GroupMutations,
                             InvitationMutations, WebhookMutations, MergingMutations))
)
