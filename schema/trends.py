"""Membership over time: one point per calendar period."""

from datetime import date

import strawberry

from resolvers import trends
from schema.organisations import StatBucket

_DEFINITIONS = """Definitions: joined = APPLICANT -> ACTIVE in the period; reinstated = LAPSED -> ACTIVE;
left = ACTIVE or LAPSED -> CANCELLED or REMOVED, or ACTIVE -> LAPSED (leftBy says which);
DECLINED applicants never joined and never left; activeAtEnd = status ACTIVE on `end`.
Periods are [start, end], both inclusive; at most 240 periods in one answer."""


@strawberry.type(description=_DEFINITIONS)
class TrendPoint:
    period: str = strawberry.field(description="e.g. 2019, 2019-Q3, 2019-07")
    start: date
    end: date
    joined: int
    reinstated: int
    left: int
    left_by: list[StatBucket] = strawberry.field(description="left, by the status they left to")
    active_at_end: int

    @classmethod
    def of(cls, point: trends.TrendPoint) -> "TrendPoint":
        return cls(
            period=point.period.label,
            start=point.period.start,
            end=point.period.end,
            joined=point.joined,
            reinstated=point.reinstated,
            left=point.left,
            left_by=point.left_by,  # type: ignore[arg-type]  # the resolver's buckets have StatBucket's fields
            active_at_end=point.active_at_end,
        )
