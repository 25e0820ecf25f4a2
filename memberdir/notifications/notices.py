"""The monthly operational notices: who is owed one, what it says, and the job that owes them.

Once a month (from MEMBERDIR_OPERATIONAL_NOTICES_DAY on), each organisation
with an ongoing membership is owed a notice for each cause it has:

- REVIEW_DUE: its 12-month review falls due within 30 days (or is overdue);
- CONTACT_PROBLEM: a role contact (Primary, Administrator, Signer, a
  communications contact) has no e-mail address, or mail to it bounced
  (datastore.outbox.bounced: a 5xx answer at RCPT or DATA).

The notice goes to the organisation's Administrator, or its Primary when it has
none; when the Administrator's own address is missing or bounced, to the
Primary if theirs works (a notice about a broken address is not sent to it).
Each is keyed (organisation, cause, calendar month) (datastore.operational_notices),
so however often the job runs, in however many processes, it is owed once a
month. `serve` runs the job every MEMBERDIR_OPERATIONAL_NOTICES_CHECK_SECONDS
(the first time one interval after it starts) from that day of each month on,
so a cause that appears later in the month is noticed then, once;
`memberdir notices run [--month YYYY-MM]` runs it by hand.

Template values hold only what the recipient may see (resolvers.privacy: a
contact's address only under that person's own choice), dates in ISO form, and
the time of the check in the organisation's time zone.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pymongo.errors import PyMongoError

from datastore import contacts, groups, outbox, people
from datastore.records import time_zones
from datastore.client import Database
from datastore.records.contacts import RoleContact
from datastore.operational_notices import Cause, Month, as_of, key, ongoing, owe, review_due
from datastore.records.organisations import Organisation
from datastore.records.outbox import Owed
from datastore.records.people import Person
from datastore.records.vocabulary import ContactRole, DeliveryChannel, RecordType, Role, label
from resolvers import privacy
from resolvers.relations import current_contacts_of

log = logging.getLogger("memberdir.notices")
# Missing or bounced: the two contact problems a notice names.
MISSING, BOUNCED = "MISSING", "BOUNCED"
_RECIPIENTS = (ContactRole.ADMINISTRATOR, ContactRole.PRIMARY)


@dataclass
class Report:
    """What one run owed: notices written now, those owed already, organisations with no one to tell."""

    month: Month
    owed: dict[Cause, int] = field(default_factory=lambda: {cause: 0 for cause in Cause})
    already: int = 0
    no_recipient: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(self.owed.values())


@dataclass(frozen=True, slots=True)
class _Organisation:
    """An organisation with its current role contacts and their holders."""

    record: Organisation
    held: list[RoleContact]
    holders: dict[str, Person]

    def holders_of(self, role: ContactRole) -> list[Person]:
        return [self.holders[c.person_id] for c in self.held if c.role is role]


async def run(db: Database, month: Month | None = None, *, now: datetime | None = None) -> Report:
    """Owe every operational notice of `month` (the current one, UTC, by default) not owed yet."""
    now = now or datetime.now(UTC)
    month = month or Month.of(now.date())
    day = as_of(month, now.date())
    report = Report(month)
    found = await ongoing(db)
    held = await contacts.by_organisations(db, [o.id for o in found])
    holders = {p.id: p for p in await people.by_ids(db, {c.person_id for c in held})}
    current = current_contacts_of(held, holders)
    group_names = {g.id: g.name for g in await groups.by_ids(db, {c.group_id for c in current if c.group_id})}
    bounced = await outbox.bounced_among(db, sorted({p.email for p in holders.values() if p.email}))
    held_by: dict[str, list[RoleContact]] = {}
    for contact in current:
        held_by.setdefault(contact.organisation_id, []).append(contact)
    wanted: list[tuple[Cause, Owed]] = []
    for record in found:
        organisation = _Organisation(record, held_by.get(record.id, []), holders)
        recipient = _recipient(organisation, bounced)
        causes = _causes(organisation, day, bounced, group_names, recipient)
        if causes and recipient is None:
            report.no_recipient.append(record.id)
            continue
        wanted += [(cause, _notice(record, cause, month, recipient, values, now)) for cause, values in causes.items()]
    # Those owed already are read at once; the insert still decides between runs at the same time.
    taken = await outbox.existing_keys(db, [notice.key for _, notice in wanted if notice.key])
    for cause, notice in wanted:
        if notice.key not in taken and await owe(db, notice):
            report.owed[cause] += 1
        else:
            report.already += 1
    return report


def _works(person: Person, bounced: set[str]) -> bool:
    return bool(person.email) and person.email not in bounced


def _recipient(organisation: _Organisation, bounced: set[str]) -> Person | None:
    """The Administrator, else the Primary; the first whose address works, else the first."""
    ids = dict.fromkeys(p.id for role in _RECIPIENTS for p in organisation.holders_of(role))
    candidates = [organisation.holders[i] for i in ids]
    working = [p for p in candidates if _works(p, bounced)]
    return (working or candidates or [None])[0]


def _causes(organisation: _Organisation, day: date, bounced: set[str], group_names: dict[str, str],
            recipient: Person | None) -> dict[Cause, dict]:
    """Each cause the organisation has, with the values its notice shows."""
    found: dict[Cause, dict] = {}
    due = review_due(organisation.record, day)
    if due is not None:
        found[Cause.REVIEW_DUE] = {"reviewDueOn": due.isoformat(), "overdue": due < day,
                                   "daysLeft": (due - day).days}
    problems = _contact_problems(organisation, bounced, group_names, recipient)
    if problems:
        found[Cause.CONTACT_PROBLEM] = {"contacts": problems}
    return found


def _contact_problems(organisation: _Organisation, bounced: set[str], group_names: dict[str, str],
                      recipient: Person | None) -> list[dict]:
    """Each contact with a missing or bounced address, with its roles; the address only where the
    recipient may see it (they manage the organisation: resolvers.privacy decides)."""
    roles: dict[str, list[str]] = {}
    for contact in organisation.held:
        role = label(contact.role.value)
        if contact.group_id:
            role += f" ({group_names.get(contact.group_id, contact.group_id)})"
        roles.setdefault(contact.person_id, []).append(role)
    problems = []
    for person_id, held in roles.items():
        person = organisation.holders[person_id]
        if _works(person, bounced):
            continue
        problem = {"name": person.name, "roles": held, "problem": BOUNCED if person.email else MISSING}
        if person.email and recipient is not None and _sees_address(recipient, person):
            problem["address"] = person.email
        problems.append(problem)
    return problems


def _sees_address(recipient: Person, person: Person) -> bool:
    held = privacy.relations(Role.MEMBER, is_self=recipient.id == person.id, manages=True)
    return privacy.sees_field(privacy.PERSON, "email", held, person.contact_visibility)


_SUBJECTS = {
    Cause.REVIEW_DUE: "{name}: membership review due on {reviewDueOn}",
    Cause.CONTACT_PROBLEM: "{name}: contact details to update",
}


def _notice(organisation: Organisation, cause: Cause, month: Month, recipient: Person | None, values: dict,
            now: datetime) -> Owed:
    zone = organisation.time_zone
    shown = {
        "organisation": {"id": organisation.id, "name": organisation.name},
        "month": str(month),
        "timeZone": zone,
        # When the directory looked, in the organisation's own time zone.
        "checkedAt": time_zones.local_time(now, zone),
        **values,
    }
    return Owed(
        kind=cause.kind, channel=DeliveryChannel.EMAIL, recipient_id=recipient.id if recipient else None,
        subject=_SUBJECTS[cause].format(name=organisation.name, **values),
        record_type=RecordType.ORGANISATION, record_id=organisation.id,
        template=cause.value.lower(), values=shown, key=key(organisation.id, cause, month),
    )


def due_month(day_of_month: int, now: datetime | None = None) -> Month | None:
    """The month whose notices are due now: this one (UTC) from its `day_of_month` on; None before (or when 0: off)."""
    now = now or datetime.now(UTC)
    if day_of_month <= 0 or now.day < day_of_month:
        return None
    return Month.of(now.date())


@asynccontextmanager
async def noticing(database: Callable[[], Database], day_of_month: int, check_seconds: float) -> AsyncIterator[None]:
    """Run the month's notices every `check_seconds` while serving, from `day_of_month` on.
    Every process may: the keys make each notice once (datastore.operational_notices)."""

    async def check() -> None:
        while True:
            # First one interval after start, as recovery's sweep: a server started (or restarted)
            # does not mail at once, and a month's notices are never in a hurry.
            await asyncio.sleep(check_seconds)
            month = due_month(day_of_month)
            if month is not None:
                try:
                    report = await run(database(), month)
                except (PyMongoError, RuntimeError) as error:  # the database is down or closing: next time
                    log.warning("operational notices skipped: %s", error)
                else:
                    if report.written:
                        log.info("operational notices for %s: %d owed", month, report.written)

    task = asyncio.create_task(check())
    try:
        yield
    finally:
        task.cancel()
