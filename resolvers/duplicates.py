"""Duplicate candidates for staff, and keeping them current after each write of a person or organisation."""

from datastore import duplicates
from datastore.records.vocabulary import RecordType
from datastore.writes import Write
from resolvers import permissions
from resolvers.context import Context
from resolvers.errors import Forbidden
from resolvers.pagination import Page, PageRequest
from resolvers.permissions import Action, Facts

DEFAULT_PAGE = 20
MAX_PAGE = 100
KINDS = (RecordType.PERSON, RecordType.ORGANISATION)
# A candidate is a pair; each rule gives at most one reason, and there are at most three rules a kind.
PAIR = 2
MAX_REASONS = 3


async def candidates(ctx: Context, record_type: RecordType, first: int | None,
                     after: str | None) -> Page[duplicates.Candidate]:
    if permissions.capacity(Action.READ_DUPLICATES, Facts(role=ctx.viewer.role)) is None:
        raise Forbidden("read duplicate candidates (staff and admin only)")
    request = PageRequest.of(f"duplicates:{record_type.value}", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE,
                             key_types=[str])
    if record_type not in KINDS:
        return Page([], False, _none, lambda row: "")
    rows = await duplicates.page(ctx.db, record_type, request.after[0] if request.after else None, request.first + 1)
    return Page(rows[: request.first], len(rows) > request.first, _none,
                lambda row: request.cursor((row.order_key,)))


async def _none() -> int:
    return 0


async def refresh_after(ctx: Context, write: Write) -> None:
    """The pairs of each person or organisation the write changed, recomputed (a small step per write)."""
    for collection, record_type in (("people", RecordType.PERSON), ("organisations", RecordType.ORGANISATION)):
        touched = {write.owner_id} if write.collection == collection else set()
        touched |= {e.id for e in write.effects if e.collection == collection}
        touched |= {c.id for c in write.claims if c.collection == collection}
        for record_id in sorted(touched):
            await duplicates.refresh(ctx.db, record_type, record_id)
