"""The root Query type."""

from datetime import date
from typing import Annotated

import strawberry
from strawberry import Info

from datastore.records import countries
from resolvers import audit, groups, list_sizes, matching, needs_primary, nodes, organisations, people, trends
from resolvers import notifications as outbox
from schema.audit import AuditFilter, ChangeConnection, ChangeNoticeConnection, RecordType
from schema.connections import total_count_asked
from schema.countries import Country
from schema.duplicates import DuplicateQueries
from schema.node import Node, to_node
from schema.notifications import NotificationConnection, NotificationFilter
from schema.viewer import Viewer
from schema.enums import Continent, OrganisationOrder, PersonOrder, StatDimension, TrendInterval
from schema.groups import WorkingGroup, WorkingGroupFilter
from schema.matching import AffiliationMatch
from schema.organisations import Organisation, OrganisationConnection, OrganisationFilter, StatBucket
from schema.people import AgreementVersions, Person, PersonConnection, PersonFilter
from schema.rate_limit import RateLimit
from schema.trends import TrendPoint
from schema.webhooks import WebhookEndpoint

# `from` is a Python keyword: the argument is named here.
From = Annotated[date | None, strawberry.argument(name="from", description="First day (default: the first change on record)")]
To = Annotated[date | None, strawberry.argument(description="Last day (default: today)")]


@strawberry.type
class Query(DuplicateQueries):
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
        page = await organisations.organisations_page(
            info.context, filter, order, first, after, count_too=total_count_asked(info)
        )
        return OrganisationConnection.of(page, Organisation.of)

    @strawberry.field(
        description="The organisations an affiliation string may name (\"Dept. of Genetics, Univ. of Toronto\", a ROR "
        "URL), best first, among those the caller may see; the first `first` (at most 20). README, \"Matching\"."
    )
    async def match_affiliation(self, info: Info, text: str, first: int | None = 5) -> list[AffiliationMatch]:
        return [AffiliationMatch.of(m) for m in await matching.match_affiliation(info.context, text, first)]

    @strawberry.field(
        description="ACTIVE organisations that have no Primary, by name, the first `first` (at most 500): "
        "theirs was erased, and staff are to assign one (staff and admin)."
    )
    async def organisations_needing_primary(
        self, info: Info, first: int | None = list_sizes.NEEDS_PRIMARY.default
    ) -> list[Organisation]:
        return [Organisation.of(o) for o in await needs_primary.needing_primary(info.context, first)]

    @strawberry.field(description="One person by id; null if unknown.")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        found = await people.person(info.context, id)
        return Person.of(found) if found else None

    @strawberry.field(description="People matching the filter, by family name unless ordered otherwise; `first` at most 100.")
    async def people(
        self,
        info: Info,
        filter: PersonFilter | None = None,
        order_by: PersonOrder | None = PersonOrder.NAME_ASC,
        first: int | None = 20,
        after: str | None = None,
    ) -> PersonConnection:
        page = await people.people_page(
            info.context, filter, first, after, order_by or PersonOrder.NAME_ASC, count_too=total_count_asked(info)
        )
        return PersonConnection.of(page, Person.of)

    @strawberry.field(description="One group by id or by slug (give exactly one); null if unknown.")
    async def working_group(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> WorkingGroup | None:
        found = await groups.group(info.context, id, slug)
        return WorkingGroup.of(found) if found else None

    @strawberry.field(description="Groups of every kind matching the filter, by name; the first `first` (at most 500).")
    async def working_groups(
        self, info: Info, filter: WorkingGroupFilter | None = None, first: int | None = list_sizes.WORKING_GROUPS.default
    ) -> list[WorkingGroup]:
        wanted = list_sizes.WORKING_GROUPS.take(first)  # refused before anything is read
        found = await groups.groups_matching(info.context, filter)
        return [WorkingGroup.of(g) for g in found[wanted]]

    @strawberry.field(description="ISO 3166-1 countries on inhabited continents, by name.")
    def countries(self, continent: Continent | None = None) -> list[Country]:
        return [Country.of(c) for c in countries.all_countries(continent)]

    @strawberry.field(
        description="Counts of organisations matching the filter, grouped by one dimension, and with "
        "`thenBy` each group broken down by a second (a cross-tab). For list dimensions (SECTOR, "
        "DESIGNATION) an organisation counts in each of its values."
    )
    async def membership_stats(
        self,
        info: Info,
        by: StatDimension,
        filter: OrganisationFilter | None = None,
        then_by: StatDimension | None = None,
    ) -> list[StatBucket]:
        # The resolver's buckets have this type's fields: answered as they are, kept or not.
        return await organisations.membership_stats(info.context, by, filter, then_by)  # type: ignore[return-value]

    @strawberry.field(
        description="Organisational membership per period, from the membership histories of the "
        "organisations matching the filter (see TrendPoint for the definitions)."
    )
    async def membership_trend(
        self,
        info: Info,
        interval: TrendInterval,
        from_: From = None,
        to: To = None,
        filter: OrganisationFilter | None = None,
    ) -> list[TrendPoint]:
        points = await trends.membership_trend(info.context, interval, from_, to, filter)
        return [TrendPoint.of(p) for p in points]

    @strawberry.field(description="Individual membership per period (see TrendPoint for the definitions).")
    async def individual_membership_trend(
        self, info: Info, interval: TrendInterval, from_: From = None, to: To = None
    ) -> list[TrendPoint]:
        points = await trends.individual_membership_trend(info.context, interval, from_, to)
        return [TrendPoint.of(p) for p in points]

    @strawberry.field(description="The versions of the Constitution and the Member Agreement in force: what an "
                                  "applicant for individual membership accepts (applyForIndividualMembership).")
    def agreement_versions(self, info: Info) -> AgreementVersions:
        return AgreementVersions.of(info.context.agreement_versions)

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

    @strawberry.field(description="Notifications the directory owes, newest first: staff see all, a person "
                      "their own; `first` at most 100.")
    async def notifications(
        self, info: Info, filter: NotificationFilter | None = None, first: int | None = 50, after: str | None = None
    ) -> NotificationConnection:
        page = await outbox.notifications(info.context, outbox.notification_filter(filter), first, after,
                                          count_too=total_count_asked(info))
        return NotificationConnection.of_page(page)

    @strawberry.field(
        description="Which records changed, oldest first, for incremental sync (members and above). Never returns "
        "a change past the oldest one still being applied, so resuming from resumeCursor misses nothing; "
        "erasures appear with action ERASE. Fetch values through the usual queries."
    )
    async def changes(
        self, info: Info, after: str | None = None, record_types: list[RecordType] | None = None, first: int | None = 100
    ) -> ChangeNoticeConnection:
        return ChangeNoticeConnection.of(*await audit.feed(info.context, record_types, first, after))

    @strawberry.field(description="Host institutions' webhook endpoints, oldest first (staff and admin).")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        from resolvers import webhooks

        return [WebhookEndpoint.of(e) for e in await webhooks.endpoints(info.context)]

    @strawberry.field(description="Any record by its id (organisation, person, group, role contact, roster entry; a notification for its recipient and staff); null if unknown or not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        found = await nodes.nodes(info.context, [str(id)], "id")
        return to_node(found[0]) if found[0] else None

    @strawberry.field(description="Records by their ids, in order, null where unknown; at most 100 ids, one database command per kind.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return [to_node(r) if r else None for r in await nodes.nodes(info.context, [str(i) for i in ids])]
    @strawberry.field(description="The caller's rate-limit budget after this query; null outside HTTP.")
    def rate_limit(self, info: Info) -> RateLimit | None:
        allowance = info.context.allowance
        return RateLimit.of(allowance()) if allowance else None
