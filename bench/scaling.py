"""Latency at scale 10 against scale 1, the two taken in turn.

    .venv/bin/python -m bench.scaling [--rounds 8] [--requests 5]     # MEMBERDIR_ENGINE=… to choose

Issue 9 asks for paged queries (a first page, a page 5,000 rows deep, and
bench.compare's a–c) at scale 10 within 2× of scale 1. Two runs of
bench.queries an hour apart differ by more than that margin on this machine,
so here two throwaway engines, one holding the demo directory at each scale,
are served side by side in this process (as `serve` tunes it), and every
round asks each query of both in turn: a noisy minute falls on both scales.
Prints the median wall and CPU milliseconds per request at each scale, and
the ratio of the wall times.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections import defaultdict

from httpx import ASGITransport, AsyncClient

from bench import compare, queries
from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import generations
from memberdir.app import create_app
from memberdir.collector import tune_for_serving
from memberdir.settings import Settings

SCALES = (1, 10)
AFTER_A_WRITE = "20 organisations + count, after a write"
PAGED = {
    "20 people, first page": queries.QUERIES["20 people, first page"],
    # A count reads every record, then is kept for the generation of the data (datastore.generations)...
    "20 organisations + count": queries.QUERIES["20 organisations, name order"],
    # ...and is read again after every write: here one between any two requests.
    AFTER_A_WRITE: queries.QUERIES["20 organisations, name order"],
    f"20 people, {queries.DEEP:,} deep": queries.QUERIES[f"20 people, {queries.DEEP:,} deep"],
    **{f"{name} (bench.compare)": compare.QUERIES[name] for name in ("a", "b", "c")},
}


async def main(rounds: int, requests: int) -> None:
    os.environ.setdefault("MEMBERDIR_RATE_LIMIT_POINTS_PER_MINUTE", "1000000000")  # b and c, many times a minute
    async with embedded_database(SCALES[0]) as (small, _), embedded_database(SCALES[1]) as (large, _):
        texts = {scale: {name: query.replace("%(deep)s", await queries.deep_cursor(db)) for name, query in PAGED.items()}
                 for scale, db in zip(SCALES, (small, large))}
        databases = dict(zip(SCALES, (small, large)))
        apps = {scale: create_app(Settings(), database=db) for scale, db in databases.items()}
        tune_for_serving()
        walls: defaultdict[tuple[str, int], list[float]] = defaultdict(list)
        cpus: defaultdict[tuple[str, int], list[float]] = defaultdict(list)
        errors = 0
        for _ in range(rounds):
            for name in PAGED:
                for scale, app in apps.items():
                    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
                        for attempt in range(requests + 1):
                            if name == AFTER_A_WRITE:
                                await generations.advance(databases[scale], ["organisations"])  # what a write to one does
                            started, cpu = time.perf_counter(), time.process_time()
                            response = await client.post("/graphql", json={"query": texts[scale][name]})
                            if attempt == 0:
                                continue  # the first after another query warms this one's plan
                            walls[name, scale].append((time.perf_counter() - started) * 1000)
                            cpus[name, scale].append((time.process_time() - cpu) * 1000)
                            errors += "errors" in response.json()
        print(f"{rounds} rounds of {requests} requests per query and scale, scales taken in turn")
        print(f"{'query':40} {'p50 ms scale 1 / 10':>22} {'ratio':>7} {'CPU ms scale 1 / 10':>22}")
        for name in PAGED:
            wall = [statistics.median(walls[name, scale]) for scale in SCALES]
            cpu = [statistics.median(cpus[name, scale]) for scale in SCALES]
            print(f"{name:40} {wall[0]:10.1f} / {wall[1]:8.1f} {wall[1] / wall[0]:6.2f}x {cpu[0]:10.1f} / {cpu[1]:8.1f}")
        print(f"answers with errors: {errors}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--rounds", 1, 50, default=8)
    add_whole_number(parser, "--requests", 1, 50, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.requests))
