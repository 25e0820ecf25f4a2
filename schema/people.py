"""Person and its filter input."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore import people as records
from resolvers import list_sizes
from resolvers import people as resolve
from resolvers.privacy import ContactField
from schema.connections import Connection
from schema.countries import Country
from schema.enums import ContactVisibility, Continent

if TYPE_CHECKING:
    from schema.contacts import RoleContact
    from schema.organisations import Organisation
    from schema.rosters import RosterEntry

OrganisationType = Annotated["Organisation", strawberry.lazy("schema.organisations")]
RoleContactType = Annotated["RoleContact", strawberry.lazy("schema.contacts")]
RosterEntryType = Annotated["RosterEntry", strawberry.lazy("schema.rosters")]


_PRIVATE = "Null unless the person's contact visibility lets you see it (see README)."


# Contact details are resolved, not stored on the type, so privacy is never skipped.
async def _email(root: "Person", info: Info) -> str | None:
    return await resolve.contact_detail(info.context, root.record, ContactField.EMAIL)


async def _orcid(root: "Person", info: Info) -> str | None:
    return await resolve.contact_detail(info.context, root.record, ContactField.ORCID)


@strawberry.federation.type(keys=["id"])
class Person:
    id: strawberry.ID
    name: str
    given_name: str
    family_name: str
    # Tagged "private": a public contract variant of the supergraph leaves contact details out.
    email: str | None = strawberry.federation.field(resolver=_email, description=_PRIVATE, tags=["private"])
    orcid: str | None = strawberry.federation.field(resolver=_orcid, description=_PRIVATE, tags=["private"])
    country: Country | None
    # @inaccessible: never in the supergraph's API, but other subgraphs that hold
    # contact details of their own can @requires it to honour the person's choice.
    contact_visibility: ContactVisibility = strawberry.federation.field(
        inaccessible=True, description="Who the person lets see their contact details."
    )
    record: strawberry.Private[records.Person]

    @classmethod
    def of(cls, record: records.Person) -> "Person":
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            given_name=record.given_name,
            family_name=record.family_name,
            country=Country.of_code(record.country_code),
            contact_visibility=record.contact_visibility,
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "Person | None":
        found = await info.context.loaders.person.load(str(id))
        return cls.of(found) if found else None

    @strawberry.field
    async def affiliation(self, info: Info) -> OrganisationType | None:
        from schema.organisations import Organisation

        found = await resolve.affiliation_of(info.context, self.record)
        return Organisation.of(found) if found else None

    @strawberry.federation.field(
        description="The role contacts this person holds for organisations; the first `first` (at most 100).",
        tags=["private"],
    )
    async def roles(self, info: Info, first: int | None = list_sizes.PERSON_ROLES.default) -> list[RoleContactType]:
        from schema.contacts import RoleContact

        found = await resolve.roles_of(info.context, self.record.id)
        return [RoleContact.of(c) for c in list_sizes.PERSON_ROLES.first(found, first)]

    @strawberry.field(
        description="Tenures on groups, past and present; with activeOn, only those held that day. "
        "The first `first` (at most 200)."
    )
    async def groups(
        self, info: Info, active_on: date | None = None, first: int | None = list_sizes.PERSON_TENURES.default
    ) -> list[RosterEntryType]:
        from schema.rosters import RosterEntry

        found = await resolve.groups_of(info.context, self.record.id, active_on)
        return [RosterEntry.of(e) for e in list_sizes.PERSON_TENURES.first(found, first)]


@strawberry.type(name="PersonConnection")
class PersonConnection(Connection[Person]):
    pass


@strawberry.input
class PersonFilter:
    search: str | None = strawberry.field(
        default=None, description="case- and accent-insensitive substring of the name; plain text"
    )
    countries: list[str] | None = None
    continents: list[Continent] | None = None
    affiliation: strawberry.ID | None = None
