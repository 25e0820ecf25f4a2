"""Who may see what of a person and of an organisation: the rule, and nothing else.

Each person chooses how widely their contact details are shared (their
ContactVisibility): that choice is the ceiling. Nobody's role widens it (no
role contact, roster entry or export); only the person themself and staff see
past it. What a caller sees of a field is decided here, from the field, the
caller's relations to the record and, for contact details, the person's
choice. FIELDS is the rule as data; README's "Who may see what" tables are
`table()`, and a test keeps the two equal and checks every field of Person and
Organisation (and the membership types inside them) is listed.
"""

from collections.abc import Iterable, Mapping
from enum import Enum

from datastore.records.vocabulary import ContactRole, ContactVisibility, Role
from resolvers.viewer import Viewer


class ContactField(str, Enum):
    EMAIL = "email"
    ORCID = "orcid"


class Relation(str, Enum):
    """How a caller stands to the record concerned. A signed-in caller is always a
    MEMBER, and more where the facts say so; an anonymous caller is only ANONYMOUS."""

    ANONYMOUS = "anonymous"
    MEMBER = "member"
    # Primary or Administrator of the organisation concerned (for a person: the
    # organisation that made the assignment), and currently affiliated with it.
    MANAGER = "manager"
    SELF = "self"
    STAFF = "staff"


class Part(str, Enum):
    """Only part of a value shows."""

    ASSIGNMENTS = "only their organisation's COMMUNICATIONS assignments, never own subscriptions"


# What one relation sees of a field: all of it (True), nothing (False), the
# value only under these choices of the person's, or only a part of it.
Sight = bool | frozenset[ContactVisibility] | Part

# The role contacts who keep an organisation's contact list right.
MANAGING_ROLES = frozenset({ContactRole.PRIMARY, ContactRole.ADMINISTRATOR})

_A, _M, _MGR, _SELF, _S = Relation.ANONYMOUS, Relation.MEMBER, Relation.MANAGER, Relation.SELF, Relation.STAFF
_PUBLIC = frozenset({ContactVisibility.PUBLIC})
_SHARED = frozenset({ContactVisibility.PUBLIC, ContactVisibility.MEMBERS})

EVERYONE: Mapping[Relation, Sight] = {r: True for r in Relation}
SELF_AND_STAFF: Mapping[Relation, Sight] = {_SELF: True, _S: True}
MANAGERS_AND_STAFF: Mapping[Relation, Sight] = {_MGR: True, _S: True}
STAFF_ONLY: Mapping[Relation, Sight] = {_S: True}
# Anonymous callers never see an e-mail address, whatever the person chose.
EMAIL: Mapping[Relation, Sight] = {_A: False, _M: _SHARED, _MGR: _SHARED, _SELF: True, _S: True}
ORCID: Mapping[Relation, Sight] = {_A: _PUBLIC, _M: _SHARED, _MGR: _SHARED, _SELF: True, _S: True}

PERSON, ORGANISATION = "Person", "Organisation"

# (type, field path) -> who sees it. Nested paths are the fields of the
# membership types that belong to the record (Membership, IndividualMembership
# and their changes); fields that lead to another record (affiliation, roles,
# groups...) show that record, whose own fields follow their own rows.
FIELDS: dict[tuple[str, str], Mapping[Relation, Sight]] = {
    (PERSON, "id"): EVERYONE,
    (PERSON, "name"): EVERYONE,
    (PERSON, "givenName"): EVERYONE,
    (PERSON, "familyName"): EVERYONE,
    (PERSON, "email"): EMAIL,
    (PERSON, "orcid"): ORCID,
    (PERSON, "country"): EVERYONE,
    (PERSON, "contactVisibility"): SELF_AND_STAFF,
    (PERSON, "pendingEmail"): SELF_AND_STAFF,  # an address asked for, not yet confirmed
    (PERSON, "hiddenContactDetails"): EVERYONE,  # which details are hidden, never their values
    (PERSON, "individualMembership"): EVERYONE,
    (PERSON, "individualMembership.status"): EVERYONE,
    (PERSON, "individualMembership.since"): EVERYONE,
    (PERSON, "individualMembership.history"): EVERYONE,
    (PERSON, "individualMembership.history.status"): EVERYONE,
    (PERSON, "individualMembership.history.on"): EVERYONE,
    (PERSON, "individualMembership.history.reason"): SELF_AND_STAFF,
    (PERSON, "individualMembership.history.acceptedAgreements"): SELF_AND_STAFF,
    (PERSON, "version"): EVERYONE,
    (PERSON, "updatedAt"): EVERYONE,
    (PERSON, "affiliation"): EVERYONE,
    (PERSON, "roles"): EVERYONE,
    (PERSON, "communications"): {_MGR: Part.ASSIGNMENTS, _SELF: True, _S: True},
    (PERSON, "subscriptions"): SELF_AND_STAFF,  # the person's own choice, apart from any assignment
    (PERSON, "history"): STAFF_ONLY,
    (PERSON, "groups"): EVERYONE,
    (PERSON, "invitations"): SELF_AND_STAFF,
    (PERSON, "visibleAs"): SELF_AND_STAFF,  # a preview, never wider than the caller's own sight
    (ORGANISATION, "id"): EVERYONE,
    (ORGANISATION, "slug"): EVERYONE,
    (ORGANISATION, "name"): EVERYONE,
    (ORGANISATION, "kind"): EVERYONE,
    (ORGANISATION, "sectors"): EVERYONE,
    (ORGANISATION, "designations"): EVERYONE,
    (ORGANISATION, "country"): EVERYONE,
    (ORGANISATION, "continent"): EVERYONE,
    (ORGANISATION, "city"): EVERYONE,
    (ORGANISATION, "website"): EVERYONE,
    (ORGANISATION, "rorId"): EVERYONE,
    (ORGANISATION, "timeZone"): EVERYONE,
    (ORGANISATION, "aliases"): EVERYONE,
    (ORGANISATION, "acronyms"): EVERYONE,
    (ORGANISATION, "membership"): EVERYONE,
    (ORGANISATION, "membership.status"): EVERYONE,
    (ORGANISATION, "membership.joinedOn"): EVERYONE,
    (ORGANISATION, "membership.lastReviewedOn"): EVERYONE,
    (ORGANISATION, "membership.nextReviewDue"): EVERYONE,
    (ORGANISATION, "membership.removalNoticeOn"): MANAGERS_AND_STAFF,
    (ORGANISATION, "membership.removableFrom"): MANAGERS_AND_STAFF,  # the notice's date, moved by the period
    (ORGANISATION, "membership.history"): EVERYONE,
    (ORGANISATION, "membership.history.status"): EVERYONE,
    (ORGANISATION, "membership.history.on"): EVERYONE,
    (ORGANISATION, "membership.history.reason"): MANAGERS_AND_STAFF,
    (ORGANISATION, "version"): EVERYONE,
    (ORGANISATION, "updatedAt"): EVERYONE,
    (ORGANISATION, "contacts"): EVERYONE,  # who holds a role; their details follow Person's rows
    (ORGANISATION, "people"): EVERYONE,
    (ORGANISATION, "history"): STAFF_ONLY,
    (ORGANISATION, "workingGroups"): EVERYONE,
}

# The private values of an audit entry (contact details, personal choices) are
# shown to those who read the audit log at all: staff (resolvers.permissions).
AUDIT_VALUES: Mapping[Relation, Sight] = STAFF_ONLY


def relations(role: Role, *, is_self: bool = False, manages: bool = False) -> frozenset[Relation]:
    """How a caller with `role` stands to a record. Anonymous callers are only
    ANONYMOUS, whatever else is claimed, so nothing can hand them more."""
    if role is Role.ANONYMOUS:
        return frozenset({_A})
    found = {_M}
    if is_self:
        found.add(_SELF)
    if manages:
        found.add(_MGR)
    if role.at_least(Role.STAFF):
        found.add(_S)
    return frozenset(found)


def _allows(sight: Sight, visibility: ContactVisibility | None) -> bool:
    if isinstance(sight, bool):
        return sight
    if isinstance(sight, frozenset):
        # No choice on file reads as the most restrictive one.
        return visibility is not None and visibility in sight
    return False  # a part is not the whole


def sees(rule: Mapping[Relation, Sight], held: Iterable[Relation], visibility: ContactVisibility | None = None) -> bool:
    """Whether a caller with relations `held` sees the whole value under `rule`."""
    return any(_allows(rule.get(r, False), visibility) for r in held)


def sees_field(kind: str, path: str, held: Iterable[Relation], visibility: ContactVisibility | None = None) -> bool:
    return sees(FIELDS[(kind, path)], held, visibility)


def part_seen(kind: str, path: str, held: Iterable[Relation]) -> Part | None:
    """The part of the value a caller who does not see it whole may see, if any."""
    parts = [s for r in held if isinstance(s := FIELDS[(kind, path)].get(r, False), Part)]
    return parts[0] if parts else None


def may_see(field: ContactField, visibility: ContactVisibility | None, role: Role, *, is_self: bool = False) -> bool:
    """Whether a caller with `role` may see `field` of a person who chose `visibility`.
    Nobody's role contacts enter into it: a Primary or Administrator sees what a member sees."""
    return sees_field(PERSON, field.value, relations(role, is_self=is_self), visibility)


def may_see_personal_choices(role: Role, *, is_self: bool = False) -> bool:
    """Whether a caller may see a person's own choices and their reasons: their
    contact visibility and why their individual membership changed."""
    return sees_field(PERSON, "contactVisibility", relations(role, is_self=is_self))


def may_see_audit_values(role: Role) -> bool:
    return sees(AUDIT_VALUES, relations(role))


class ViewerClass(str, Enum):
    """A kind of caller a person's profile can be previewed as (Person.visibleAs)."""

    ANONYMOUS = "ANONYMOUS"
    MEMBER = "MEMBER"
    STAFF = "STAFF"


def preview_viewer(caller: Viewer, person_id: str, kind: ViewerClass) -> Viewer | None:
    """Who to resolve a person's fields as, to show `caller` what a caller of `kind`
    sees of them; None when `caller` may not ask (only the person and staff may).

    The preview is a plain caller of that kind: no person of its own, so no relation
    but its role (a member who manages nothing). It is never wider than the caller:
    its role is at most the caller's, and it acts for nobody else. So the person
    themself previewing STAFF gets their own sight (which staff's equals for their
    contact details and choices), never staff's powers over other records."""
    is_self = caller.person_id is not None and caller.person_id == person_id
    if not sees_field(PERSON, "visibleAs", relations(caller.role, is_self=is_self)):
        return None
    credential = f"preview:{kind.value}:{caller.credential}"
    if kind is ViewerClass.ANONYMOUS:
        return Viewer(role=Role.ANONYMOUS, credential=credential)
    if kind is ViewerClass.MEMBER:
        return Viewer(role=Role.MEMBER, credential=credential)
    if caller.role.at_least(Role.STAFF):
        return Viewer(role=Role.STAFF, credential=credential)
    return caller


# README's tables.

_COLUMNS = {
    PERSON: (_A, _M, _MGR, _SELF, _S),
    ORGANISATION: (_A, _M, _MGR, _S),
}
_HEADINGS = {
    _A: "anonymous",
    _M: "member",
    _SELF: "the person themself",
    _S: "staff, admin",
}
_MANAGER_HEADING = {
    PERSON: "Primary or Administrator of their organisation",
    ORGANISATION: "its Primary or Administrator",
}


def _cell(sight: Sight) -> str:
    if sight is True:
        return "yes"
    if sight is False:
        return "no"
    if isinstance(sight, frozenset):
        if sight == frozenset(ContactVisibility):
            return "yes"
        return "if " + " or ".join(v.value for v in ContactVisibility if v in sight)
    return sight.value


def table() -> str:
    """The rule as the Markdown tables README shows: one for Person, one for Organisation."""
    out: list[str] = []
    for kind, columns in _COLUMNS.items():
        headings = [_MANAGER_HEADING[kind] if r is _MGR else _HEADINGS[r] for r in columns]
        if out:
            out.append("")
        out.append(f"| `{kind}` field | " + " | ".join(headings) + " |")
        out.append("| --- |" + " --- |" * len(columns))
        for (k, path), rule in FIELDS.items():
            if k == kind:
                out.append(f"| `{path}` | " + " | ".join(_cell(rule.get(r, False)) for r in columns) + " |")
    return "\n".join(out)
