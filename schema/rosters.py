"""RosterEntry: a person's tenure on a group, and the roster connection."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import rosters as records
from datastore.records.changes import VERSIONS_BEGAN
from resolvers import rosters as resolve
from schema.node import Node, record_id
from schema.batched import batched, one_of
from schema.connections import Connection, Edge
from schema.enums import RosterRole

if TYPE_CHECKING:
    from schema.groups import WorkingGroup
    from schema.people import Person


async def _people(info: Info, entries: list["RosterEntry"]) -> list["Person"]:
    from schema.people import Person

    return [Person.of(p) for p in await resolve.people_of(info.context, [e.record for e in entries])]


async def _groups(info: Info, entries: list["RosterEntry"]) -> list["WorkingGroup"]:
    from schema.groups import WorkingGroup

    return [WorkingGroup.of(g) for g in await resolve.groups_of(info.context, [e.record for e in entries])]


@strawberry.type
class RosterEntry(Node):
    id: strawberry.ID = strawberry.field(resolver=record_id)
    role: RosterRole
    since: date
    until: date | None
    version: int
    updated_at: datetime
    record: strawberry.Private[records.RosterEntry]

    @classmethod
    def of(cls, record: records.RosterEntry) -> "RosterEntry":
        return cls(role=record.role, since=record.since, until=record.until,
                   version=record.version, updated_at=record.updated_at or VERSIONS_BEGAN, record=record)

    @strawberry.field
    @batched(_people)
    async def person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")]:
        return await one_of(_people, info, self)

    @strawberry.field
    @batched(_groups)
    async def group(self, info: Info) -> Annotated["WorkingGroup", strawberry.lazy("schema.groups")]:
        return await one_of(_groups, info, self)

    @strawberry.field(description="Held today: started, and not ended before today.")
    def active(self, info: Info) -> bool:
        return self.record.active_on(info.context.today)


@strawberry.type(name="RosterEdge")
class RosterEdge(Edge[RosterEntry]):
    pass


@strawberry.type(name="RosterConnection")
class RosterConnection(Connection[RosterEntry]):
    edges: list[RosterEdge]
