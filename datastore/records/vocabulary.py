"""The alliance's controlled vocabularies, shared by every layer.

Values are stored in MongoDB by their names, so renaming a member is a data
migration; adding one is not. Records are read back by name (`Kind[stored]`):
a lookup that costs a third of `Kind(stored)`, and a page of records holds
thousands of them.
"""

from enum import Enum


class Continent(str, Enum):
    AFRICA = "AFRICA"
    ASIA = "ASIA"
    EUROPE = "EUROPE"
    NORTH_AMERICA = "NORTH_AMERICA"
    OCEANIA = "OCEANIA"
    SOUTH_AMERICA = "SOUTH_AMERICA"


class OrganisationKind(str, Enum):
    ACADEMIC = "ACADEMIC"
    CORPORATION = "CORPORATION"
    NOT_FOR_PROFIT = "NOT_FOR_PROFIT"
    PARTNERSHIP = "PARTNERSHIP"
    GOVERNMENT = "GOVERNMENT"
    HEALTHCARE_PROVIDER = "HEALTHCARE_PROVIDER"


class Sector(str, Enum):
    HEALTHCARE = "HEALTHCARE"
    RESEARCH = "RESEARCH"
    PATIENT_ADVOCACY = "PATIENT_ADVOCACY"
    LIFE_SCIENCE = "LIFE_SCIENCE"
    INFORMATION_TECHNOLOGY = "INFORMATION_TECHNOLOGY"
    FUNDING = "FUNDING"
    POLICY_AND_ETHICS = "POLICY_AND_ETHICS"


class Designation(str, Enum):
    DRIVER_PROJECT = "DRIVER_PROJECT"
    STRATEGIC_PARTNER = "STRATEGIC_PARTNER"
    CONTRIBUTING_MEMBER = "CONTRIBUTING_MEMBER"
    HOST_INSTITUTION = "HOST_INSTITUTION"
    FUNDER = "FUNDER"


class MembershipStatus(str, Enum):
    APPLICANT = "APPLICANT"
    ACTIVE = "ACTIVE"
    LAPSED = "LAPSED"
    DECLINED = "DECLINED"
    REMOVED = "REMOVED"
    CANCELLED = "CANCELLED"


class IndividualMembershipStatus(str, Enum):
    APPLICANT = "APPLICANT"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    REMOVED = "REMOVED"
    CANCELLED = "CANCELLED"


class ContactRole(str, Enum):
    PRIMARY = "PRIMARY"
    ADMINISTRATOR = "ADMINISTRATOR"
    SIGNER = "SIGNER"
    COMMUNICATIONS = "COMMUNICATIONS"


class GroupKind(str, Enum):
    WORK_STREAM = "WORK_STREAM"
    WORKING_GROUP = "WORKING_GROUP"
    TASK_TEAM = "TASK_TEAM"
    STUDY_GROUP = "STUDY_GROUP"
    COMMITTEE = "COMMITTEE"
    FORUM = "FORUM"
    COMMUNITY_OF_INTEREST = "COMMUNITY_OF_INTEREST"
    ADVISORY_GROUP = "ADVISORY_GROUP"


class RosterRole(str, Enum):
    """Declared in roster order: chairs first, staff last."""

    CHAIR = "CHAIR"
    CO_CHAIR = "CO_CHAIR"
    MEMBER = "MEMBER"
    CONTRIBUTOR = "CONTRIBUTOR"
    OBSERVER = "OBSERVER"
    STAFF = "STAFF"

    @property
    def rank(self) -> int:
        return _ROSTER_RANKS[self]


# Looked up for every entry of a roster when it is sorted.
_ROSTER_RANKS = {role: index for index, role in enumerate(RosterRole)}


class ContactVisibility(str, Enum):
    """Who a person lets see their contact details (e-mail, ORCID)."""

    PUBLIC = "PUBLIC"
    MEMBERS = "MEMBERS"
    STAFF = "STAFF"


class RecordType(str, Enum):
    """The kinds of record that change, in the audit log and the change feed."""

    ORGANISATION = "ORGANISATION"
    PERSON = "PERSON"
    ROLE_CONTACT = "ROLE_CONTACT"
    WORKING_GROUP = "WORKING_GROUP"
    ROSTER_ENTRY = "ROSTER_ENTRY"


class ChangeAction(str, Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    ASSIGN = "ASSIGN"
    REMOVE = "REMOVE"
    STATUS = "STATUS"
    REVIEW = "REVIEW"
    NOTICE = "NOTICE"
    ERASE = "ERASE"
    IMPORT = "IMPORT"
    # Two records of one person or organisation made one (datastore/merging.py).
    MERGE = "MERGE"


class Role(str, Enum):
    """What a caller may see, weakest first: anonymous < member < staff < admin."""

    ANONYMOUS = "anonymous"
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: "Role") -> bool:
        return self.rank >= other.rank


_SMALL_WORDS = {"and", "for", "of"}


def label(name: str) -> str:
    """A human label for a vocabulary value: POLICY_AND_ETHICS -> 'Policy and Ethics'."""
    words = name.lower().split("_")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))
