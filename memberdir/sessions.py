"""Browser sessions: the cookie, and who it signs in.

The browser holds only a random value in an HttpOnly, SameSite=Lax cookie
(`__Host-` prefixed and Secure in production); the database holds its SHA-256
digest with the role and person it stands for (datastore.sessions), so every
server process shares the sessions and a copy of the database signs nobody in.
A session ends at sign-out, after MEMBERDIR_SESSION_IDLE_MINUTES unused, after
MEMBERDIR_SESSION_ABSOLUTE_HOURS in all, at once when its person is erased
(the erasure deletes it, and it is refused here from the instant the erasure is
written) and, for a development session opened with an API key, when the key
is revoked (likewise).
"""

import secrets
from datetime import UTC, datetime, timedelta

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import Response

from datastore import api_keys as stored_keys, people, sessions
from datastore.client import Database
from datastore.records.vocabulary import Role
from datastore.sessions import Session
from memberdir.settings import Settings
from resolvers.viewer import Viewer

DEVELOPMENT_COOKIE, PRODUCTION_COOKIE = "memberdir_session", "__Host-memberdir_session"


class SessionEnded(Exception):
    """The cookie names no live session; the message says why, for the 401."""


def cookie_name(settings: Settings) -> str:
    return PRODUCTION_COOKIE if settings.production else DEVELOPMENT_COOKIE


def cookie_of_name(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    return (cookie_parser(raw).get(name) or None) if raw else None


def cookie_of(settings: Settings, headers: Headers) -> str | None:
    """The session cookie's value, if the request carries one."""
    return cookie_of_name(headers, cookie_name(settings))


def set_cookie(settings: Settings, response: Response, value: str) -> None:
    # No Max-Age: the browser forgets it when closed; the server's limits end it in any case.
    response.set_cookie(cookie_name(settings), value, path="/", httponly=True, samesite="lax",
                        secure=settings.production)


def clear_cookie(settings: Settings, response: Response) -> None:
    response.delete_cookie(cookie_name(settings), path="/", httponly=True, samesite="lax", secure=settings.production)


class Sessions:
    def __init__(self, settings: Settings):
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_absolute_hours)
        # The last use is written at most this often, not on every request.
        self.touch_every = min(self.idle / 10, timedelta(minutes=1))

    async def start(self, db: Database, *, role: Role, person_id: str | None, credential: str,
                    key_id: str | None = None, label: str | None = None) -> str:
        """A new session; returns the cookie value (never stored)."""
        value, now = secrets.token_urlsafe(32), datetime.now(UTC)
        await sessions.forget_expired(db, now)
        await sessions.create(db, Session(id=sessions.digest(value), role=role, person_id=person_id,
                                          credential=credential, created_at=now, seen_at=now,
                                          expires_at=now + self.absolute, key_id=key_id, label=label))
        return value

    async def viewer(self, db: Database, value: str) -> Viewer:
        """Who the cookie signs in; SessionEnded if nobody (any more)."""
        session = await sessions.by_id(db, sessions.digest(value))
        if session is None:
            raise SessionEnded("this session ended (signed out, expired or revoked): sign in again")
        now = datetime.now(UTC)
        if now >= session.expires_at or now >= session.seen_at + self.idle:
            await sessions.end(db, session.id)
            raise SessionEnded("this session expired: sign in again")
        if session.person_id and await people.is_erased(db, session.person_id):
            raise SessionEnded("this person's record was erased")
        if session.key_id is not None:
            key = await stored_keys.by_id(db, session.key_id)
            if key is None or key.revoked:
                raise SessionEnded("the API key of this session was revoked")
        if now - session.seen_at >= self.touch_every:
            await sessions.seen(db, session.id, now)
        return Viewer(role=session.role, person_id=session.person_id, credential=session.credential,
                      label=session.label)

    async def end(self, db: Database, value: str) -> None:
        await sessions.end(db, sessions.digest(value))
