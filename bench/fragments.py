"""Time to answer fan-out fragment documents (each fragment spreads the next twice).

    .venv/bin/python -m bench.fragments

With the expanded-size limit and the project's own memoised rules, every depth
is refused in about the same time. For comparison, Strawberry's depth and
alias limiters (which this project used before) walk each spread again, so
their time doubles with each level: measured only up to a bounded depth. No
database is needed: the documents are refused, or only select __typename.
"""

import asyncio
import logging
import time

from graphql import parse, validate
from strawberry.extensions.max_aliases import create_validator as strawberry_alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as strawberry_depth_rule

from resolvers.context import Context
from memberdir.execution import build_schema
from memberdir.execution.limits import QueryLimits, limit_extensions

UNPROTECTED_MAX_LEVELS = 16  # the unprotected runs double each level; keep the bench short


def fan_out(levels: int) -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join([*fragments, f"fragment F{levels} on Query {{ __typename }}"])


async def main() -> None:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)  # refusals are expected here
    old_rules = [strawberry_depth_rule(12, None), strawberry_alias_rule(30)]
    limits = QueryLimits(max_depth=12, max_aliases=30, max_tokens=2000, max_cost=50_000)
    schema = build_schema(extensions=limit_extensions(limits))
    context = Context.for_request(db=None)  # type: ignore[arg-type]  # nothing reaches the database
    print(f"{'levels':>6} {'fields':>10} {'protected ms':>13} {'outcome':>16} {'old rules ms':>15}")
    for levels in range(8, 25, 2):
        query = fan_out(levels)
        started = time.perf_counter()
        result = await schema.execute(query, context_value=context)
        protected = (time.perf_counter() - started) * 1000
        outcome = result.errors[0].extensions.get("code", "error") if result.errors else "answered"
        unprotected = ""
        if levels <= UNPROTECTED_MAX_LEVELS:
            document = parse(query)
            started = time.perf_counter()
            validate(schema._schema, document, old_rules)
            unprotected = f"{(time.perf_counter() - started) * 1000:.1f}"
        print(f"{levels:>6} {2**levels:>10} {protected:>13.2f} {outcome:>16} {unprotected:>15}")


if __name__ == "__main__":
    asyncio.run(main())
