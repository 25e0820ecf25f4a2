"""Who may change what: the rule, and nothing else.

Each action lists the capacities in which a caller may take it, strongest
first; the caller acts in the first one the facts about them satisfy. The
table in README.md ("Who may change what") is `table()` of this module.
Anonymous callers satisfy no capacity, so they change nothing.
"""

from dataclasses import dataclass, field
from enum import Enum

from datastore.records.vocabulary import ContactRole, Role


class Capacity(str, Enum):
    """The role a caller acts in; recorded with every change in the audit log."""

    STAFF = "staff"
    PRIMARY = "primary"
    ADMINISTRATOR = "administrator"
    SELF = "self"
    CHAIR = "chair"
    APPLICANT = "applicant"
    INVITER = "inviter"


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about the caller in relation to the record concerned."""

    role: Role
    # The caller is a known person (an OIDC token, or a key made with --person).
    person: bool = False
    # The record is the caller's own person record.
    is_self: bool = False
    # Role contacts the caller holds for the organisation concerned.
    holds: frozenset[ContactRole] = field(default_factory=frozenset)
    # The caller currently chairs or co-chairs the group concerned.
    chairs: bool = False
    # The caller sent the invitation concerned.
    sent: bool = False


class Action(str, Enum):
    UPDATE_ORGANISATION = "change an organisation's profile"
    CREATE_ORGANISATION = "create an organisation (an application)"
    ASSIGN_PRIMARY = "hand over the PRIMARY role"
    ASSIGN_CONTACT = "assign or remove ADMINISTRATOR, SIGNER, COMMUNICATIONS contacts"
    REMOVE_PRIMARY = "remove the PRIMARY contact (not of an ACTIVE member)"
    DECIDE_MEMBERSHIP = "approve or decline an application"
    RECORD_REVIEW = "record a 12-month review (renew or lapse)"
    RECORD_REMOVAL_NOTICE = "record a removal notice to the Primary"
    REMOVE_MEMBERSHIP = "remove a membership (after notice and notice period)"
    CANCEL_MEMBERSHIP = "cancel an organisation's membership"
    WITHDRAW_APPLICATION = "withdraw an organisation's application (APPLICANT to CANCELLED)"
    SET_DESIGNATIONS = "set designations"
    SET_MATCHING_NAMES = "set an organisation's aliases and acronyms (affiliation matching)"
    CREATE_PERSON = "create a person (affiliated with an organisation)"
    UPDATE_PERSON = "change a person's profile (names, e-mail, ORCID, country)"
    SET_CONTACT_VISIBILITY = "set a person's contact visibility"
    CHANGE_AFFILIATION = "set a person's affiliation"
    LEAVE_AFFILIATION = "clear one's own affiliation (leave)"
    SET_COMMUNICATIONS = "set a person's own communications subscriptions"
    APPLY_INDIVIDUAL = "apply for individual membership"
    CANCEL_INDIVIDUAL = "cancel an individual membership"
    DECIDE_INDIVIDUAL = "approve, decline or remove an individual member"
    ERASE_PERSON = "erase a person on request"
    ADD_ROSTER_MEMBER = "add MEMBER, CONTRIBUTOR, OBSERVER roster entries directly (a chair invites instead)"
    END_ROSTER_MEMBER = "end MEMBER, CONTRIBUTOR, OBSERVER roster entries"
    ADD_ROSTER_OFFICER = "add or end CHAIR, CO_CHAIR, STAFF roster entries"
    RECOMMEND_FOR_GROUP = "recommend one of the organisation's people for a group"
    INVITE_TO_GROUP = "invite a person onto a group's roster (following a recommendation or not)"
    ANSWER_INVITATION = "accept or decline an invitation (accepting adds the roster entry)"
    WITHDRAW_RECOMMENDATION = "withdraw a recommendation"
    WITHDRAW_INVITATION = "withdraw an invitation"
    MANAGE_GROUPS = "create or change groups"
    READ_AUDIT = "read the audit log and record histories"
    READ_DUPLICATES = "read duplicate candidates"
    MERGE_RECORDS = "merge two people or two organisations, and undo a merge within 30 days"
    MANAGE_WEBHOOKS = "register, disable and list webhook endpoints, rotate their secrets"


_S, _P, _A, _SELF, _C, _APP, _INV = (
    Capacity.STAFF, Capacity.PRIMARY, Capacity.ADMINISTRATOR, Capacity.SELF, Capacity.CHAIR, Capacity.APPLICANT,
    Capacity.INVITER,
)

RULES: dict[Action, tuple[Capacity, ...]] = {
    Action.UPDATE_ORGANISATION: (_S, _P, _A),
    Action.CREATE_ORGANISATION: (_S, _APP),
    Action.ASSIGN_PRIMARY: (_S, _P),
    Action.ASSIGN_CONTACT: (_S, _P, _A),
    Action.REMOVE_PRIMARY: (_S,),
    Action.DECIDE_MEMBERSHIP: (_S,),
    Action.RECORD_REVIEW: (_S,),
    Action.RECORD_REMOVAL_NOTICE: (_S,),
    Action.REMOVE_MEMBERSHIP: (_S,),
    Action.CANCEL_MEMBERSHIP: (_S, _P),
    Action.WITHDRAW_APPLICATION: (_S, _P),
    Action.SET_DESIGNATIONS: (_S,),
    Action.SET_MATCHING_NAMES: (_S,),
    Action.CREATE_PERSON: (_S, _P, _A),
    Action.UPDATE_PERSON: (_S, _SELF),
    Action.SET_CONTACT_VISIBILITY: (_S, _SELF),
    Action.CHANGE_AFFILIATION: (_S,),
    Action.LEAVE_AFFILIATION: (_S, _SELF),
    Action.SET_COMMUNICATIONS: (_S, _SELF),
    Action.APPLY_INDIVIDUAL: (_S, _SELF),
    Action.CANCEL_INDIVIDUAL: (_S, _SELF),
    Action.DECIDE_INDIVIDUAL: (_S,),
    Action.ERASE_PERSON: (_S,),
    # Once invitations exist a chair's path onto the roster is the invitation
    # (accepting it adds the entry); staff and the import add directly.
    Action.ADD_ROSTER_MEMBER: (_S,),
    Action.END_ROSTER_MEMBER: (_S, _C),
    Action.ADD_ROSTER_OFFICER: (_S,),
    # The organisation (for a person affiliated with it); the group's chairs (invitations);
    # the person invited (answers); whoever made it (withdrawals).
    Action.RECOMMEND_FOR_GROUP: (_P, _A),
    Action.INVITE_TO_GROUP: (_S, _C),
    Action.ANSWER_INVITATION: (_SELF,),
    Action.WITHDRAW_RECOMMENDATION: (_S, _P, _A),
    Action.WITHDRAW_INVITATION: (_S, _INV, _C),
    Action.MANAGE_GROUPS: (_S,),
    Action.READ_AUDIT: (_S,),
    Action.READ_DUPLICATES: (_S,),
    Action.MERGE_RECORDS: (_S,),
    Action.MANAGE_WEBHOOKS: (_S,),
}

_DESCRIBED = {
    Capacity.STAFF: "staff, admin",
    Capacity.PRIMARY: "the organisation's Primary",
    Capacity.ADMINISTRATOR: "the organisation's Administrator",
    Capacity.SELF: "the person themself",
    Capacity.CHAIR: "the group's current chairs and co-chairs",
    Capacity.APPLICANT: "any signed-in person (becomes its Primary)",
    Capacity.INVITER: "the person who sent it",
}


def _satisfies(capacity: Capacity, facts: Facts) -> bool:
    if not facts.role.at_least(Role.MEMBER):
        return False
    match capacity:
        case Capacity.STAFF:
            return facts.role.at_least(Role.STAFF)
        case Capacity.PRIMARY:
            return ContactRole.PRIMARY in facts.holds
        case Capacity.ADMINISTRATOR:
            return ContactRole.ADMINISTRATOR in facts.holds
        case Capacity.SELF:
            return facts.is_self
        case Capacity.CHAIR:
            return facts.chairs
        case Capacity.APPLICANT:
            return facts.person
        case Capacity.INVITER:
            return facts.sent
    return False


def capacity(action: Action, facts: Facts) -> Capacity | None:
    """The capacity in which the caller may take `action`, or None if they may not."""
    return next((c for c in RULES[action] if _satisfies(c, facts)), None)


def table() -> str:
    """The rule as the Markdown table README shows."""
    rows = ["| action | who may |", "| --- | --- |"]
    rows += [f"| {a.value} | {'; '.join(_DESCRIBED[c] for c in RULES[a])} |" for a in Action]
    return "\n".join(rows)
