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
    INVITATION = "INVITATION"


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
    # An invitation's lifecycle (datastore/invitations.py).
    RECOMMEND = "RECOMMEND"
    INVITE = "INVITE"
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"
    WITHDRAW = "WITHDRAW"
    EXPIRE = "EXPIRE"


class InvitationStatus(str, Enum):
    """A path onto a group's roster (datastore/invitations.py)."""

    RECOMMENDED = "RECOMMENDED"
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


class NotificationKind(str, Enum):
    """Why the directory owes someone a message (datastore.outbox)."""

    REMOVAL_NOTICE = "REMOVAL_NOTICE"
    MEMBERSHIP_DECIDED = "MEMBERSHIP_DECIDED"
    MEMBERSHIP_CANCELLED = "MEMBERSHIP_CANCELLED"
    REVIEW_DUE = "REVIEW_DUE"
    REVIEW_RECORDED = "REVIEW_RECORDED"
    ROLE_ASSIGNED = "ROLE_ASSIGNED"
    ROLE_REMOVED = "ROLE_REMOVED"
    INDIVIDUAL_MEMBERSHIP_DECIDED = "INDIVIDUAL_MEMBERSHIP_DECIDED"
    RECOMMENDATION = "RECOMMENDATION"
    INVITATION = "INVITATION"
    INVITATION_ANSWERED = "INVITATION_ANSWERED"
    EMAIL_VERIFICATION = "EMAIL_VERIFICATION"
    NEEDS_PRIMARY = "NEEDS_PRIMARY"
    # Verified e-mail and webhooks (resolvers.mutations.email_verification, datastore.webhooks).
    EMAIL_CHANGE_REQUESTED = "EMAIL_CHANGE_REQUESTED"
    RECORD_CHANGED = "RECORD_CHANGED"
    WEBHOOK_DISABLED = "WEBHOOK_DISABLED"
    # A role contact's e-mail is missing or bounced (the monthly operational notices).
    CONTACT_PROBLEM = "CONTACT_PROBLEM"


class DeliveryChannel(str, Enum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class DeliveryState(str, Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    # Never sent, on purpose: the recipient does not take this kind of message
    # (their subscriptions, a Signer and routine updates, an erased person).
    SKIPPED = "SKIPPED"


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
