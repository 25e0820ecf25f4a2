"""The root Query type."""

import strawberry
from strawberry import Info

from datastore import countries
from resolvers import groups, organisations, people
from resolvers import audit
from schema.audit import AuditFilter, ChangeConnection, ChangeNoticeConnection, RecordType
from schema.countries import Country
from schema.viewer import Viewer
from schema.enums import Continent, OrganisationOrder, StatDimension
from schema.groups import WorkingGroup, WorkingGroupFilter
from schema.organisations import Organisation, OrganisationConnection, OrganisationFilter, StatBucket
from schema.people import Person, PersonConnection, PersonFilter


@strawberry.type
class Query:
    @strawberry.field(description="One organisation by id or by slug (give exactly one); null if unknown.")
    async def organisation(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> Organisation | None:
        found = await organisations.organisation(info.context, id, slug)
        return Organisation.of(found) if found else None

    @strawberry.field(description="Organisations matching the filter; `first` at most 100.")
    async def organisations(
        self,
        info: Info,
        filter: OrganisationFilter | None = None,
        order_by: OrganisationOrder | None = OrganisationOrder.NAME_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> OrganisationConnection:
        order = order_by or OrganisationOrder.NAME_ASC
        page = await organisations.organisations_page(info.context, filter, order, first, after)
        return OrganisationConnection.of(page, Organisation.of)

    @strawberry.field(description="One person by id; null if unknown.")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        found = await people.person(info.context, id)
        return Person.of(found) if found else None

    @strawberry.field(description="People matching the filter, by family name; `first` at most 100.")
    async def people(
        self, info: Info, filter: PersonFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> PersonConnection:
        page = await people.people_page(info.context, filter, first, after)
        return PersonConnection.of(page, Person.of)

    @strawberry.field(description="One group by id or by slug (give exactly one); null if unknown.")
    async def working_group(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> WorkingGroup | None:
        found = await groups.group(info.context, id, slug)
        return WorkingGroup.of(found) if found else None

    @strawberry.field(description="Groups of every kind matching the filter, by name.")
    async def working_groups(self, info: Info, filter: WorkingGroupFilter | None = None) -> list[WorkingGroup]:
        return [WorkingGroup.of(g) for g in await groups.groups_matching(info.context, filter)]

    @strawberry.field(description="ISO 3166-1 countries on inhabited continents, by name.")
    def countries(self, continent: Continent | None = None) -> list[Country]:
        return [Country.of(c) for c in countries.all_countries(continent)]

    @strawberry.field(description="Counts of organisations matching the filter, grouped by one dimension")
    async def membership_stats(
        self, info: Info, by: StatDimension, filter: OrganisationFilter | None = None
    ) -> list[StatBucket]:
        buckets = await organisations.membership_stats(info.context, by, filter)
        return [StatBucket(key=b.key, label=b.label, count=b.count) for b in buckets]

    @strawberry.field(description="Who is asking.")
    def viewer(self, info: Info) -> Viewer:
        viewer = info.context.viewer
        return Viewer(role=viewer.role.value, record=viewer)

    @strawberry.field(description="Every accepted change, newest first (staff and admin).")
    async def audit_log(
        self, info: Info, filter: AuditFilter | None = None, first: int | None = 50, after: str | None = None
    ) -> ChangeConnection:
        page = await audit.audit_log(info.context, audit.audit_filter(filter), first, after)
        return ChangeConnection.of_page(page)

    @strawberry.field(
        description="Which records changed, oldest first, for incremental sync (members and above). Never returns "
        "a change past the oldest one still being applied, so resuming from resumeCursor misses nothing; "
        "erasures appear with action ERASE. Fetch values through the usual queries."
    )
    async def changes(
        self, info: Info, after: str | None = None, record_types: list[RecordType] | None = None, first: int | None = 100
    ) -> ChangeNoticeConnection:
        return ChangeNoticeConnection.of(*await audit.feed(info.context, record_types, first, after))
