"""Latency and database commands of typical queries, through the ASGI app.

    .venv/bin/python -m bench.queries [--repeat N]

Runs against a throwaway embedded FerretDB holding the demo directory. FerretDB
1.24's SQLite backend scans a collection for every filter but `_id` equality,
so these figures are the embedded engine's; MongoDB uses the indexes.
"""

import argparse
import asyncio
import statistics
import time

from httpx import ASGITransport, AsyncClient

from bench.embedded import embedded_database
from memberdir.app import create_app
from memberdir.settings import Settings

QUERIES = {
    "organisation by slug": '{ organisation(slug: "university-of-boston") { name country { name } } }',
    "20 organisations, name order": "{ organisations { totalCount nodes { name } } }",
    "100 in Africa + role contacts": """{ organisations(filter: {continents: [AFRICA]}, first: 100) {
        nodes { name contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name email } } } } }""",
    "5 deep (contacts, tenures)": """{ organisations(first: 5) { nodes { contacts { person {
        affiliation { name } groups { group { name } } } } } } }""",
    "100 deep (contacts, tenures)": """{ organisations(first: 100) { nodes { contacts { person {
        affiliation { name } groups { group { name } } } } } } }""",
    "full roster of a work stream": """{ workingGroup(slug: "clinical-work-stream") { chairs { name }
        roster(first: 500) { totalCount nodes { role person { name affiliation { name } } } } } }""",
    "stats by country": "{ membershipStats(by: COUNTRY) { key count } }",
    "search people": '{ people(filter: {search: "silva"}, first: 50) { totalCount nodes { name } } }',
}


async def main(repeat: int) -> None:
    async with embedded_database() as (db, counter):
        app = create_app(Settings(), database=db)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
            print(f"{'query':32} {'median ms':>10} {'max ms':>8} {'db commands':>12}")
            for name, query in QUERIES.items():
                timings, commands = [], set()
                for _ in range(repeat):
                    counter.count = 0
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": query})
                    timings.append((time.perf_counter() - started) * 1000)
                    commands.add(counter.count)
                    assert "errors" not in response.json(), response.text
                shown = "/".join(map(str, sorted(commands)))
                print(f"{name:32} {statistics.median(timings):10.1f} {max(timings):8.1f} {shown:>12}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, choices=range(1, 51), metavar="1..50")
    asyncio.run(main(parser.parse_args().repeat))
