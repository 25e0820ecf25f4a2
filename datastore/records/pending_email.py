"""A person's pending e-mail address: the record part of verified e-mail (datastore.email_verification).

Plain values only, no database: a person's record holds one (datastore.people)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PendingEmail:
    """An address asked for and not yet confirmed; `request_id` names the token that confirms it."""

    address: str
    requested_at: datetime
    expires_at: datetime
    request_id: str

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def to_document(pending: PendingEmail | None) -> dict | None:
    if pending is None:
        return None
    return {"address": pending.address, "requested_at": pending.requested_at, "expires_at": pending.expires_at,
            "request_id": pending.request_id}


def from_document(document: dict | None) -> PendingEmail | None:
    if not document:
        return None
    return PendingEmail(document["address"], document["requested_at"], document["expires_at"],
                        document["request_id"])
