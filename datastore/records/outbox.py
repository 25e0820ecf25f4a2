"""The outbox's records: a message a change owes (`Owed`), and a notification as
stored (`Notification`) with its deterministic id. Pure: the queries and the
delivery claims are in datastore.outbox."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from datastore.records.vocabulary import DeliveryChannel, DeliveryState, NotificationKind, RecordType


@dataclass(frozen=True, slots=True)
class Owed:
    """A message a change owes; written in the same claimed change (datastore.writes)."""

    kind: NotificationKind
    channel: DeliveryChannel
    recipient_id: str | None
    subject: str
    record_type: RecordType
    record_id: str
    # A Jinja2 template pair, memberdir/notifications/templates/<template>.txt and .html.
    template: str
    # What the template shows: plain JSON values, only what the recipient may see (resolvers.privacy).
    values: dict = field(default_factory=dict)
    # Set only when the mail goes elsewhere than the recipient's current e-mail (a pending or old address).
    address: str | None = None
    endpoint_id: str | None = None
    # A notice that must never be owed twice ("ops:<org>:<cause>:<YYYY-MM>"): the id is derived from it.
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    kind: NotificationKind
    channel: DeliveryChannel
    recipient_id: str | None
    subject: str
    record_type: RecordType
    record_id: str
    template: str
    values: dict
    address: str | None
    endpoint_id: str | None
    key: str | None
    # None: owed by no change (a monthly operational notice, datastore.operational_notices).
    change_id: str | None
    created_at: datetime
    state: DeliveryState
    attempts: int = 0
    last_error: str | None = None
    next_at: datetime | None = None
    sent_at: datetime | None = None
    # Attempts made before the last `retry`: the limit counts from there.
    retried_after: int = 0


def notification_id(change_id: str, index: int, key: str | None = None) -> str:
    """Deterministic: the same change (or the same key) always owes the same ids."""
    seed = f"key:{key}" if key else f"change:{change_id}#{index}"
    return "ntf_" + hashlib.sha256(seed.encode()).hexdigest()[:24]
