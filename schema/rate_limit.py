"""The caller's rate limit, as GitHub's GraphQL API reports it in `rateLimit`."""

from datetime import datetime

import strawberry

from resolvers.allowance import Allowance


@strawberry.type(description="Cost points a caller may spend per minute (README: Limits).")
class RateLimit:
    limit: int = strawberry.field(description="Points per minute.")
    cost: int = strawberry.field(description="Points this query was charged (at least 1).")
    remaining: int = strawberry.field(description="Points left until the reset.")
    reset_at: datetime = strawberry.field(description="When the budget is full again.")

    @classmethod
    def of(cls, allowance: Allowance) -> "RateLimit":
        return cls(
            limit=allowance.limit, cost=allowance.cost, remaining=allowance.remaining, reset_at=allowance.reset_at
        )
