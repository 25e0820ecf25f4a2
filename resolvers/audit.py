"""The audit log, record histories and the change feed, read from applied changes."""

from datetime import UTC, datetime, timedelta
from typing import Any

from datastore import changes
from datastore.changes import AuditFilter, Change
from datastore.keyset import SortKey
from datastore.vocabulary import Role
from resolvers import arguments, permissions
from resolvers.context import Context
from resolvers.errors import Forbidden
from resolvers.pagination import Page, PageRequest, page_from_query
from resolvers.permissions import Action, Facts

DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_FEED_PAGE = 500


def may_read_audit(ctx: Context) -> bool:
    return permissions.capacity(Action.READ_AUDIT, Facts(role=ctx.viewer.role)) is not None


def _key(change: Change) -> SortKey:
    return (change.at.isoformat(), change.id)


def _decoded(key: SortKey | None) -> SortKey | None:
    return (datetime.fromisoformat(key[0]), key[1]) if key else None


def audit_filter(given: Any | None, argument: str = "filter") -> AuditFilter:
    if given is None:
        return AuditFilter()
    record_id, person_id, key_id = given.record_id, given.actor_person_id, given.actor_key_id
    return AuditFilter(
        record_id=arguments.identifier(record_id, f"{argument}.recordId") if record_id else None,
        record_types=arguments.values(given.record_types, f"{argument}.recordTypes"),
        actions=arguments.values(given.actions, f"{argument}.actions"),
        actor_person_id=arguments.identifier(person_id, f"{argument}.actorPersonId") if person_id else None,
        actor_key_id=arguments.identifier(key_id, f"{argument}.actorKeyId") if key_id else None,
        since=given.since,
        until=given.until,
    )


async def audit_log(ctx: Context, where: AuditFilter, first: int | None, after: str | None) -> Page[Change]:
    if not may_read_audit(ctx):
        raise Forbidden("read the audit log (staff and admin only)")
    kind = f"audit:{where.record_id or ''}"
    request = PageRequest.of(kind, first, after, default=DEFAULT_PAGE, cap=MAX_PAGE, key_types=(str, str))
    return await page_from_query(
        request,
        fetch=lambda key, limit: changes.audit_page(ctx.db, where, _decoded(key), limit),
        key_of=_key,
        count=lambda: changes.audit_count(ctx.db, where),
    )


async def history_of(ctx: Context, record_id: str, first: int | None, after: str | None) -> Page[Change] | None:
    """A record's changes, newest first: for staff and admin; None for others."""
    if not may_read_audit(ctx):
        return None
    return await audit_log(ctx, AuditFilter(record_id=record_id), first, after)


async def feed(ctx: Context, record_types: list | None, first: int | None, after: str | None):
    """Applied changes oldest first, never past the oldest change still being applied."""
    if not ctx.viewer.role.at_least(Role.MEMBER):
        raise Forbidden("read the change feed (members and above)")
    request = PageRequest.of("changes", first, after, default=100, cap=MAX_FEED_PAGE, key_types=(str, str))
    # A change is claimed a moment after its time is taken; staying a little behind
    # the clock means one claimed with an earlier time than those shown is never skipped.
    horizon = datetime.now(UTC) - timedelta(seconds=ctx.feed_settle_seconds)
    oldest_in_flight = await changes.oldest_in_flight(ctx.db)
    if oldest_in_flight is not None:
        horizon = min(horizon, oldest_in_flight)
    types = arguments.values(record_types, "recordTypes")
    found = await changes.feed_page(ctx.db, types, _decoded(request.after), horizon, request.first + 1)
    shown = found[: request.first]
    cursors = [request.cursor(_key(c)) for c in shown]
    # Where to resume: after the last change shown, else where the caller was.
    resume = cursors[-1] if cursors else (after or request.cursor((datetime.min.replace(tzinfo=UTC).isoformat(), "")))
    return shown, cursors, len(found) > request.first, resume
