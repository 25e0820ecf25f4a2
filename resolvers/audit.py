"""The audit log, record histories and the change feed, read from applied changes."""

from datetime import UTC, datetime, timedelta
from typing import Any

from datastore import reads
from datastore import changes
from datastore.changes import AuditFilter
from datastore.keyset import SortKey
from datastore.records.changes import Change, FieldChange, Notice
from datastore.records.vocabulary import Role
from resolvers import arguments, permissions, privacy
from resolvers.context import Context
from resolvers.errors import Forbidden
from resolvers.pagination import Page, PageRequest, page_from_query
from resolvers.permissions import Action, Facts

DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_FEED_PAGE = 500


def may_read_audit(ctx: Context) -> bool:
    return permissions.capacity(Action.READ_AUDIT, Facts(role=ctx.viewer.role)) is not None


def shows_value(ctx: Context, field: FieldChange) -> bool:
    """Whether an audit entry's value shows to the caller: never once erased; a
    private one (a contact detail) as resolvers.privacy says."""
    if field.erased:
        return False
    return not field.private or privacy.may_see_audit_values(ctx.viewer.role)


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
    """Every record applied changes touched, oldest first, never past the oldest change
    still being applied; (notices, cursors, has_next, resume cursor)."""
    if not ctx.viewer.role.at_least(Role.MEMBER):
        raise Forbidden("read the change feed (members and above)")
    request = PageRequest.of("changes", first, after, default=100, cap=MAX_FEED_PAGE, key_types=(str, str, int))
    # A change is claimed a moment after its time is taken; staying a little behind
    # the clock means one claimed with an earlier time than those shown is never skipped.
    horizon = reads.now() - timedelta(seconds=ctx.feed_settle_seconds)
    oldest_in_flight = await changes.oldest_in_flight(ctx.db)
    if oldest_in_flight is not None:
        horizon = min(horizon, oldest_in_flight)
    types = set(arguments.values(record_types, "recordTypes"))
    start = (datetime.fromisoformat(request.after[0]), request.after[1]) if request.after else None
    # Each change has at least one notice: first + 1 changes fill a page and show whether more follow.
    found = await changes.feed_page(ctx.db, sorted(types), start, horizon, request.first + 1)
    shown: list[tuple[Notice, datetime]] = []
    cursors: list[str] = []
    position = None  # the last notice looked at, shown or not
    full = False
    for change, index, notice in ((c, i, n) for c in found for i, n in enumerate(c.notices)):
        if request.after and change.id == request.after[1] and index <= request.after[2]:
            continue  # read before
        if len(shown) == request.first:
            full = True
            break
        position = request.cursor((change.at.isoformat(), change.id, index))
        if not types or notice.record_type in types:
            shown.append((notice, change.at))
            cursors.append(position)
    has_next = full or len(found) > request.first
    beginning = request.cursor((datetime.min.replace(tzinfo=UTC).isoformat(), "", -1))
    # Where to resume: past every notice looked at, even those another filter left out.
    return shown, cursors, has_next, position or after or beginning
