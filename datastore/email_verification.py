"""Verified e-mail: a new address is pending until the link sent to it is followed.

The pending address lives on the person's record (`pending_email`), written
through the write path like any other change, so it is versioned, logged and
erased with the person. The link's token is a credential: 32 random bytes,
kept only as its SHA-256 digest in `verification_tokens` (left out of dumps:
datastore/dump.py), with the id of the request it confirms. A token is good
for one request only: following it changes the record (pending cleared, the
address current) at the version it was read, so a second use finds no
request of that id and is refused; a newer request replaces the old one's id.
A high-entropy random token needs no slow hash: its digest cannot be guessed
back.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import WriteConcern

from datastore.client import Database
from datastore.records.pending_email import PendingEmail

COLLECTION = "verification_tokens"
LIFETIME = timedelta(hours=48)
_DURABLE = WriteConcern(w="majority", j=True)


@dataclass(frozen=True, slots=True)
class Token:
    """What a token's digest is stored with."""

    person_id: str
    request_id: str
    expires_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request(address: str, now: datetime) -> tuple[PendingEmail, str]:
    """A new pending address and the token (shown once, in the link) that confirms it."""
    # Milliseconds, as the engine keeps times: the record read back equals the one written.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    pending = PendingEmail(address, now, now + LIFETIME, f"evr_{secrets.token_hex(12)}")
    return pending, secrets.token_urlsafe(32)


async def remember(db: Database, token: str, person_id: str, pending: PendingEmail) -> None:
    """Keep the token's digest (before the change that makes the request is written: a token
    whose request never got written confirms nothing). Expired digests are dropped meanwhile."""
    tokens = db.verification_tokens.with_options(write_concern=_DURABLE)
    await tokens.delete_many({"expires_at": {"$lt": pending.requested_at}})
    await tokens.insert_one({"_id": digest(token), "person_id": person_id, "request_id": pending.request_id,
                             "expires_at": pending.expires_at})


async def find(db: Database, token: str) -> Token | None:
    found = await db.verification_tokens.find_one({"_id": digest(token)})
    return Token(found["person_id"], found["request_id"], found["expires_at"]) if found else None


async def forget(db: Database, token: str) -> None:
    """The token was used (or its request ended): its digest goes."""
    await db.verification_tokens.with_options(write_concern=_DURABLE).delete_one({"_id": digest(token)})


# The outbox's mails about a person's addresses (resolvers.mutations.email_verification).
_ADDRESS_MAILS = ("EMAIL_VERIFICATION", "EMAIL_CHANGE_REQUESTED")


async def forget_person(db: Database, person_id: str) -> None:
    """Erasure: every token of the person goes (their pending address leaves the record with the
    erasure), and so does every address their requests were mailed to, including requests a
    later one replaced (their addresses are in no erased value): unsent, those mails are never sent."""
    await db.verification_tokens.with_options(write_concern=_DURABLE).delete_many({"person_id": person_id})
    await db.notifications.with_options(write_concern=_DURABLE).update_many(
        {"record_id": person_id, "kind": {"$in": list(_ADDRESS_MAILS)}},
        {"$set": {"address": None, "values": {}}})
