"""Mutations of groups (staff): creating them and changing them."""

import strawberry
from strawberry import Info

from resolvers.mutations import groups as edits
from schema.enums import GroupKind
from schema.groups import WorkingGroup
from schema.mutations.common import ChangeInput, MutationInput, Payload, given, mutation_input, payload


@mutation_input
class CreateWorkingGroupInput(MutationInput):
    slug: str
    name: str
    kind: GroupKind
    parent_id: strawberry.ID | None = None
    description: str | None = None


@strawberry.input(description="Omitted: unchanged. null: cleared (description, parentId); null on name or "
                              "active is INVALID. A parent that would make the group its own ancestor is INVALID.")
class WorkingGroupPatch:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET


_PATCH_NAMES = {"name": "name", "description": "description", "active": "active", "parent_id": "parent"}


@mutation_input
class UpdateWorkingGroupInput(ChangeInput):
    id: strawberry.ID
    patch: WorkingGroupPatch


@payload
class WorkingGroupPayload(Payload):
    working_group: WorkingGroup | None

    load = staticmethod(lambda context, change: edits.load(context, change.owner_id))
    show = staticmethod(WorkingGroup.of)


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
