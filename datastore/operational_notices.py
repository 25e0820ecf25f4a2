"""Monthly operational notices: what the datastore knows of them.

Each notice is owed once per (organisation, cause, calendar month): its key
"ops:<organisation>:<cause>:<YYYY-MM>" gives the notification its `_id`
(datastore.outbox.notification_id), and the notice is written with a plain
insert. Colliding inserts on `_id` have exactly one winner on every engine, so
a rerun, a second process, or two runs at once never owe it twice, and a cause
that persists is owed again the next month, under the next month's key.

These notices are owed by no change (nothing was written that owes them): they
are not written in a claimed change, and have no change to wait for before
delivery (`change_id` None, which datastore.outbox.due reads as ready).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from pymongo import WriteConcern
from pymongo.errors import DuplicateKeyError

from datastore import outbox
from datastore.client import Database
from datastore.organisations import OrganisationFilter, stream
from datastore.records.organisations import Organisation, OrganisationOrder
from datastore.records.outbox import Owed
from datastore.records.vocabulary import MembershipStatus, NotificationKind

# A review due within this many days of the run (or overdue: still owed) is a cause.
REVIEW_WITHIN_DAYS = 30
# Ongoing memberships: those reviewed every 12 months, whose contacts the alliance relies on.
ONGOING = (MembershipStatus.ACTIVE, MembershipStatus.LAPSED)
_DURABLE = WriteConcern(w="majority", j=True)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Cause(str, Enum):
    """Why an organisation is owed an operational notice, and the kind of notification it is."""

    REVIEW_DUE = "REVIEW_DUE"
    CONTACT_PROBLEM = "CONTACT_PROBLEM"

    @property
    def kind(self) -> NotificationKind:
        return NotificationKind[self.value]


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, as notices are keyed by it."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """'2026-12' -> Month(2026, 12); ValueError naming the expected form otherwise."""
        found = _MONTH.match(text.strip())
        if found is None:
            raise ValueError(f"{text!r} is not a month written YYYY-MM (such as 2026-12)")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def key(organisation_id: str, cause: Cause, month: Month) -> str:
    return f"ops:{organisation_id}:{cause.value}:{month}"


def as_of(month: Month, today: date) -> date:
    """The day a run for `month` looks from: today within the month, else the month's first day."""
    return today if Month.of(today) == month else month.first_day


async def ongoing(db: Database) -> list[Organisation]:
    """Organisations whose membership is ongoing (ACTIVE or LAPSED), by name."""
    where = OrganisationFilter(statuses=ONGOING)
    return [o async for o in stream(db, where, OrganisationOrder.NAME_ASC)]


def review_due(organisation: Organisation, day: date) -> date | None:
    """The organisation's next review, when it falls due within REVIEW_WITHIN_DAYS of `day` or is overdue."""
    due = organisation.next_review_due
    return due if due is not None and due <= day + timedelta(days=REVIEW_WITHIN_DAYS) else None


async def owe(db: Database, owed: Owed, at: datetime | None = None) -> bool:
    """Write a keyed notice owed by no change; False when its key is owed already."""
    assert owed.key, "an operational notice has a key: it is what makes it once a month"
    document = {**outbox.document(owed, "", 0, at or datetime.now(UTC)), "change_id": None}
    try:
        await db.notifications.with_options(write_concern=_DURABLE).insert_one(document)
    except DuplicateKeyError:
        return False
    return True
