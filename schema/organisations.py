"""Organisation, its membership, filter input and statistics buckets."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import organisations as records
from datastore.records.changes import VERSIONS_BEGAN
from resolvers import list_sizes
from resolvers import organisations as resolve
from schema.audit import history_field
from schema.node import Node
from schema.batched import batched, one_of
from schema.connections import Connection
from schema.countries import Country
from schema.enums import ContactRole, Continent, Designation, MembershipStatus, OrganisationKind, Sector

if TYPE_CHECKING:
    from schema.contacts import RoleContact
    from schema.groups import WorkingGroup
    from schema.people import PersonConnection

RoleContactType = Annotated["RoleContact", strawberry.lazy("schema.contacts")]
WorkingGroupType = Annotated["WorkingGroup", strawberry.lazy("schema.groups")]
PersonConnectionType = Annotated["PersonConnection", strawberry.lazy("schema.people")]


@strawberry.type
class MembershipChange:
    status: MembershipStatus
    on: date
    record: strawberry.Private[object]

    @strawberry.field(description="Staff and the organisation's Primary and Administrator only; null for others")
    async def reason(self, info: Info) -> str | None:
        return await resolve.history_reason(info.context, self.record)


@strawberry.type
class Membership:
    status: MembershipStatus
    joined_on: date | None
    last_reviewed_on: date | None
    next_review_due: date | None = strawberry.field(
        description="Ongoing membership is reviewed every 12 months."
    )
    history: list[MembershipChange] = strawberry.field(description="Every status change, oldest first")
    record: strawberry.Private[records.Organisation]

    @strawberry.field(description="When the Primary was notified of removal. Staff and the organisation's Primary "
                      "and Administrator only; null for others")
    async def removal_notice_on(self, info: Info) -> date | None:
        return await resolve.removal_notice_on(info.context, self.record)

    @strawberry.field(description="Under a removal notice (ACTIVE or LAPSED): the first day removeMembership is "
                      "allowed, the notice plus the notice period (MEMBERDIR_REMOVAL_NOTICE_DAYS). Seen as "
                      "removalNoticeOn is; null without a notice")
    async def removable_from(self, info: Info) -> date | None:
        return await resolve.removable_from_seen(info.context, self.record)

    @classmethod
    def of(cls, record: records.Organisation) -> "Membership":
        return cls(
            status=record.status,
            joined_on=record.joined_on,
            last_reviewed_on=record.last_reviewed_on,
            next_review_due=record.next_review_due,
            history=[MembershipChange(status=c.status, on=c.on, record=(record.id, c)) for c in record.history],
            record=record,
        )


# Worked out from the record only when asked for, not for every organisation in an answer.
def _country(root: "Organisation") -> Country:
    return Country.of_code(root.record.country_code)  # type: ignore[return-value]


def _membership(root: "Organisation") -> Membership:
    return Membership.of(root.record)


async def _contacts(
    info: Info, organisations: list["Organisation"], roles: list[ContactRole] | None, first: int | None
) -> list[list["RoleContact"]]:
    from schema.contacts import RoleContact

    wanted = list_sizes.ORGANISATION_CONTACTS.take(first)  # refused before anything is read
    found = await resolve.contacts_of(info.context, [o.record.id for o in organisations], roles)
    return [[RoleContact.of(c) for c in f[wanted]] for f in found]


@strawberry.federation.type(keys=["id"])
class Organisation(Node):
    id: strawberry.ID
    slug: str
    name: str
    kind: OrganisationKind
    sectors: list[Sector]
    designations: list[Designation]
    country: Country = strawberry.field(resolver=_country)
    continent: Continent
    city: str | None
    website: str | None
    ror_id: str | None = strawberry.field(description="Research Organization Registry identifier, where known")
    aliases: list[str] = strawberry.field(description="Other names it is known by (staff-edited; affiliation matching reads them)")
    acronyms: list[str] = strawberry.field(description="Its acronyms (staff-edited; affiliation matching reads them)")
    time_zone: str = strawberry.field(
        description="IANA time zone key its notices word times in: the one staff set, else its country's zone "
        "where the country keeps one clock, else UTC"
    )
    membership: Membership = strawberry.field(resolver=_membership)
    version: int
    updated_at: datetime
    record: strawberry.Private[records.Organisation]

    @classmethod
    def of(cls, record: records.Organisation) -> "Organisation":
        return cls(
            id=strawberry.ID(record.id),
            slug=record.slug,
            name=record.name,
            kind=record.kind,
            sectors=list(record.sectors),
            designations=list(record.designations),
            continent=record.continent,
            city=record.city,
            website=record.website,
            ror_id=record.ror_id,
            aliases=list(record.aliases),
            acronyms=list(record.acronyms),
            time_zone=record.time_zone,
            version=record.version,
            updated_at=record.updated_at or VERSIONS_BEGAN,
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "Organisation | None":
        found = await info.context.loaders.organisation.load(str(id))
        return cls.of(found) if found else None

    @strawberry.federation.field(tags=["private"], description="Role contacts, Primary first; the first `first` (at most 100).")
    @batched(_contacts)
    async def contacts(
        self, info: Info, roles: list[ContactRole] | None = None, first: int | None = list_sizes.ORGANISATION_CONTACTS.default
    ) -> list[RoleContactType]:
        return await one_of(_contacts, info, self, roles=roles, first=first)

    @strawberry.field(description="People affiliated with the organisation, by family name.")
    async def people(self, info: Info, first: int | None = 20, after: str | None = None) -> PersonConnectionType:
        from schema.people import Person, PersonConnection

        page = await resolve.people_of(info.context, self.record.id, first, after)
        return PersonConnection.of(page, Person.of)

    history = history_field("Changes to the organisation and its role contacts, newest first (staff and admin; null for others).", kind="Organisation")

    @strawberry.field(
        description="Groups on which someone affiliated with the organisation currently serves; "
        "the first `first` (at most 200)."
    )
    async def working_groups(
        self, info: Info, first: int | None = list_sizes.ORGANISATION_GROUPS.default
    ) -> list[WorkingGroupType]:
        from schema.groups import WorkingGroup

        wanted = list_sizes.ORGANISATION_GROUPS.take(first)  # refused before anything is read
        found = await resolve.working_groups_of(info.context, self.record.id)
        return [WorkingGroup.of(g) for g in found[wanted]]


@strawberry.type(name="OrganisationConnection")
class OrganisationConnection(Connection[Organisation]):
    pass


@strawberry.input
class OrganisationFilter:
    search: str | None = strawberry.field(
        default=None,
        description="case- and accent-insensitive substring of the name; plain text, never a pattern",
    )
    countries: list[str] | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 codes")
    continents: list[Continent] | None = None
    sectors: list[Sector] | None = None
    kinds: list[OrganisationKind] | None = None
    designations: list[Designation] | None = None
    statuses: list[MembershipStatus] | None = None
    joined_after: date | None = strawberry.field(default=None, description="Joined strictly after this day")
    joined_before: date | None = strawberry.field(default=None, description="Joined strictly before this day")
    review_due_before: date | None = strawberry.field(
        default=None, description="Next review due strictly before this day (overdue ones: give today)"
    )
    updated_since: datetime | None = strawberry.field(
        default=None, description="Changed at or after this instant (a time without zone is UTC)"
    )
    under_removal_notice: bool | None = strawberry.field(
        default=None, description="true: only those under a removal notice (ACTIVE or LAPSED with a notice on "
        "file); false: only the others. Staff only (Query.organisations; refused elsewhere)"
    )
    removable_by: date | None = strawberry.field(
        default=None, description="Under a removal notice and removable on or before this day (Membership."
        "removableFrom; removals now allowed: give today). Staff only (Query.organisations; refused elsewhere)"
    )


@strawberry.type
class StatBucket:
    key: str
    label: str
    count: int
    breakdown: list["StatBucket"] | None = strawberry.field(
        default=None, description="With thenBy: this bucket's organisations counted by the second dimension."
    )
