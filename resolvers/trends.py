"""Membership over time: joined, reinstated, left and active, per period.

Counted from the membership histories (datastore/records/memberships.py), with the
contract's definitions: joined = APPLICANT -> ACTIVE within the period;
reinstated = LAPSED -> ACTIVE; left = ACTIVE or LAPSED -> CANCELLED or
REMOVED, or ACTIVE -> LAPSED, by the status left to; DECLINED applications
never joined nor left; activeAtEnd = ACTIVE on the period's last day.
The histories come in one database command (for organisations, shared with
the request's other statistics of the same filter) and are counted here: a
few thousand short histories, each change placed in its period by bisection.
"""

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import pairwise
from typing import Any

from datastore import organisations, people
from datastore.organisations import OrganisationFilter
from datastore.records.memberships import StatusChange
from datastore.records.vocabulary import label
from resolvers.context import Context
from resolvers.organisations import StatBucket, organisation_filter
from resolvers.periods import Period, TrendInterval, periods

JOINED, REINSTATED = "joined", "reinstated"
# (status before, status after) -> what the change counts as; left ones by the status left to.
TRANSITIONS = {
    ("APPLICANT", "ACTIVE"): JOINED,
    ("LAPSED", "ACTIVE"): REINSTATED,
    ("ACTIVE", "LAPSED"): "LAPSED",
    ("ACTIVE", "CANCELLED"): "CANCELLED",
    ("ACTIVE", "REMOVED"): "REMOVED",
    ("LAPSED", "CANCELLED"): "CANCELLED",
    ("LAPSED", "REMOVED"): "REMOVED",
}
ACTIVE = "ACTIVE"
# The statuses a member can leave to: leftBy has at most one bucket for each.
LEFT_STATUSES = frozenset(TRANSITIONS.values()) - {JOINED, REINSTATED}


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: Period
    joined: int
    reinstated: int
    left_by: list[StatBucket]
    active_at_end: int

    @property
    def left(self) -> int:
        return sum(b.count for b in self.left_by)


def count(histories: Sequence[Sequence[StatusChange]], spans: Sequence[Period]) -> list[TrendPoint]:
    """Each period's counts over the histories (each in date order)."""
    ends = [p.end for p in spans]
    moves: list[Counter[str]] = [Counter() for _ in spans]
    # Active members at each period's end, as +1 where an active spell starts
    # to count and -1 where it stops: a running sum gives each period's figure.
    active_delta = [0] * (len(spans) + 1)

    def period_of(day: date) -> int | None:
        index = bisect_left(ends, day)
        return index if index < len(spans) and spans[index].start <= day else None

    for history in histories:
        for before, change in pairwise(history):
            kind = TRANSITIONS.get((before.status.value, change.status.value))
            index = period_of(change.on) if kind else None
            if index is not None:
                moves[index][kind] += 1  # type: ignore[index]
        for change, following in pairwise([*history, None]):
            if change.status.value == ACTIVE:
                active_delta[bisect_left(ends, change.on)] += 1
                active_delta[bisect_left(ends, following.on) if following else len(spans)] -= 1

    points, active = [], 0
    for span, counted, delta in zip(spans, moves, active_delta):
        active += delta
        left = sorted(((k, n) for k, n in counted.items() if k not in (JOINED, REINSTATED)), key=lambda kn: (-kn[1], kn[0]))
        points.append(TrendPoint(span, counted[JOINED], counted[REINSTATED],
                                 [StatBucket(k, label(k), n) for k, n in left], active))
    return points


def _spans(ctx: Context, histories: Sequence[Sequence[StatusChange]], interval: TrendInterval,
           start: date | None, end: date | None) -> list[Period]:
    """Periods from `start` (default: the first change on record) to `end` (default: today)."""
    end = end or ctx.today
    start = start or min((h[0].on for h in histories if h), default=end)
    return periods(interval, start, end)


async def membership_trend(
    ctx: Context, interval: TrendInterval, start: date | None, end: date | None, given: Any | None
) -> list[TrendPoint]:
    where = organisation_filter(given)
    if start and end:
        periods(interval, start, end)  # reports a bad argument before any database work
    # Kept for the generation of the data, as the other statistics: up to today.
    return await ctx.loaders.generation.answer(
        ["organisations"], ("membership trend", where, interval, start, end, ctx.today),
        partial(_membership_trend, ctx, where, interval, start, end),
    )


async def _membership_trend(
    ctx: Context, where: OrganisationFilter, interval: TrendInterval, start: date | None, end: date | None
) -> list[TrendPoint]:
    groups = await ctx.loaders.organisation_groups.load((where, ("history",)))
    histories = organisations.histories(groups)
    return count(histories, _spans(ctx, histories, interval, start, end))


async def individual_membership_trend(
    ctx: Context, interval: TrendInterval, start: date | None, end: date | None
) -> list[TrendPoint]:
    if start and end:
        periods(interval, start, end)  # reports a bad argument before any database work
    histories = await people.individual_histories(ctx.db)
    return count(histories, _spans(ctx, histories, interval, start, end))
