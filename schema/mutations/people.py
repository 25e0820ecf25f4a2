"""Mutations of people: profile, contact visibility, subscriptions, individual membership, erasure."""

from enum import Enum

import strawberry
from strawberry import Info

from datastore.records.vocabulary import IndividualMembershipStatus
from resolvers.mutations import erasure
from resolvers.mutations import people as edits
from resolvers.mutations.committing import outcome
from schema.enums import ContactVisibility
from schema.mutations.common import call_digest, UserError, given, user_errors
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
                              "the organisation. contactVisibility: the person themself and staff only.")
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


@strawberry.input
class UpdatePersonInput:
    id: strawberry.ID
    expected_version: int
    patch: PersonPatch
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Staff, or the Primary or Administrator of `affiliation`. contactVisibility "
                              "(default MEMBERS) is the person's own choice: only staff may set it here.")
class CreatePersonInput:
    given_name: str
    family_name: str
    email: str | None = None
    orcid: str | None = None
    country: str | None = None
    affiliation: strawberry.ID | None = None
    contact_visibility: ContactVisibility | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="The person's own subscriptions (the person or staff); their organisations' "
                              "COMMUNICATIONS assignments are role contacts.")
class SetCommunicationsInput:
    person_id: strawberry.ID
    expected_version: int
    working_group_ids: list[strawberry.ID]
    client_mutation_id: str | None = None


@strawberry.input
class ApplyForIndividualMembershipInput:
    person_id: strawberry.ID
    expected_version: int
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="The person (at any time) or staff.")
class CancelIndividualMembershipInput:
    person_id: strawberry.ID
    expected_version: int
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Staff.")
class DecideIndividualMembershipInput:
    person_id: strawberry.ID
    expected_version: int
    decision: IndividualDecision
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Staff, on the person's request: their data leaves the record and the audit log; "
                              "the record stays as an anonymous placeholder.")
class ErasePersonInput:
    person_id: strawberry.ID
    expected_version: int
    reason: str
    client_mutation_id: str | None = None


@strawberry.type
class PersonPayload:
    person: Person | None
    user_errors: list[UserError]
    client_mutation_id: str | None

    @classmethod
    async def of(cls, info: Info, work, client_mutation_id: str | None) -> "PersonPayload":
        context = info.context
        result = await outcome(context, work, client_mutation_id, lambda change: edits.load(context, change.owner_id),
                               call_digest(info))
        record = result.record
        return cls(person=Person.of(record) if record else None, user_errors=user_errors(result),
                   client_mutation_id=client_mutation_id)


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
        work = edits.apply(info.context, str(input.person_id), input.expected_version, input.reason,
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

    @strawberry.mutation
    async def erase_person(self, info: Info, input: ErasePersonInput) -> PersonPayload:
        work = erasure.erase(info.context, str(input.person_id), input.expected_version, input.reason,
                           input.client_mutation_id)
        return await PersonPayload.of(info, work, input.client_mutation_id)
