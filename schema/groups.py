"""WorkingGroup (any kind of group) and its filter input."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import groups as records
from datastore.records.changes import VERSIONS_BEGAN
from resolvers import groups as resolve
from schema.audit import history_field
from schema.node import Node
from resolvers import list_sizes
from schema.enums import GroupKind, RosterOrder, RosterRole
from schema.invitations import invitations_field
from schema.rosters import RosterConnection, RosterEdge, RosterEntry

if TYPE_CHECKING:
    from schema.organisations import Organisation
    from schema.people import Person


@strawberry.federation.type(keys=["id"])
class WorkingGroup(Node):
    id: strawberry.ID
    slug: str
    name: str
    kind: GroupKind
    description: str | None
    active: bool
    version: int
    updated_at: datetime
    record: strawberry.Private[records.Group]

    @classmethod
    def of(cls, record: records.Group) -> "WorkingGroup":
        return cls(
            id=strawberry.ID(record.id),
            slug=record.slug,
            name=record.name,
            kind=record.kind,
            description=record.description,
            active=record.active,
            version=record.version,
            updated_at=record.updated_at or VERSIONS_BEGAN,
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "WorkingGroup | None":
        found = await info.context.loaders.group.load(str(id))
        return cls.of(found) if found else None

    @strawberry.field
    async def parent(self, info: Info) -> "WorkingGroup | None":
        found = await resolve.parent_of(info.context, self.record)
        return WorkingGroup.of(found) if found else None

    @strawberry.field(description="Groups directly under this one; the first `first` (at most 200).")
    async def children(self, info: Info, first: int | None = list_sizes.GROUP_CHILDREN.default) -> list["WorkingGroup"]:
        wanted = list_sizes.GROUP_CHILDREN.take(first)  # refused before anything is read
        found = await resolve.children_of(info.context, self.record.id)
        return [WorkingGroup.of(g) for g in found[wanted]]

    @strawberry.field(description="Current chairs and co-chairs; the first `first` (at most 100).")
    async def chairs(
        self, info: Info, first: int | None = list_sizes.GROUP_CHAIRS.default
    ) -> list[Annotated["Person", strawberry.lazy("schema.people")]]:
        from schema.people import Person

        wanted = list_sizes.GROUP_CHAIRS.take(first)  # refused before anything is read
        found = await resolve.chairs_of(info.context, self.record.id)
        return [Person.of(p) for p in found[wanted]]

    @strawberry.field(
        description="Tenures on the group, chairs first, then by start date, unless ordered "
        "otherwise. Past tenures are included unless activeOn is given; with updatedSince, only "
        "tenures changed at or after that instant (a time without zone is UTC)."
    )
    async def roster(
        self,
        info: Info,
        roles: list[RosterRole] | None = None,
        active_on: date | None = None,
        first: int | None = 100,
        after: str | None = None,
        updated_since: datetime | None = None,
        order_by: RosterOrder | None = RosterOrder.ROLE_ASC,
    ) -> RosterConnection:
        page = await resolve.roster_of(
            info.context, self.record.id, roles, active_on, first, after,
            updated_since, order_by or RosterOrder.ROLE_ASC,
        )
        return RosterConnection.of(page, RosterEntry.of, RosterEdge)

    history = history_field("Changes to the group and its roster, newest first (staff and admin; null for others).")

    invitations = invitations_field("Recommendations and invitations onto the group's roster, newest first; the "
                                    "first `first` (at most 100). The group's current chairs and staff; null for "
                                    "others.", of="group")

    @strawberry.field(
        description="Organisations whose people currently serve on the group, by name; the first `first` (at most 1000)."
    )
    async def organisations(
        self, info: Info, first: int | None = list_sizes.GROUP_ORGANISATIONS.default
    ) -> list[Annotated["Organisation", strawberry.lazy("schema.organisations")]]:
        from schema.organisations import Organisation

        wanted = list_sizes.GROUP_ORGANISATIONS.take(first)  # refused before anything is read
        found = await resolve.organisations_of(info.context, self.record.id)
        return [Organisation.of(o) for o in found[wanted]]


@strawberry.input
class WorkingGroupFilter:
    kinds: list[GroupKind] | None = None
    active: bool | None = None
    search: str | None = None
