"""Latency and database commands of typical queries, through the ASGI app.

    .venv/bin/python -m bench.queries [--repeat N] [--scale N]     # MEMBERDIR_ENGINE=… to choose

Runs against a throwaway embedded engine holding the demo directory at
`--scale`. FerretDB 1.24's SQLite backend scans a collection for every filter
but `_id` equality, so its figures grow with the data; an engine that uses the
indexes (SecantusDB, MongoDB) keeps paged queries flat.
"""

import argparse
import asyncio
import statistics
import time

from httpx import ASGITransport, AsyncClient

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import people
from datastore.client import Database
from memberdir.app import create_app
from memberdir.collector import tune_for_serving
from memberdir.settings import Settings
from resolvers.pagination import encode_cursor

DEEP = 5000  # rows before the deep page

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
    "20 people, first page": "{ people(first: 20) { nodes { name } } }",
    f"20 people, {DEEP:,} deep": '{ people(first: 20, after: "%(deep)s") { nodes { name } } }',
}


async def deep_cursor(db: Database) -> str:
    """The cursor a client paging 20 at a time would hold after DEEP people."""
    row = await db.people.find_one({}, sort=list(people.SORT), skip=DEEP - 1)
    return encode_cursor("people", tuple(row[name] for name, _ in people.SORT))


async def main(repeat: int, scale: int) -> None:
    async with embedded_database(scale) as (db, counter):
        deep = await deep_cursor(db)
        app = create_app(Settings(), database=db)
        tune_for_serving()  # as `serve` does
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
            print(f"{'query':32} {'median ms':>10} {'max ms':>8} {'db commands':>12} {'errors':>7}")
            for name, query in QUERIES.items():
                timings, commands, errors = [], set(), 0
                for _ in range(repeat):
                    counter.count = 0
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": query.replace("%(deep)s", deep)})
                    timings.append((time.perf_counter() - started) * 1000)
                    commands.add(counter.count)
                    errors += "errors" in response.json()  # a deadline, at scale: counted, not fatal
                shown = "/".join(map(str, sorted(commands)))
                print(f"{name:32} {statistics.median(timings):10.1f} {max(timings):8.1f} {shown:>12} {errors:7}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--repeat", 1, 50, default=5)
    add_whole_number(parser, "--scale", 1, 10, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repeat, arguments.scale))
