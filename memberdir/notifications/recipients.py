"""Who a notification goes to, and whether they take it.

Routine updates (ROUTINE) honour each person's choices: one about a group goes
only to people who receive that group's updates (their own subscriptions and
their organisation's COMMUNICATIONS assignments), and a Signer who holds no
other role receives none (the alliance's rule: the Signer signs, and is not
mailed updates). Everything else (a removal notice, an invitation, a
verification link) is sent regardless. An erased person receives nothing.
"""

from dataclasses import dataclass

from datastore import contacts, people
from datastore.records.people import Person
from datastore.records.outbox import Notification
from datastore.records.vocabulary import ContactRole, NotificationKind, RecordType
from memberdir.notifications.errors import DeliveryFailed, NotForRecipient

ROUTINE = frozenset({NotificationKind.REVIEW_RECORDED, NotificationKind.ROLE_ASSIGNED, NotificationKind.ROLE_REMOVED})
_MORE_THAN_SIGNING = frozenset({ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.COMMUNICATIONS})


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: str | None
    # As the person wrote it: mail is addressed, and greets, in the recipient's name.
    name: str | None
    address: str


def _group_of(notification: Notification) -> str | None:
    if notification.record_type is RecordType.WORKING_GROUP:
        return notification.record_id
    group = notification.values.get("group")
    return group.get("id") if isinstance(group, dict) else None


async def recipient_of(db, notification: Notification) -> Recipient:
    """The recipient, or NotForRecipient (SKIPPED) / DeliveryFailed (nowhere to send it)."""
    person = None
    if notification.recipient_id:
        found = await people.by_ids(db, [notification.recipient_id])
        person = found[0] if found else None
        if person is None or person.erased:
            raise NotForRecipient("the recipient is no longer in the directory")
        if notification.kind in ROUTINE:
            await _takes_routine_updates(db, person, _group_of(notification))
    address = notification.address or (person.email if person else None)
    if not address:
        raise DeliveryFailed("the recipient has no e-mail address", permanent=True)
    return Recipient(person.id if person else None, person.name if person else None, address)


async def _takes_routine_updates(db, person: Person, group_id: str | None) -> None:
    held = [c for c in await contacts.by_people(db, [person.id]) if c.organisation_id == person.affiliation_id]
    roles = {c.role for c in held}
    if ContactRole.SIGNER in roles and not roles & _MORE_THAN_SIGNING:
        raise NotForRecipient("a Signer receives no routine updates")
    if group_id is not None:
        assigned = {c.group_id for c in held if c.role is ContactRole.COMMUNICATIONS}
        if group_id not in set(person.communications) | assigned:
            raise NotForRecipient("the recipient does not receive this group's updates")
