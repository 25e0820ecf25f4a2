"""Browser sessions and the sign-ins still under way, as stored.

A session is found by the SHA-256 digest of its cookie's random value: the
value itself is never stored, so a copy of the database signs nobody in. A
pending sign-in (the authorisation request's state, nonce, PKCE verifier and
where to go next) is found by the digest of its `state`, lives minutes and is
taken once: of two callbacks with one state, only the one whose delete removed
the record goes on.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from datastore.client import Database
from datastore.records.vocabulary import Role


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the digest of the cookie's value
    role: Role
    person_id: str | None
    credential: str  # for the rate limit and logs: "oidc-session:<digest of issuer and sub>" or "api-key:<id>"
    created_at: datetime
    seen_at: datetime
    expires_at: datetime  # the absolute limit
    key_id: str | None = None  # a development session opened with an API key
    # Who signed in, as the issuer named them (their e-mail, else the subject): shown back to them only.
    label: str | None = None


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    state: str
    nonce: str
    code_verifier: str
    next: str
    expires_at: datetime


async def create(db: Database, session: Session) -> None:
    await db.sessions.insert_one({
        "_id": session.id, "role": session.role.value, "person_id": session.person_id,
        "credential": session.credential, "created_at": session.created_at, "seen_at": session.seen_at,
        "expires_at": session.expires_at, "key_id": session.key_id, "label": session.label,
    })


async def by_id(db: Database, session_id: str) -> Session | None:
    found = await db.sessions.find_one({"_id": session_id})
    if found is None:
        return None
    return Session(id=found["_id"], role=Role(found["role"]), person_id=found.get("person_id"),
                   credential=found["credential"], created_at=found["created_at"], seen_at=found["seen_at"],
                   expires_at=found["expires_at"], key_id=found.get("key_id"), label=found.get("label"))


async def seen(db: Database, session_id: str, when: datetime) -> None:
    await db.sessions.update_one({"_id": session_id}, {"$set": {"seen_at": when}})


async def end(db: Database, session_id: str) -> None:
    await db.sessions.delete_one({"_id": session_id})


async def end_for_person(db: Database, person_id: str) -> None:
    await db.sessions.delete_many({"person_id": person_id})


async def end_for_key(db: Database, key_id: str) -> None:
    await db.sessions.delete_many({"key_id": key_id})


async def forget_expired(db: Database, now: datetime) -> None:
    """Sessions past their absolute limit and sign-ins never finished (both refused anyway)."""
    await db.sessions.delete_many({"expires_at": {"$lt": now}})
    await db.sign_ins.delete_many({"expires_at": {"$lt": now}})


async def begin_sign_in(db: Database, pending: PendingSignIn) -> None:
    await db.sign_ins.insert_one({
        "_id": digest(pending.state), "nonce": pending.nonce, "code_verifier": pending.code_verifier,
        "next": pending.next, "expires_at": pending.expires_at,
    })


async def take_sign_in(db: Database, state: str, now: datetime) -> PendingSignIn | None:
    """The sign-in begun with `state`, once: it is deleted by the first caller to take it."""
    found = await db.sign_ins.find_one({"_id": digest(state)})
    if found is None:
        return None
    taken = await db.sign_ins.delete_one({"_id": found["_id"]})
    if taken.deleted_count != 1 or found["expires_at"] <= now:
        return None
    return PendingSignIn(state=state, nonce=found["nonce"], code_verifier=found["code_verifier"],
                         next=found["next"], expires_at=found["expires_at"])
