"""RoleContact: a person holding a role for an organisation."""

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import contacts as records
from resolvers import contacts as resolve
from schema.enums import ContactRole
from schema.node import Node, record_id
from schema.batched import batched, one_of

if TYPE_CHECKING:
    from schema.groups import WorkingGroup
    from schema.organisations import Organisation
    from schema.people import Person


async def _people(info: Info, contacts: list["RoleContact"]) -> list["Person"]:
    from schema.people import Person

    return [Person.of(p) for p in await resolve.people_of(info.context, [c.record for c in contacts])]


async def _organisations(info: Info, contacts: list["RoleContact"]) -> list["Organisation"]:
    from schema.organisations import Organisation

    return [Organisation.of(o) for o in await resolve.organisations_of(info.context, [c.record for c in contacts])]


@strawberry.type
class RoleContact(Node):
    id: strawberry.ID = strawberry.field(resolver=record_id)
    role: ContactRole
    record: strawberry.Private[records.RoleContact]

    @classmethod
    def of(cls, record: records.RoleContact) -> "RoleContact":
        return cls(role=record.role, record=record)

    @strawberry.field
    @batched(_people)
    async def person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")]:
        return await one_of(_people, info, self)

    @strawberry.field
    @batched(_organisations)
    async def organisation(self, info: Info) -> Annotated["Organisation", strawberry.lazy("schema.organisations")]:
        return await one_of(_organisations, info, self)

    @strawberry.field(description="Set for COMMUNICATIONS contacts only")
    async def working_group(self, info: Info) -> Annotated["WorkingGroup", strawberry.lazy("schema.groups")] | None:
        from schema.groups import WorkingGroup

        found = await resolve.group_of(info.context, self.record)
        return WorkingGroup.of(found) if found else None
