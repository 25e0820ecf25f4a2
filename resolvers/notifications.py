"""The outbox as callers may read it: staff and admin see every notification; a
person sees those addressed to them (as resolvers.privacy decides for any value:
the recipient and staff). Nobody else sees any. What a notification said
(its template values) is never shown here, only its subject and state."""

from datetime import datetime
from typing import Any

from datastore import outbox
from datastore.keyset import SortKey
from datastore.outbox import NotificationFilter
from datastore.records.outbox import Notification
from datastore.records.vocabulary import Role
from resolvers import arguments
from resolvers.context import Context
from resolvers.errors import Forbidden
from resolvers.pagination import Page, PageRequest, page_from_list, page_from_query

DEFAULT_PAGE = 50
MAX_PAGE = 100


def sees_all(ctx: Context) -> bool:
    return ctx.viewer.role.at_least(Role.STAFF)


def may_see(ctx: Context, notification: Notification) -> bool:
    """The recipient and staff."""
    person_id = ctx.viewer.person_id
    mine = person_id is not None and ctx.viewer.role is not Role.ANONYMOUS and notification.recipient_id == person_id
    return sees_all(ctx) or mine


def notification_filter(given: Any | None, argument: str = "filter") -> NotificationFilter:
    if given is None:
        return NotificationFilter()
    recipient, record = given.recipient, given.record
    return NotificationFilter(
        kinds=arguments.values(given.kinds, f"{argument}.kinds"),
        states=arguments.values(given.states, f"{argument}.states"),
        recipient_id=arguments.identifier(recipient, f"{argument}.recipient") if recipient else None,
        record_id=arguments.identifier(record, f"{argument}.record") if record else None,
        created_since=given.created_since,
    )


def _key(notification: Notification) -> SortKey:
    return (notification.created_at.isoformat(), notification.id)


def _decoded(key: SortKey | None) -> SortKey | None:
    return (datetime.fromisoformat(key[0]), key[1]) if key else None


async def _page(ctx: Context, where: NotificationFilter, first: int | None, after: str | None,
                default: int, count_too: bool) -> Page[Notification]:
    request = PageRequest.of("notifications", first, after, default=default, cap=MAX_PAGE, key_types=(str, str))
    return await page_from_query(
        request,
        fetch=lambda key, limit: outbox.page(ctx.db, where, _decoded(key), limit),
        key_of=_key,
        count=lambda: outbox.count(ctx.db, where),
        count_too=count_too,
    )


async def notifications(ctx: Context, where: NotificationFilter, first: int | None, after: str | None,
                        count_too: bool = False) -> Page[Notification]:
    """Staff: every notification matching `where`; a person: their own among them."""
    if sees_all(ctx):
        return await _page(ctx, where, first, after, DEFAULT_PAGE, count_too)
    person_id = ctx.viewer.person_id
    if person_id is None or ctx.viewer.role is Role.ANONYMOUS:
        raise Forbidden("read notifications (staff; a person their own)")
    if where.recipient_id not in (None, person_id):  # someone else's: none of them is the caller's
        request = PageRequest.of("notifications", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE,
                                 key_types=(str, str))
        return page_from_list(request, [], _key)
    mine = NotificationFilter(where.kinds, where.states, person_id, where.record_id, where.created_since)
    return await _page(ctx, mine, first, after, DEFAULT_PAGE, count_too)


async def of_viewer(ctx: Context, first: int | None, after: str | None, count_too: bool = False) -> Page[Notification]:
    """The caller's own notifications, newest first (none for a caller who is no person)."""
    person_id = ctx.viewer.person_id
    if person_id is None or ctx.viewer.role is Role.ANONYMOUS:
        request = PageRequest.of("notifications", first, after, default=20, cap=MAX_PAGE, key_types=(str, str))
        return page_from_list(request, [], _key)
    return await _page(ctx, NotificationFilter(recipient_id=person_id), first, after, 20, count_too)
