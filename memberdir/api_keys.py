"""Issuing and checking API keys.

A key reads `mdk_<id>_<secret>`: the id finds the stored record in one `_id`
lookup, the secret (256 random bits from `secrets`) is checked against its
salted HMAC-SHA256 in constant time. A slow password hash would add nothing:
the secret is random, not chosen by a person, so it cannot be guessed.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from datastore import api_keys as stored_keys, people
from datastore.api_keys import ApiKey
from datastore.client import Database
from datastore.records.vocabulary import Role

PREFIX = "mdk_"
_SHAPE = re.compile(r"^mdk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


class KeyRejected(Exception):
    """The key is not one we issued, or no longer valid; the message says which."""


@dataclass(frozen=True, slots=True)
class IssuedKey:
    record: ApiKey
    secret_key: str  # shown once, never stored


def looks_like_key(credential: str) -> bool:
    return credential.startswith(PREFIX)


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


async def issue(
    db: Database, name: str, role: Role, person_id: str | None = None, any_document: bool = False
) -> IssuedKey:
    if role is Role.ANONYMOUS:
        raise ValueError("a key is for a member, staff or admin client")
    key_id, secret, salt = secrets.token_hex(8), secrets.token_urlsafe(32), secrets.token_hex(16)
    record = ApiKey(
        id=key_id, name=name, role=role, salt=salt, hash=_digest(salt, secret),
        created_at=datetime.now(UTC), person_id=person_id, any_document=any_document,
    )
    await stored_keys.insert(db, record)
    return IssuedKey(record, f"{PREFIX}{key_id}_{secret}")


async def verify(db: Database, presented: str) -> ApiKey:
    found = _SHAPE.match(presented)
    if found is None:
        raise KeyRejected("malformed API key")
    key_id, secret = found.groups()
    record = await stored_keys.by_id(db, key_id)
    if record is None or not hmac.compare_digest(record.hash, _digest(record.salt, secret)):
        raise KeyRejected("unknown API key")
    # Told only to whoever holds the real secret. A key of an erased person is revoked by the
    # erasure; checking the person too makes it refused from the instant the erasure is written.
    if record.revoked or (record.person_id and await people.is_erased(db, record.person_id)):
        raise KeyRejected("revoked API key")
    return record


async def revoke(db: Database, key_id: str) -> bool:
    return await stored_keys.revoke(db, key_id, datetime.now(UTC))
