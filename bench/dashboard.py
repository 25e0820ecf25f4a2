"""Every number a dashboard shows, in one GraphQL request: its latency.

    .venv/bin/python -m bench.dashboard [--repeat N] [--scale N]

Counts by continent, country, sector and kind, the country x sector cross-tab
and joined/left/active per year, over the demo directory in a throwaway
embedded FerretDB, through the ASGI app. Each part is also timed alone, to
show where time goes, and so are the individual members' trend and the
overdue reviews.
"""

import argparse
import asyncio
import statistics
import time

from httpx import ASGITransport, AsyncClient

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from memberdir.app import create_app
from memberdir.settings import Settings

PARTS = {
    "byContinent": "membershipStats(by: CONTINENT, filter: $filter) { key label count }",
    "byCountry": "membershipStats(by: COUNTRY, filter: $filter) { key label count }",
    "bySector": "membershipStats(by: SECTOR, filter: $filter) { key label count }",
    "byKind": "membershipStats(by: KIND, filter: $filter) { key label count }",
    "countryBySector": "membershipStats(by: COUNTRY, thenBy: SECTOR, filter: $filter) "
                       "{ key label count breakdown { key label count } }",
    "trend": "membershipTrend(interval: YEAR, filter: $filter) "
             "{ period joined reinstated left leftBy { key count } activeAtEnd }",
}
# Numbers a dashboard may add, timed alone: they read other data (people, a page).
EXTRAS = {
    "individualTrend": "individualMembershipTrend(interval: YEAR) { period joined left activeAtEnd }",
    "overdue": "organisations(filter: {reviewDueBefore: $today}, orderBy: REVIEW_DUE_ASC) "
               "{ totalCount nodes { name } }",
}
VARIABLES = {"filter": {"statuses": ["ACTIVE", "LAPSED", "CANCELLED", "REMOVED"]}, "today": "2026-11-01"}


def _query(parts: dict[str, str]) -> str:
    used = " ".join(parts.values())
    declared = ["$filter: OrganisationFilter"] if "$filter" in used else []
    declared += ["$today: Date"] if "$today" in used else []
    head = f"query Dashboard({', '.join(declared)})" if declared else "query Dashboard"
    return head + " {\n" + "\n".join(f"  {alias}: {body}" for alias, body in parts.items()) + "\n}"


async def _time(client: AsyncClient, counter, query: str, repeat: int) -> tuple[float, float, int]:
    timings, commands = [], 0
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": query, "variables": VARIABLES})
        timings.append((time.perf_counter() - started) * 1000)
        commands = counter.count
        assert "errors" not in response.json(), response.text
    return statistics.median(timings), max(timings), commands


async def main(repeat: int, scale: int) -> None:
    async with embedded_database(scale) as (db, counter):
        app = create_app(Settings(), database=db)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
            print(f"demo directory at scale {scale}, {repeat} runs each")
            print(f"{'request':28} {'median ms':>10} {'max ms':>8} {'db commands':>12}")
            median, worst, commands = await _time(client, counter, _query(PARTS), repeat)
            print(f"{'whole dashboard (1 request)':28} {median:10.1f} {worst:8.1f} {commands:>12}")
            for alias, body in (PARTS | EXTRAS).items():
                median, worst, commands = await _time(client, counter, _query({alias: body}), repeat)
                print(f"{'  ' + alias + ' alone':28} {median:10.1f} {worst:8.1f} {commands:>12}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--repeat", 1, 50, default=5)
    add_whole_number(parser, "--scale", 1, 10, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repeat, arguments.scale))
