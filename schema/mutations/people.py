"""Mutations of people: profile, contact visibility, subscriptions, individual membership, erasure."""

from enum import Enum

import strawberry
from strawberry import Info

from datastore.records.memberships import AgreementVersions
from datastore.records.vocabulary import IndividualMembershipStatus
from resolvers.mutations import email_verification, erasure
from resolvers.mutations import people as edits
from schema.enums import ContactVisibility
from schema.mutations.common import ChangeInput, MutationInput, Payload, given, mutation_input, payload
from schema.people import Person


@strawberry.enum
class IndividualDecision(Enum):
    APPROVE = "APPROVE"
    DECLINE = "DECLINE"
    REMOVE = "REMOVE"


_DECIDED = {
    IndividualDecision.APPROVE: IndividualMembershipStatus.ACTIVE,
    IndividualDecision.DECLINE: IndividualMembershipStatus.DECLINED,
    IndividualDecision.REMOVE: IndividualMembershipStatus.REMOVED,
}


@strawberry.input(description="Omitted: unchanged. null: cleared (optional fields only; null on givenName, "
                              "familyName or contactVisibility is INVALID). affiliation: staff; or the person "
                              "themself to leave (null); refused (CONFLICT) while they hold roles for "
                              "the organisation. contactVisibility: the person themself and staff only. "
                              "email: from anyone but staff, pending (Person.pendingEmail) until the link "
                              "sent to it is followed; staff set it directly, with a reason.")
class PersonPatch:
    given_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    orcid: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    contact_visibility: ContactVisibility | None = strawberry.UNSET
    affiliation: strawberry.ID | None = strawberry.UNSET


_PATCH_NAMES = {"given_name": "givenName", "family_name": "familyName", "email": "email", "orcid": "orcid",
                "country": "country", "contact_visibility": "contactVisibility", "affiliation": "affiliation"}


@mutation_input
class UpdatePersonInput(ChangeInput):
    id: strawberry.ID
    patch: PersonPatch


@mutation_input(description="Staff, or the Primary or Administrator of `affiliation`. contactVisibility "
                            "(default MEMBERS) is the person's own choice: only staff may set it here. "
                            "An email given by anyone but staff is pending until its owner follows the link "
                            "sent to it.")
class CreatePersonInput(MutationInput):
    given_name: str
    family_name: str
    email: str | None = None
    orcid: str | None = None
    country: str | None = None
    affiliation: strawberry.ID | None = None
    contact_visibility: ContactVisibility | None = None


@strawberry.input(description="The person's own subscriptions (the person or staff); their organisations' "
                              "COMMUNICATIONS assignments are role contacts.")
class SetCommunicationsInput:
    person_id: strawberry.ID
    expected_version: int
    working_group_ids: list[strawberry.ID]
    client_mutation_id: str | None = None


@strawberry.input(description="The versions of the Constitution and of the Member Agreement accepted.")
class AgreementVersionsInput:
    constitution: str
    member_agreement: str


@mutation_input(description="The person themself, or staff for them. acceptedAgreements: the versions of the Constitution and the "
                            "Member Agreement the person accepts, which must be those in force "
                            "(Query.agreementVersions), else INVALID naming the one that is not; recorded with "
                            "the application in individualMembership.history.")
class ApplyForIndividualMembershipInput(ChangeInput):
    person_id: strawberry.ID
    accepted_agreements: AgreementVersionsInput


@mutation_input(description="The person (at any time) or staff.")
class CancelIndividualMembershipInput(ChangeInput):
    person_id: strawberry.ID


@mutation_input(description="Staff.")
class DecideIndividualMembershipInput(ChangeInput):
    person_id: strawberry.ID
    decision: IndividualDecision


@mutation_input(description="Staff, on the person's request: their data leaves the record and the audit log; "
                            "the record stays as an anonymous placeholder.")
class ErasePersonInput(ChangeInput):
    person_id: strawberry.ID
    reason: str = strawberry.field()  # required here: no default inherited


@strawberry.input(description="The token of the link sent to a new address (anyone holding it: it was sent there).")
class VerifyEmailInput:
    token: str
    client_mutation_id: str | None = None


@payload
class PersonPayload(Payload):
    person: Person | None

    load = staticmethod(lambda context, change: edits.load(context, change.owner_id))
    show = staticmethod(Person.of)


@strawberry.type
class PersonMutations:
    @strawberry.mutation
    async def create_person(self, info: Info, input: CreatePersonInput) -> PersonPayload:
        fields = {name: value for name, value in given(input, _PATCH_NAMES).items() if value is not None}
        work = edits.create(info.context, fields, input.reason, input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def update_person(self, info: Info, input: UpdatePersonInput) -> PersonPayload:
        work = edits.update(info.context, str(input.id), input.expected_version, given(input.patch, _PATCH_NAMES),
                            input.reason, input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def set_communications(self, info: Info, input: SetCommunicationsInput) -> PersonPayload:
        work = edits.set_communications(info.context, str(input.person_id), input.expected_version,
                                        [str(g) for g in input.working_group_ids], input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def apply_for_individual_membership(self, info: Info,
                                              input: ApplyForIndividualMembershipInput) -> PersonPayload:
        accepted = AgreementVersions(input.accepted_agreements.constitution,
                                     input.accepted_agreements.member_agreement)
        work = edits.apply(info.context, str(input.person_id), input.expected_version, accepted, input.reason,
                           input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def cancel_individual_membership(self, info: Info, input: CancelIndividualMembershipInput) -> PersonPayload:
        work = edits.cancel(info.context, str(input.person_id), input.expected_version, input.reason,
                            input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def decide_individual_membership(self, info: Info, input: DecideIndividualMembershipInput) -> PersonPayload:
        work = edits.decide(info.context, str(input.person_id), input.expected_version, _DECIDED[input.decision],
                            input.reason, input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation(description="Follow the link sent to a new address: the address becomes the person's.")
    async def verify_email(self, info: Info, input: VerifyEmailInput) -> PersonPayload:
        work = email_verification.verify(info.context, input.token, input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def erase_person(self, info: Info, input: ErasePersonInput) -> PersonPayload:
        work = erasure.erase(info.context, str(input.person_id), input.expected_version, input.reason,
                           input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)
