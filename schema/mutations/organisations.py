"""Mutations of organisations and their role contacts."""

from enum import Enum

import strawberry
from strawberry import Info

from resolvers.mutations import contacts as contact_edits
from resolvers.mutations import organisations as edits
from schema.enums import ContactRole, Designation, OrganisationKind, Sector
from schema.mutations.common import ChangeInput, MutationInput, Payload, given, mutation_input, payload
from schema.organisations import Organisation


@strawberry.enum
class MembershipDecision(Enum):
    APPROVE = "APPROVE"
    DECLINE = "DECLINE"


@strawberry.enum
class ReviewOutcome(Enum):
    RENEWED = "RENEWED"
    LAPSED = "LAPSED"


@strawberry.input(description="Omitted: unchanged. null: cleared (optional scalars only; null on a required "
                              "or list field is INVALID). []: clears a list.")
class OrganisationPatch:
    name: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    sectors: list[Sector] | None = strawberry.UNSET
    ror_id: str | None = strawberry.UNSET
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Other names it is known by, for affiliation matching (staff only)")
    acronyms: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Its acronyms, for affiliation matching (staff only)")
    time_zone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An IANA time zone key (Europe/Berlin, UTC); null: back to the country's own zone",
    )


_PATCH_NAMES = {"name": "name", "website": "website", "city": "city", "sectors": "sectors", "ror_id": "rorId",
                "time_zone": "timeZone", "aliases": "aliases", "acronyms": "acronyms"}


@mutation_input
class UpdateOrganisationInput(ChangeInput):
    id: strawberry.ID
    patch: OrganisationPatch


@mutation_input(description="Staff, or a signed-in person applying for their organisation (who becomes its "
                            "Primary): status APPLICANT.")
class CreateOrganisationInput(MutationInput):
    slug: str
    name: str
    kind: OrganisationKind
    country: str
    sectors: list[Sector] | None = None
    website: str | None = None
    city: str | None = None
    ror_id: str | None = None


@mutation_input(description="PRIMARY, ADMINISTRATOR and SIGNER replace the current holder; COMMUNICATIONS adds "
                            "one for a group. The person must be affiliated with the organisation, whoever "
                            "assigns them.")
class AssignRoleContactInput(ChangeInput):
    organisation_id: strawberry.ID
    role: ContactRole
    person_id: strawberry.ID
    working_group_id: strawberry.ID | None = None


@mutation_input
class RemoveRoleContactInput(ChangeInput):
    organisation_id: strawberry.ID
    contact_id: strawberry.ID


@mutation_input
class DecideMembershipInput(ChangeInput):
    organisation_id: strawberry.ID
    decision: MembershipDecision


@mutation_input
class RecordReviewInput(ChangeInput):
    organisation_id: strawberry.ID
    outcome: ReviewOutcome


@mutation_input
class RemovalNoticeInput(ChangeInput):
    organisation_id: strawberry.ID
    reason: str = strawberry.field()  # required here: no default inherited


@mutation_input(description="The Primary or staff.")
class CancelMembershipInput(ChangeInput):
    organisation_id: strawberry.ID


@mutation_input(description="The applicant's Primary or staff: an APPLICANT becomes CANCELLED (withdrawn).")
class WithdrawApplicationInput(ChangeInput):
    organisation: strawberry.ID


@mutation_input(description="Staff, only after a removal notice and the notice period.")
class RemoveMembershipInput(ChangeInput):
    organisation_id: strawberry.ID
    reason: str = strawberry.field()  # required here: no default inherited


@mutation_input
class SetDesignationsInput(ChangeInput):
    organisation_id: strawberry.ID
    designations: list[Designation]


@payload
class OrganisationPayload(Payload):
    organisation: Organisation | None

    load = staticmethod(lambda context, change: edits.load(context, change.owner_id))
    show = staticmethod(Organisation.of)


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation
    async def create_organisation(self, info: Info, input: CreateOrganisationInput) -> OrganisationPayload:
        fields = given(input, {"slug": "slug", "name": "name", "kind": "kind", "country": "country",
                               "website": "website", "city": "city", "ror_id": "rorId"})
        fields["sectors"] = [s.value for s in input.sectors or ()]
        work = edits.create(info.context, fields, input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def update_organisation(self, info: Info, input: UpdateOrganisationInput) -> OrganisationPayload:
        work = edits.update(info.context, str(input.id), input.expected_version, given(input.patch, _PATCH_NAMES),
                            input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def assign_role_contact(self, info: Info, input: AssignRoleContactInput) -> OrganisationPayload:
        group = str(input.working_group_id) if input.working_group_id else None
        work = contact_edits.assign(info.context, str(input.organisation_id), input.expected_version, input.role,
                                    str(input.person_id), group, input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def remove_role_contact(self, info: Info, input: RemoveRoleContactInput) -> OrganisationPayload:
        work = contact_edits.remove(info.context, str(input.organisation_id), input.expected_version,
                                    str(input.contact_id), input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def decide_membership(self, info: Info, input: DecideMembershipInput) -> OrganisationPayload:
        work = edits.decide(info.context, str(input.organisation_id), input.expected_version,
                            input.decision is MembershipDecision.APPROVE, input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def record_membership_review(self, info: Info, input: RecordReviewInput) -> OrganisationPayload:
        work = edits.review(info.context, str(input.organisation_id), input.expected_version,
                            input.outcome is ReviewOutcome.RENEWED, input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def record_removal_notice(self, info: Info, input: RemovalNoticeInput) -> OrganisationPayload:
        work = edits.removal_notice(info.context, str(input.organisation_id), input.expected_version, input.reason,
                                    input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def cancel_membership(self, info: Info, input: CancelMembershipInput) -> OrganisationPayload:
        work = edits.cancel(info.context, str(input.organisation_id), input.expected_version, input.reason,
                            input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def withdraw_application(self, info: Info, input: WithdrawApplicationInput) -> OrganisationPayload:
        work = edits.withdraw(info.context, str(input.organisation), input.expected_version, input.reason,
                              input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def remove_membership(self, info: Info, input: RemoveMembershipInput) -> OrganisationPayload:
        work = edits.remove(info.context, str(input.organisation_id), input.expected_version, input.reason,
                            input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def set_designations(self, info: Info, input: SetDesignationsInput) -> OrganisationPayload:
        work = edits.set_designations(info.context, str(input.organisation_id), input.expected_version,
                                      [d.value for d in input.designations], input.reason, input.client_mutation_id)
        return await OrganisationPayload.of(info, work, input.client_mutation_id)
