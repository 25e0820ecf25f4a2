"""Roster entries: a person's role in a group, from `since` until `until`, and
the orders a roster is read in."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from datastore.records import dates
from datastore.records.vocabulary import RosterRole


class RosterOrder(Enum):
    ROLE_ASC = "role"  # chairs first, then by seniority on the group
    UPDATED_ASC = "updated"  # least recently changed first


@dataclass(frozen=True, slots=True)
class RosterEntry:
    group_id: str
    person_id: str
    role: RosterRole
    since: date
    until: date | None = None
    version: int = 1
    updated_at: datetime | None = None

    @property
    def id(self) -> str:
        """Derived from what the tenure is, so importing it twice is one entry."""
        natural = "|".join((self.group_id, self.person_id, self.role.value, self.since.isoformat()))
        return "ros_" + hashlib.sha256(natural.encode()).hexdigest()[:20]

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """Roster order (RosterOrder.ROLE_ASC): chairs first, then by seniority."""
        return (self.role.rank, self.since.isoformat(), self.id)

    @property
    def updated_key(self) -> tuple[Any, ...]:
        """Least recently changed first."""
        return (dates.instant_key(self.updated_at), self.id)

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)
