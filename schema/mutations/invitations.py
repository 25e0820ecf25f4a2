"""Mutations of invitations: recommending, inviting, answering, withdrawing."""

from datetime import date

import strawberry
from strawberry import Info

from resolvers import invitations as visibility
from resolvers.invitations import InvitationRecord
from resolvers.mutations import invitations as edits
from resolvers.mutations.committing import outcome
from schema.enums import RosterRole
from schema.invitations import Invitation
from schema.mutations.common import UserError, call_digest, user_errors


@strawberry.input(description="The Primary or Administrator of `organisation` recommends one of its people "
                              "(affiliated with it, not on the group's roster) to the group's chairs.")
class RecommendForGroupInput:
    group: strawberry.ID
    person: strawberry.ID
    organisation: strawberry.ID
    role: RosterRole = RosterRole.MEMBER
    message: str | None = strawberry.field(default=None, description="Plain text for the chairs, at most 1,000 characters")
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="The group's chairs and co-chairs (MEMBER, CONTRIBUTOR, OBSERVER) or staff (any role) "
                              "invite a person, following a recommendation (give its id) or not. expiresOn "
                              "defaults to 30 days from today (a setting); the person may answer until its end (UTC).")
class InviteToGroupInput:
    group: strawberry.ID
    person: strawberry.ID
    role: RosterRole = RosterRole.MEMBER
    message: str | None = strawberry.field(default=None, description="Plain text for the person, at most 1,000 characters")
    expires_on: date | None = None
    recommendation: strawberry.ID | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="The person invited accepts (the roster entry is added from today, in the same "
                              "change) or declines.")
class AnswerInvitationInput:
    invitation: strawberry.ID
    accept: bool
    expected_version: int
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="A recommendation: its organisation's Primary or Administrator, or staff. An "
                              "invitation: the chair who sent it, any current chair of the group, or staff.")
class WithdrawInvitationInput:
    invitation: strawberry.ID
    expected_version: int
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class InvitationPayload:
    invitation: Invitation | None
    user_errors: list[UserError]
    client_mutation_id: str | None

    @classmethod
    async def of(cls, info: Info, work, client_mutation_id: str | None) -> "InvitationPayload":
        context = info.context
        result = await outcome(context, work, client_mutation_id,
                               lambda change: edits.load(context, change.owner_id), call_digest(info))
        record = result.record if isinstance(result.record, InvitationRecord) else None
        # The payload shows only what the caller may see (a stale answer carries the current record).
        shown = await visibility.visible(context, record)
        return cls(invitation=Invitation.of(shown) if shown else None, user_errors=user_errors(result),
                   client_mutation_id=client_mutation_id)


@strawberry.type
class InvitationMutations:
    @strawberry.mutation(description="Primary or Administrator of `organisation`; the person affiliated with it.")
    async def recommend_for_group(self, info: Info, input: RecommendForGroupInput) -> InvitationPayload:
        work = edits.recommend(info.context, str(input.group), str(input.person), str(input.organisation),
                               input.role, input.message, input.reason, input.client_mutation_id)
        return await InvitationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation(description="The group's chairs and co-chairs, staff.")
    async def invite_to_group(self, info: Info, input: InviteToGroupInput) -> InvitationPayload:
        work = edits.invite(info.context, str(input.group), str(input.person), input.role, input.message,
                            input.expires_on, str(input.recommendation) if input.recommendation else None,
                            input.reason, input.client_mutation_id)
        return await InvitationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation(description="The person invited.")
    async def answer_invitation(self, info: Info, input: AnswerInvitationInput) -> InvitationPayload:
        work = edits.answer(info.context, str(input.invitation), input.accept, input.expected_version, input.reason,
                            input.client_mutation_id)
        return await InvitationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation(description="Whoever made it, staff.")
    async def withdraw_invitation(self, info: Info, input: WithdrawInvitationInput) -> InvitationPayload:
        work = edits.withdraw(info.context, str(input.invitation), input.expected_version, input.reason,
                              input.client_mutation_id)
        return await InvitationPayload.of(info, work, input.client_mutation_id)
