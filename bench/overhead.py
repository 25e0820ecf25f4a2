"""CPU per request of small queries through the whole ASGI app: the fixed per-request cost.

    .venv/bin/python -m bench.overhead [--requests 2000] [--gap-ms 0] [--profile d] [--top 40]
                                       [--default-collector] [--cached]

Calls the app as uvicorn would (an ASGI scope, a body, a send that keeps the
answer), with production settings and production logging (JSON lines, here
written to /dev/null so their formatting still counts), over a throwaway
embedded engine holding the demo directory. Prints the CPU time of this
process per request (the engine runs in a process of its own and is not
counted), and of that the time spent in Python's cycle collector, which
`serve` tunes (memberdir/collector.py; `--default-collector` leaves Python's
defaults, to compare). `--profile NAME` runs that query under cProfile and
prints the functions with the most cumulative and own time.
"""

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import os
import pstats
import statistics
import time

from bench.compare import QUERIES as COMPARED
from bench.embedded import embedded_database
from memberdir.app import create_app
from memberdir.collector import tune_for_serving
from memberdir.edge.access_log import configure_logging
from memberdir.settings import Settings

QUERIES = {
    "typename": "{ __typename }",
    "d": "{ membershipStats(by: COUNTRY) { key label count } }",
    "org": '{ organisation(slug: "university-of-boston") { name country { name } } }',
    "a": COMPARED["a"],
}
ROUNDS = 5


class CollectorTime:
    """CPU seconds spent in the cycle collector within `with`."""

    def __init__(self) -> None:
        self.seconds, self._began = 0.0, 0.0

    def __enter__(self) -> "CollectorTime":
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._began = time.process_time()
        else:
            self.seconds += time.process_time() - self._began


def scope_for(body: bytes) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"accept-encoding", b"identity"),
            (b"accept", b"*/*"),
            (b"user-agent", b"python-httpx/0.28.1"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app, body: bytes) -> tuple[int, bytes]:
    sent = False
    status, chunks = 0, []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope_for(body), receive, send)
    return status, b"".join(chunks)


async def cpu_ms_per_request(app, query: str, requests: int, gap: float) -> list[tuple[float, float]]:
    """(CPU ms, of which in the collector) per request in each of ROUNDS rounds
    (the machine's noise shows in their spread)."""
    body = json.dumps({"query": query}).encode()
    for _ in range(20):  # warm caches, loaders' imports, the connection pool
        status, answer = await call(app, body)
    if status != 200 or b'"errors"' in answer:
        raise SystemExit(f"{query!r} answered {status}: {answer[:300]!r}")
    figures = []
    for _ in range(ROUNDS):
        with CollectorTime() as collector:
            started = time.process_time()
            for _ in range(requests // ROUNDS):
                await call(app, body)
                if gap:
                    await asyncio.sleep(gap)
            spent = time.process_time() - started
        figures.append((spent * 1000 / (requests // ROUNDS), collector.seconds * 1000 / (requests // ROUNDS)))
    return figures


async def main(requests: int, profile: str | None, top: int, gap: float, default_collector: bool, cached: bool) -> None:
    os.environ.setdefault("MEMBERDIR_ENVIRONMENT", "production")
    # The rate limiter still runs; its budget is raised so that a, which costs
    # thousands of points, is not refused within a minute.
    os.environ.setdefault("MEMBERDIR_RATE_LIMIT_POINTS_PER_MINUTE", "1000000000")
    # Uncached unless asked: the fixed cost of running a query (the response cache: README).
    settings = Settings() if cached else Settings(response_cache_bytes=0)
    with open(os.devnull, "w") as devnull:
        configure_logging(settings.production)
        logging.getLogger().handlers[0].setStream(devnull)
        async with embedded_database() as (db, _):
            app = create_app(settings, database=db)
            if not default_collector:
                tune_for_serving()
            if profile:
                body = json.dumps({"query": QUERIES[profile]}).encode()
                for _ in range(20):
                    await call(app, body)
                profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the engine
                profiler.enable()
                for _ in range(requests):
                    await call(app, body)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(top)
                stats.sort_stats("tottime").print_stats(top)
                return
            collector = "Python's default collector" if default_collector else "the collector as serve tunes it"
            print(f"{settings.environment}, {requests} requests each in {ROUNDS} rounds, {gap * 1000:g} ms apart,"
                  f" {collector}; CPU ms per request (this process)")
            print(f"{'query':10} {'min':>8} {'median':>8} {'gc median':>10}")
            for name, query in QUERIES.items():
                figures = await cpu_ms_per_request(app, query, requests, gap)
                total = [cpu for cpu, _ in figures]
                print(f"{name:10} {min(total):8.3f} {statistics.median(total):8.3f}"
                      f" {statistics.median(gc_ms for _, gc_ms in figures):10.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=list(QUERIES))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--default-collector", action="store_true",
                        help="leave Python's cycle collector as it comes, not as `serve` tunes it")
    parser.add_argument("--gap-ms", type=float, default=0.0,
                        help="idle time between requests, as a client's round trips leave (its wake-ups cost CPU too)")
    parser.add_argument("--cached", action="store_true",
                        help="with the response cache on (README, \"Response cache\"): answers served again")
    arguments = parser.parse_args()
    logging.captureWarnings(True)
    asyncio.run(main(arguments.requests, arguments.profile, arguments.top, arguments.gap_ms / 1000,
                     arguments.default_collector, arguments.cached))
