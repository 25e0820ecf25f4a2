"""Membership lifecycles: status histories and the transitions the alliance allows.

A history is data, not a log: every status change with its day and reason, in
order, so "what was the status on a given day" is a lookup and statistics over
time read it directly. Organisations and individual members share the shape.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from datastore.records.vocabulary import IndividualMembershipStatus, MembershipStatus

Status = MembershipStatus | IndividualMembershipStatus


@dataclass(frozen=True, slots=True)
class AgreementVersions:
    """The versions of the Constitution and the Member Agreement an individual member accepts on applying."""

    constitution: str
    member_agreement: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: Status
    on: date
    reason: str | None = None
    # An individual's application (APPLICANT): the versions the applicant accepted.
    accepted_agreements: AgreementVersions | None = None


@dataclass(frozen=True, slots=True)
class IndividualMembership:
    status: IndividualMembershipStatus
    since: date | None
    history: tuple[StatusChange, ...] = ()


# Organisational membership: APPLICANT -> ACTIVE (approved) or DECLINED; ACTIVE <->
# LAPSED through reviews; ACTIVE or LAPSED -> CANCELLED or REMOVED.
ORGANISATION_TRANSITIONS: dict[MembershipStatus, frozenset[MembershipStatus]] = {
    MembershipStatus.APPLICANT: frozenset({MembershipStatus.ACTIVE, MembershipStatus.DECLINED}),
    MembershipStatus.ACTIVE: frozenset({MembershipStatus.LAPSED, MembershipStatus.CANCELLED, MembershipStatus.REMOVED}),
    MembershipStatus.LAPSED: frozenset({MembershipStatus.ACTIVE, MembershipStatus.CANCELLED, MembershipStatus.REMOVED}),
    MembershipStatus.DECLINED: frozenset(),
    MembershipStatus.REMOVED: frozenset(),
    MembershipStatus.CANCELLED: frozenset(),
}

# A removal notice is for ACTIVE or LAPSED members, and stands while the membership is one of them
# (reinstated, ACTIVE again after a review, it is cleared).
UNDER_NOTICE: frozenset[MembershipStatus] = frozenset({MembershipStatus.ACTIVE, MembershipStatus.LAPSED})

# Individual membership: a person applies, is approved or declined, can cancel
# at any time, and can be removed; someone who left may apply again.
INDIVIDUAL_TRANSITIONS: dict[IndividualMembershipStatus, frozenset[IndividualMembershipStatus]] = {
    IndividualMembershipStatus.APPLICANT: frozenset({
        IndividualMembershipStatus.ACTIVE, IndividualMembershipStatus.DECLINED, IndividualMembershipStatus.CANCELLED,
    }),
    IndividualMembershipStatus.ACTIVE: frozenset({
        IndividualMembershipStatus.CANCELLED, IndividualMembershipStatus.REMOVED,
    }),
    IndividualMembershipStatus.DECLINED: frozenset({IndividualMembershipStatus.APPLICANT}),
    IndividualMembershipStatus.CANCELLED: frozenset({IndividualMembershipStatus.APPLICANT}),
    IndividualMembershipStatus.REMOVED: frozenset(),
}


def may_move(transitions: dict, current: Status | None, to: Status) -> bool:
    """Whether `current` -> `to` is allowed; no membership yet may only apply."""
    if current is None:
        return to.value == "APPLICANT"
    return to in transitions[current]


def status_on(history: Sequence[StatusChange], day: date) -> Status | None:
    """The status held on `day` (changes take effect on their day), or None before the first."""
    held = None
    for change in history:
        if change.on > day:
            break
        held = change.status
    return held


def first_day(history: Sequence[StatusChange], status: Status) -> date | None:
    return next((c.on for c in history if c.status == status), None)
