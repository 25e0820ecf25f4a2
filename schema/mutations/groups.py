"""Mutations of groups (staff): creating them and changing them."""

import strawberry
from strawberry import Info

from resolvers.mutations import groups as edits
from resolvers.mutations.committing import outcome
from schema.enums import GroupKind
from schema.groups import WorkingGroup
from schema.mutations.common import call_digest, UserError, given, user_errors


@strawberry.input
class CreateWorkingGroupInput:
    slug: str
    name: str
    kind: GroupKind
    parent_id: strawberry.ID | None = None
    description: str | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Omitted: unchanged. null: cleared (description, parentId); null on name or "
                              "active is INVALID. A parent that would make the group its own ancestor is INVALID.")
class WorkingGroupPatch:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET


_PATCH_NAMES = {"name": "name", "description": "description", "active": "active", "parent_id": "parent"}


@strawberry.input
class UpdateWorkingGroupInput:
    id: strawberry.ID
    expected_version: int
    patch: WorkingGroupPatch
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class WorkingGroupPayload:
    working_group: WorkingGroup | None
    user_errors: list[UserError]
    client_mutation_id: str | None

    @classmethod
    async def of(cls, info: Info, work, client_mutation_id: str | None) -> "WorkingGroupPayload":
        context = info.context
        result = await outcome(context, work, client_mutation_id, lambda change: edits.load(context, change.owner_id),
                               call_digest(info))
        record = result.record
        return cls(working_group=WorkingGroup.of(record) if record else None, user_errors=user_errors(result),
                   client_mutation_id=client_mutation_id)


@strawberry.type
class GroupMutations:
    @strawberry.mutation
    async def create_working_group(self, info: Info, input: CreateWorkingGroupInput) -> WorkingGroupPayload:
        fields = given(input, {"slug": "slug", "name": "name", "kind": "kind", "parent_id": "parent",
                               "description": "description"})
        work = edits.create(info.context, fields, input.reason, input.client_mutation_id)
        return await WorkingGroupPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def update_working_group(self, info: Info, input: UpdateWorkingGroupInput) -> WorkingGroupPayload:
        work = edits.update(info.context, str(input.id), input.expected_version, given(input.patch, _PATCH_NAMES),
                            input.reason, input.client_mutation_id)
        return await WorkingGroupPayload.of(info, work, input.client_mutation_id)
