"""The rules a record must meet, as the shapes of records in import files.

One set of rules for every write: the import validates each record of a file
with these models, and mutations validate the record a patch would produce
with the same ones (datastore.edits). They state shapes (formats, order,
what refers to what), never sizes: a merged record holds what is stored as
well as what arrives, and what is stored is never re-checked against a size
(a long history, a long reason written by the system). Sizes are rules for
values as they arrive (datastore.records.arrival). Field names are the GraphQL API's
(camelCase), so a file reads like a query result. Each model turns into the
datastore record of the same domain (`to_record`) and back (`from_record`).
"""

import re
from datetime import date
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from datastore.records import countries, time_zones
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.memberships import AgreementVersions, IndividualMembership, StatusChange
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import (
    ContactRole,
    ContactVisibility,
    Designation,
    GroupKind,
    IndividualMembershipStatus,
    MembershipStatus,
    OrganisationKind,
    RosterRole,
    Sector,
)


def _prefixed(prefix: str):
    pattern = re.compile(rf"^{prefix}_[A-Za-z0-9_-]{{1,60}}$")

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"must look like {prefix}_<letters, digits, - or _> (at most 64 characters)")
        return value

    return AfterValidator(check)


def _country(value: str) -> str:
    found = countries.country(value)
    if found is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code on an inhabited continent")
    return found.code


def _time_zone(value: str) -> str:
    if not time_zones.is_key(value):
        raise ValueError(f"{value!r} is not an IANA time zone key (such as Europe/Berlin or UTC)")
    return value


OrganisationId = Annotated[str, _prefixed("org")]
PersonId = Annotated[str, _prefixed("per")]
GroupId = Annotated[str, _prefixed("grp")]
CountryCode = Annotated[str, AfterValidator(_country)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Orcid = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")]
Website = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$")]
RorId = Annotated[str, StringConstraints(pattern=r"^https://ror\.org/0[a-z0-9]{8}$")]
# Letters and digits of any script, with inner dots, hyphens, ampersands or spaces ("UCL", "EMBL-EBI", "U. de M.").
Acronym = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\w[\w.&\- ]*$")]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _StatusChangeRecord(_Record):
    on: date
    # Written by the system with each status change: its size was the mutation's input limit.
    reason: str | None = None


class OrganisationStatusChange(_StatusChangeRecord):
    status: MembershipStatus


class AgreementVersionsRecord(_Record):
    constitution: Text
    memberAgreement: Text

    @classmethod
    def from_record(cls, a: AgreementVersions | None) -> "AgreementVersionsRecord | None":
        return cls.model_construct(constitution=a.constitution, memberAgreement=a.member_agreement) if a else None

    def to_record(self) -> AgreementVersions:
        return AgreementVersions(self.constitution, self.memberAgreement)


class IndividualStatusChange(_StatusChangeRecord):
    status: IndividualMembershipStatus
    # An application: the versions of the Constitution and the Member Agreement accepted.
    acceptedAgreements: AgreementVersionsRecord | None = None

    @classmethod
    def from_record(cls, c: StatusChange) -> Self:
        return cls.model_construct(status=c.status, on=c.on, reason=c.reason,
                                   acceptedAgreements=AgreementVersionsRecord.from_record(c.accepted_agreements))

    def to_record(self) -> StatusChange:
        accepted = self.acceptedAgreements.to_record() if self.acceptedAgreements else None
        return StatusChange(self.status, self.on, self.reason, accepted)


def arriving(info: ValidationInfo, *names: str) -> bool:
    """Whether any of the fields `names` arrives with this change. A rule between a
    record's own fields is checked when one of them changes: what the system wrote
    (a status change on its day, a review date) never locks the record."""
    given = (info.context or {}).get("given")
    return given is None or any(name in given for name in names)


def _in_date_order(history: list) -> None:
    days = [c.on for c in history]
    if days != sorted(days):
        raise ValueError("history must be in date order")


class IndividualMembershipRecord(_Record):
    status: IndividualMembershipStatus
    since: date | None = None
    history: list[IndividualStatusChange] = []

    @model_validator(mode="after")
    def _history_ends_in_status(self, info: ValidationInfo) -> Self:
        if not arriving(info, "individualMembership"):
            return self
        _in_date_order(self.history)
        if self.history and self.history[-1].status is not self.status:
            raise ValueError("the last change in history must be to the current status")
        return self

    def to_membership(self) -> IndividualMembership:
        return IndividualMembership(
            self.status, self.since, tuple(c.to_record() for c in self.history)
        )


class OrganisationRecord(_Record):
    id: OrganisationId
    slug: Slug
    name: Text
    kind: OrganisationKind
    country: CountryCode
    status: MembershipStatus
    sectors: list[Sector] = []
    designations: list[Designation] = []
    city: Text | None = None
    website: Website | None = None
    rorId: RorId | None = None
    aliases: list[Text] = []
    acronyms: list[Acronym] = []
    joinedOn: date | None = None
    lastReviewedOn: date | None = None
    history: list[OrganisationStatusChange] = []
    removalNoticeOn: date | None = None
    # Left out or null: the country's own zone where it has one, else UTC (datastore.time_zones).
    timeZone: TimeZone | None = None

    @model_validator(mode="after")
    def _dates_in_order(self, info: ValidationInfo) -> Self:
        if arriving(info, "joinedOn", "lastReviewedOn"):
            if self.joinedOn and self.lastReviewedOn and self.lastReviewedOn < self.joinedOn:
                raise ValueError("lastReviewedOn is before joinedOn")
        if not arriving(info, "status", "history"):
            return self
        _in_date_order(self.history)
        if self.history and self.history[-1].status is not self.status:
            raise ValueError("the last change in history must be to the current status")
        return self

    @classmethod
    def from_record(cls, o: Organisation) -> Self:
        return cls.model_construct(
            id=o.id, slug=o.slug, name=o.name, kind=o.kind, country=o.country_code, status=o.status,
            sectors=list(o.sectors), designations=list(o.designations), city=o.city, website=o.website,
            rorId=o.ror_id, aliases=list(o.aliases), acronyms=list(o.acronyms),
            joinedOn=o.joined_on, lastReviewedOn=o.last_reviewed_on,
            history=[OrganisationStatusChange.model_construct(status=c.status, on=c.on, reason=c.reason)
                     for c in o.history],
            removalNoticeOn=o.removal_notice_on, timeZone=o.time_zone_set,
        )

    def to_record(self) -> Organisation:
        return Organisation(
            id=self.id, slug=self.slug, name=self.name, kind=self.kind,
            country_code=self.country, status=self.status,
            sectors=tuple(dict.fromkeys(self.sectors)),
            designations=tuple(dict.fromkeys(self.designations)),
            city=self.city, website=self.website, ror_id=self.rorId,
            aliases=tuple(dict.fromkeys(self.aliases)), acronyms=tuple(dict.fromkeys(self.acronyms)),
            joined_on=self.joinedOn, last_reviewed_on=self.lastReviewedOn,
            history=tuple(StatusChange(c.status, c.on, c.reason) for c in self.history),
            removal_notice_on=self.removalNoticeOn, time_zone_set=self.timeZone,
        )


class PersonRecord(_Record):
    id: PersonId
    givenName: Text
    familyName: Text
    email: Email | None = None
    orcid: Orcid | None = None
    country: CountryCode | None = None
    affiliation: OrganisationId | None = None
    contactVisibility: ContactVisibility = ContactVisibility.MEMBERS
    individualMembership: IndividualMembershipRecord | None = None
    communications: list[GroupId] = []

    @classmethod
    def from_record(cls, p: Person) -> Self:
        membership = p.individual_membership
        return cls.model_construct(
            id=p.id, givenName=p.given_name, familyName=p.family_name, email=p.email, orcid=p.orcid,
            country=p.country_code, affiliation=p.affiliation_id, contactVisibility=p.contact_visibility,
            individualMembership=IndividualMembershipRecord.model_construct(
                status=membership.status, since=membership.since,
                history=[IndividualStatusChange.from_record(c) for c in membership.history],
            ) if membership else None,
            communications=list(p.communications),
        )

    def to_record(self) -> Person:
        return Person(
            id=self.id, given_name=self.givenName, family_name=self.familyName,
            email=self.email, orcid=self.orcid, country_code=self.country,
            affiliation_id=self.affiliation, contact_visibility=self.contactVisibility,
            individual_membership=self.individualMembership.to_membership() if self.individualMembership else None,
            communications=tuple(dict.fromkeys(self.communications)),
        )


class ContactRecord(_Record):
    organisation: OrganisationId
    person: PersonId
    role: ContactRole
    workingGroup: GroupId | None = None

    @model_validator(mode="after")
    def _group_for_communications_only(self) -> Self:
        if (self.role is ContactRole.COMMUNICATIONS) != (self.workingGroup is not None):
            raise ValueError("workingGroup is required for COMMUNICATIONS contacts and only for them")
        return self

    @classmethod
    def from_record(cls, c: RoleContact) -> Self:
        return cls.model_construct(
            organisation=c.organisation_id, person=c.person_id, role=c.role, workingGroup=c.group_id
        )

    def to_record(self) -> RoleContact:
        return RoleContact(self.organisation, self.person, self.role, self.workingGroup)


class GroupRecord(_Record):
    id: GroupId
    slug: Slug
    name: Text
    kind: GroupKind
    active: bool = True
    description: str | None = None
    parent: GroupId | None = None

    @model_validator(mode="after")
    def _not_own_parent(self) -> Self:
        if self.parent == self.id:
            raise ValueError("a group cannot be its own parent")
        return self

    @classmethod
    def from_record(cls, g: Group) -> Self:
        return cls.model_construct(
            id=g.id, slug=g.slug, name=g.name, kind=g.kind, active=g.active,
            description=g.description, parent=g.parent_id,
        )

    def to_record(self) -> Group:
        return Group(
            id=self.id, slug=self.slug, name=self.name, kind=self.kind,
            active=self.active, description=self.description, parent_id=self.parent,
        )


class RosterRecord(_Record):
    group: GroupId
    person: PersonId
    role: RosterRole
    since: date
    until: date | None = Field(default=None)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.until and self.until < self.since:
            raise ValueError("until is before since")
        return self

    @classmethod
    def from_record(cls, r: RosterEntry) -> Self:
        return cls.model_construct(group=r.group_id, person=r.person_id, role=r.role, since=r.since, until=r.until)

    def to_record(self) -> RosterEntry:
        return RosterEntry(self.group, self.person, self.role, self.since, self.until)


# Section of a .json file -> model; NDJSON "type" -> section.
RECORD_MODELS: dict[str, type[_Record]] = {
    "organisations": OrganisationRecord,
    "people": PersonRecord,
    "contacts": ContactRecord,
    "groups": GroupRecord,
    "roster": RosterRecord,
}
SECTION_OF_TYPE = {
    "organisation": "organisations",
    "person": "people",
    "contact": "contacts",
    "group": "groups",
    "roster": "roster",
}
