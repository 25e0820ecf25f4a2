"""Person and its filter input."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import people as records
from datastore.records.changes import VERSIONS_BEGAN
from datastore.records.memberships import AgreementVersions as AgreementVersionsRecord
from datastore.records.memberships import StatusChange
from resolvers import list_sizes
from resolvers import people as resolve
from resolvers.privacy import ContactField
from schema.audit import history_field
from schema.seen_as import context_of
from schema.node import Node
from schema.batched import batched, one_of
from schema.connections import Connection
from schema.countries import Country
from schema.enums import ContactDetail, ContactVisibility, Continent, IndividualMembershipStatus, ViewerClass
from schema.invitations import invitations_field

if TYPE_CHECKING:
    from schema.contacts import RoleContact
    from schema.groups import WorkingGroup
    from schema.organisations import Organisation
    from schema.rosters import RosterEntry

OrganisationType = Annotated["Organisation", strawberry.lazy("schema.organisations")]
RoleContactType = Annotated["RoleContact", strawberry.lazy("schema.contacts")]
RosterEntryType = Annotated["RosterEntry", strawberry.lazy("schema.rosters")]
WorkingGroupType = Annotated["WorkingGroup", strawberry.lazy("schema.groups")]


_PRIVATE = ("Null unless the person's contact visibility lets you see it (see README); "
            "nobody's role widens it, only the person themself and staff see past it.")


# Contact details are resolved, not stored on the type, so privacy is never skipped.
async def _email(root: "Person", info: Info) -> str | None:
    return await resolve.contact_detail(context_of(root, info), root.record, ContactField.EMAIL)


async def _orcid(root: "Person", info: Info) -> str | None:
    return await resolve.contact_detail(context_of(root, info), root.record, ContactField.ORCID)


async def _contact_visibility(root: "Person", info: Info) -> ContactVisibility | None:
    return resolve.contact_visibility(context_of(root, info), root.record)


# Worked out from the record only when asked for, not for every person in an answer.
def _country(root: "Person") -> Country | None:
    return Country.of_code(root.record.country_code)


def _individual_membership(root: "Person") -> "IndividualMembership | None":
    return IndividualMembership.of(root.record, root.seen_by)


async def _affiliations(info: Info, people: list["Person"]) -> list["Organisation | None"]:
    from schema.organisations import Organisation

    found = await resolve.affiliations_of(info.context, [p.record for p in people])
    return [Organisation.of(o) if o else None for o in found]


async def _groups(
    info: Info, people: list["Person"], active_on: date | None, first: int | None
) -> list[list["RosterEntry"]]:
    from schema.rosters import RosterEntry

    wanted = list_sizes.PERSON_TENURES.take(first)  # refused before anything is read
    found = await resolve.groups_of(info.context, [p.record.id for p in people], active_on)
    return [[RosterEntry.of(e) for e in entries[wanted]] for entries in found]


_VISIBILITY = (
    "Who the person lets see their contact details. Null unless you are the person or staff; "
    "other subgraphs that @requires it treat null as the most restrictive choice (STAFF)."
)


@strawberry.type(description="A person's e-mail address is changed in two steps: the new address is pending until "
                             "the link sent to it is followed (within 48 hours); until then the old one stays.")
class PendingEmail:
    address: str
    requested_at: datetime
    expires_at: datetime


async def _pending_email(root: "Person", info: Info) -> PendingEmail | None:
    from resolvers.email_verification import pending_email

    found = pending_email(context_of(root, info), root.record)
    return PendingEmail(address=found.address, requested_at=found.requested_at,
                        expires_at=found.expires_at) if found else None


@strawberry.type(description="Versions of the Constitution and of the Member Agreement.")
class AgreementVersions:
    constitution: str
    member_agreement: str

    @classmethod
    def of(cls, versions: AgreementVersionsRecord) -> "AgreementVersions":
        return cls(constitution=versions.constitution, member_agreement=versions.member_agreement)


@strawberry.type
class IndividualMembershipChange:
    status: IndividualMembershipStatus
    on: date
    person: strawberry.Private[records.Person]
    change: strawberry.Private[StatusChange]
    seen_by: strawberry.Private[object] = None  # a preview's context (Person.visibleAs)

    @strawberry.field(description="The person themself and staff only; null for others")
    def reason(self, info: Info) -> str | None:
        return resolve.membership_reason(context_of(self, info), self.person, self.change)

    @strawberry.field(description="On an application (APPLICANT): the versions of the Constitution and the Member "
                                  "Agreement the person accepted. The person themself and staff only; null for others")
    def accepted_agreements(self, info: Info) -> AgreementVersions | None:
        accepted = resolve.accepted_agreements(context_of(self, info), self.person, self.change)
        return AgreementVersions.of(accepted) if accepted else None


@strawberry.type
class IndividualMembership:
    status: IndividualMembershipStatus
    since: date | None = strawberry.field(description="When the current status began")
    history: list[IndividualMembershipChange] = strawberry.field(description="Every status change, oldest first")

    @classmethod
    def of(cls, person: records.Person, seen_by: object = None) -> "IndividualMembership | None":
        membership = person.individual_membership
        if membership is None:
            return None
        return cls(
            status=membership.status,
            since=membership.since,
            history=[IndividualMembershipChange(status=c.status, on=c.on, person=person, change=c, seen_by=seen_by)
                     for c in membership.history],
        )


@strawberry.federation.type(keys=["id"])
class Person(Node):
    id: strawberry.ID
    name: str
    given_name: str
    family_name: str
    # Tagged "private": a public contract variant of the supergraph leaves contact details out.
    email: str | None = strawberry.federation.field(resolver=_email, description=_PRIVATE, tags=["private"])
    orcid: str | None = strawberry.federation.field(resolver=_orcid, description=_PRIVATE, tags=["private"])
    country: Country | None = strawberry.field(resolver=_country)
    # Tagged "private" like the details it governs; other subgraphs that hold contact
    # details of their own can @requires it to honour the person's choice.
    contact_visibility: ContactVisibility | None = strawberry.federation.field(
        resolver=_contact_visibility, description=_VISIBILITY, tags=["private"]
    )
    individual_membership: IndividualMembership | None = strawberry.field(
        resolver=_individual_membership, description="Null: not an individual member, and never was"
    )
    pending_email: PendingEmail | None = strawberry.federation.field(
        resolver=_pending_email, tags=["private"],
        description="A new address asked for and not yet confirmed by its link (the person and staff; null for others)",
    )
    version: int
    updated_at: datetime
    record: strawberry.Private[records.Person]
    # Set on the answer of visibleAs: the preview's context, which the private fields ask.
    seen_by: strawberry.Private[object] = None

    @classmethod
    def of(cls, record: records.Person, seen_by: object = None) -> "Person":
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            given_name=record.given_name,
            family_name=record.family_name,
            version=record.version,
            updated_at=record.updated_at or VERSIONS_BEGAN,
            record=record,
            seen_by=seen_by,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "Person | None":
        found = await info.context.loaders.person.load(str(id))
        return cls.of(found) if found else None

    @strawberry.federation.field(
        description="The contact details on file that you may not see (never their values): "
        "a null email or orcid not listed here is not on file.",
        tags=["private"],
    )
    async def hidden_contact_details(self, info: Info) -> list[ContactDetail]:
        return await resolve.hidden_contact_details(context_of(self, info), self.record)

    @strawberry.field
    @batched(_affiliations)
    async def affiliation(self, info: Info) -> OrganisationType | None:
        return await one_of(_affiliations, info, self)

    @strawberry.federation.field(
        description="The role contacts this person holds for organisations; the first `first` (at most 100).",
        tags=["private"],
    )
    async def roles(self, info: Info, first: int | None = list_sizes.PERSON_ROLES.default) -> list[RoleContactType]:
        from schema.contacts import RoleContact

        wanted = list_sizes.PERSON_ROLES.take(first)  # refused before anything is read
        found = await resolve.roles_of(info.context, self.record.id)
        return [RoleContact.of(c) for c in found[wanted]]

    @strawberry.federation.field(
        description="Groups whose updates the person receives: their own subscriptions and the COMMUNICATIONS "
        "assignments their organisation made for them; the first `first` (at most 200). Personal: all of it for "
        "the person and staff, only the organisation's assignments for its Primary and Administrator, "
        "empty for everyone else.",
        tags=["private"],
    )
    async def communications(
        self, info: Info, first: int | None = list_sizes.PERSON_COMMUNICATIONS.default
    ) -> list[WorkingGroupType]:
        from schema.groups import WorkingGroup

        wanted = list_sizes.PERSON_COMMUNICATIONS.take(first)  # refused before anything is read
        found = await resolve.communications_of(context_of(self, info), self.record)
        return [WorkingGroup.of(g) for g in found[wanted]]

    @strawberry.federation.field(
        description="The person's own subscriptions (what setCommunications sets), without their organisation's "
        "COMMUNICATIONS assignments (those are Person.roles); by name, the first `first` (at most 200). The person "
        "and staff; null for others.",
        tags=["private"],
    )
    async def subscriptions(
        self, info: Info, first: int | None = list_sizes.PERSON_COMMUNICATIONS.default
    ) -> list[WorkingGroupType] | None:
        from schema.groups import WorkingGroup

        wanted = list_sizes.PERSON_COMMUNICATIONS.take(first)  # refused before anything is read
        found = await resolve.subscriptions_of(context_of(self, info), self.record)
        return None if found is None else [WorkingGroup.of(g) for g in found[wanted]]

    history = history_field("Changes to the person, newest first (staff and admin; null for others).", kind="Person")

    invitations = invitations_field("Recommendations and invitations of the person onto groups' rosters, newest "
                                    "first; the first `first` (at most 100). The person and staff; null for others.",
                                    of="person")

    @strawberry.field(
        description="The person as a caller of that kind sees them: a preview of their privacy choice "
        "(the person themself and staff; null for others). Their own fields follow that caller's sight, never "
        "wider than yours; records reached from it (affiliation, roles, groups) show as you see them."
    )
    def visible_as(self, info: Info, caller: ViewerClass) -> "Person | None":
        seen_by = resolve.visible_as(context_of(self, info), self.record, caller)
        return Person.of(self.record, seen_by) if seen_by is not None else None

    @strawberry.field(
        description="Tenures on groups, past and present; with activeOn, only those held that day. "
        "The first `first` (at most 200)."
    )
    @batched(_groups)
    async def groups(
        self, info: Info, active_on: date | None = None, first: int | None = list_sizes.PERSON_TENURES.default
    ) -> list[RosterEntryType]:
        return await one_of(_groups, info, self, active_on=active_on, first=first)


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
    updated_since: datetime | None = strawberry.field(
        default=None, description="Changed at or after this instant (a time without zone is UTC)"
    )
    individual_membership_statuses: list[IndividualMembershipStatus] | None = strawberry.field(
        default=None, description="Individual membership in one of these statuses (APPLICANT: applications to decide)"
    )
