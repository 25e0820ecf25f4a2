"""mergePeople, mergeOrganisations and unmerge (staff)."""

import strawberry
from strawberry import Info

from datastore.records.vocabulary import RecordType
from resolvers.mutations import merging
from resolvers.mutations.committing import outcome
from schema.mutations.common import UserError, call_digest, user_errors
from schema.mutations.organisations import OrganisationPayload
from schema.mutations.people import PersonPayload
from schema.node import Node, to_node


@strawberry.input(description="Two records of one person (or organisation): `merge` is merged into `keep`, "
                              "each at the version the caller read.")
class MergeInput:
    keep: strawberry.ID
    merge: strawberry.ID
    keep_version: int
    merge_version: int
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Undo a merge within 30 days: `change` is the merge's change id in the audit log.")
class UnmergeInput:
    change: strawberry.ID
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class UnmergePayload:
    records: list[Node] = strawberry.field(description="The kept record and the merged one, as they are again.")
    user_errors: list[UserError]
    client_mutation_id: str | None


def _merge(info: Info, record_type: RecordType, input: MergeInput):
    return merging.merge(info.context, record_type, str(input.keep), str(input.merge), input.keep_version,
                         input.merge_version, input.reason, input.client_mutation_id)


@strawberry.type
class MergingMutations:
    @strawberry.mutation(description="Staff: every reference to `merge` moves to `keep` in one change; "
                                     "node(id: merge) then answers `keep`; the change feed says MERGE.")
    async def merge_people(self, info: Info, input: MergeInput) -> PersonPayload:
        return await PersonPayload.of(info, _merge(info, RecordType.PERSON, input), input.client_mutation_id)

    @strawberry.mutation(description="Staff: as mergePeople, for organisations (people's affiliations move too).")
    async def merge_organisations(self, info: Info, input: MergeInput) -> OrganisationPayload:
        return await OrganisationPayload.of(info, _merge(info, RecordType.ORGANISATION, input),
                                            input.client_mutation_id)

    @strawberry.mutation(description="Staff, within 30 days: restores exactly the state before the merge; "
                                     "CONFLICT if either record or any moved reference changed since.")
    async def unmerge(self, info: Info, input: UnmergeInput) -> UnmergePayload:
        context = info.context

        async def both(change):
            return [await merging.load(context, change.owner_type, change.owner_id),
                    await merging.load(context, change.owner_type, change.record_id)]

        work = merging.unmerge(context, str(input.change), input.reason, input.client_mutation_id)
        result = await outcome(context, work, input.client_mutation_id, both, call_digest(info))
        return UnmergePayload(records=[to_node(r) for r in result.record or []], user_errors=user_errors(result),
                              client_mutation_id=input.client_mutation_id)
