"""What the caller's rate limit leaves them, as the HTTP edge counts it."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Allowance:
    limit: int  # cost points per minute
    remaining: int
    reset_at: datetime  # when the budget is full again
    cost: int  # points this query was charged
