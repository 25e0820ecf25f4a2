"""The notifications a mutation owes, built from what the recipient may see.

Each function returns `datastore.outbox.Owed` values that the mutation puts in
its write (`Write.notifications`), so they are written in the same claimed
change (datastore.writes). Template values hold only what the recipient may
see: here public facts of the organisation and dates the notice is about.
"""

from datetime import timedelta

from datastore import reads
from datastore import contacts, people
from datastore.records.organisations import Organisation
from datastore.records.outbox import Owed
from datastore.records.vocabulary import ContactRole, DeliveryChannel, NotificationKind, RecordType
from datastore.records import time_zones
from resolvers.context import Context
from resolvers.relations import current_contacts_of


async def _holders(ctx: Context, organisation: Organisation, role: ContactRole) -> list[str]:
    """The people currently holding `role` for the organisation (affiliated, not erased)."""
    found = [c for c in await contacts.by_organisations(ctx.db, [organisation.id]) if c.role is role]
    holders = {p.id: p for p in await people.by_ids(ctx.db, {c.person_id for c in found})}
    return [c.person_id for c in current_contacts_of(found, holders)]


async def removal_notice(ctx: Context, organisation: Organisation) -> tuple[Owed, ...]:
    """The organisation's Primary is told when removal may happen at the earliest."""
    earliest = ctx.today + timedelta(days=ctx.removal_notice_days)
    return tuple(
        Owed(
            kind=NotificationKind.REMOVAL_NOTICE, channel=DeliveryChannel.EMAIL, recipient_id=person_id,
            subject=f"{organisation.name}: notice of removal from the directory's membership",
            record_type=RecordType.ORGANISATION, record_id=organisation.id, template="removal_notice",
            values={"organisation": {"id": organisation.id, "name": organisation.name},
                    "noticeOn": ctx.today.isoformat(), "earliestRemovalOn": earliest.isoformat(),
                    "noticeDays": ctx.removal_notice_days,
                    # When it was recorded, in the organisation's own time zone (issue 24, part 7).
                    "timeZone": organisation.time_zone,
                    "recordedAt": time_zones.local_time(reads.now(), organisation.time_zone)},
        )
        for person_id in await _holders(ctx, organisation, ContactRole.PRIMARY)
    )
