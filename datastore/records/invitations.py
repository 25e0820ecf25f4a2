"""Invitations: a path onto a group's roster (the record; its reads and writes: datastore.invitations)."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from datastore.records import dates
from datastore.records.vocabulary import InvitationStatus, RosterRole

PREFIX = "inv_"
# Newest first.
SORT = [("created_key", -1), ("_id", -1)]
# Still waiting for someone: a recommendation for a chair, an invitation for the person.
OPEN = frozenset({InvitationStatus.RECOMMENDED, InvitationStatus.INVITED})
# How a status may move on (the person answers only INVITED; anyone withdraws only what is open).
NEXT: dict[InvitationStatus, frozenset[InvitationStatus]] = {
    InvitationStatus.RECOMMENDED: frozenset({InvitationStatus.INVITED, InvitationStatus.WITHDRAWN}),
    InvitationStatus.INVITED: frozenset({
        InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN, InvitationStatus.EXPIRED,
    }),
}


def new_id() -> str:
    return PREFIX + secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    group_id: str
    person_id: str
    role: RosterRole
    status: InvitationStatus
    created_at: datetime
    # The organisation that recommended the person, and who did it for it.
    recommended_by: str | None = None
    recommender_id: str | None = None
    # The person who invited (None: staff acting with a key of no person's).
    invited_by: str | None = None
    # Plain text from the recommender or inviter (at most datastore.arrival.TEXT characters).
    message: str | None = None
    expires_on: date | None = None
    answered_at: datetime | None = None
    # The tenure accepting it added.
    roster_entry_id: str | None = None
    version: int = 1
    updated_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[str, str]:
        return (dates.instant_key(self.created_at), self.id)

    def answerable_at(self, instant: datetime) -> bool:
        """INVITED, and not past the end of `expires_on` in UTC."""
        return self.status is InvitationStatus.INVITED and not expired_at(self.expires_on, instant)


def expired_at(expires_on: date | None, instant: datetime) -> bool:
    """Past the end of `expires_on` (UTC) at `instant`."""
    if expires_on is None:
        return False
    return instant.astimezone(UTC) >= datetime.combine(expires_on + timedelta(days=1), time(), tzinfo=UTC)
