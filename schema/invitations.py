"""Invitation: a path onto a group's roster, and the invitations lists of groups and people."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from resolvers import invitations as resolve
from resolvers.invitations import InvitationRecord
from schema.connections import Connection, Edge
from schema.enums import InvitationStatus, RosterRole
from schema.node import Node
from schema.seen_as import context_of

if TYPE_CHECKING:
    from schema.groups import WorkingGroup
    from schema.organisations import Organisation
    from schema.people import Person


@strawberry.type(
    description="A path onto a group's roster. RECOMMENDED: an organisation's Primary or Administrator put "
    "forward one of its people; INVITED: a chair (or staff) invited the person, following a recommendation or "
    "not; the person ACCEPTS (the roster entry is added in the same change) or DECLINES; whoever made it may "
    "WITHDRAW it; an invitation not answered by the end of expiresOn (UTC) becomes EXPIRED. Visible to the "
    "person, the group's chairs, the recommending organisation's Primary and Administrator, and staff."
)
class Invitation(Node):
    id: strawberry.ID
    role: RosterRole
    status: InvitationStatus
    message: str | None
    created_at: datetime
    expires_on: date | None
    answered_at: datetime | None
    version: int
    updated_at: datetime
    record: strawberry.Private[InvitationRecord]

    @classmethod
    def of(cls, record: InvitationRecord) -> "Invitation":
        return cls(
            id=strawberry.ID(record.id), role=record.role, status=record.status, message=record.message,
            created_at=record.created_at, expires_on=record.expires_on, answered_at=record.answered_at,
            version=record.version, updated_at=record.updated_at or record.created_at, record=record,
        )

    @strawberry.field
    async def group(self, info: Info) -> Annotated["WorkingGroup", strawberry.lazy("schema.groups")]:
        from schema.groups import WorkingGroup

        return WorkingGroup.of(await info.context.loaders.group.load(self.record.group_id))

    @strawberry.field
    async def person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")]:
        from schema.people import Person

        return Person.of(await info.context.loaders.person.load(self.record.person_id))

    @strawberry.field(description="The organisation whose Primary or Administrator recommended the person")
    async def recommended_by(self, info: Info) -> Annotated["Organisation", strawberry.lazy("schema.organisations")] | None:
        from schema.organisations import Organisation

        if self.record.recommended_by is None:
            return None
        found = await info.context.loaders.organisation.load(self.record.recommended_by)
        return Organisation.of(found) if found else None

    @strawberry.field(description="The chair (or staff member) who invited; null for staff acting with a key")
    async def invited_by(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        if self.record.invited_by is None:
            return None
        found = await info.context.loaders.person.load(self.record.invited_by)
        return Person.of(found) if found else None


@strawberry.type(name="InvitationEdge")
class InvitationEdge(Edge[Invitation]):
    pass


@strawberry.type(name="InvitationConnection")
class InvitationConnection(Connection[Invitation]):
    edges: list[InvitationEdge]


def invitations_field(description: str, of: str):
    """`invitations` of a WorkingGroup (`of` "group") or a Person ("person"): null for those who may not see them."""

    async def invitations(
        root, info: Info, statuses: list[InvitationStatus] | None = None, first: int | None = resolve.DEFAULT_PAGE,
        after: str | None = None,
    ) -> InvitationConnection | None:
        lister = resolve.of_group if of == "group" else resolve.of_person
        page = await lister(context_of(root, info), root.record.id, statuses, first, after)
        return InvitationConnection.of(page, Invitation.of, InvitationEdge) if page is not None else None

    return strawberry.field(resolver=invitations, description=description)
