"""The directory served on asyncio's event loop with h11, and on uvloop with
httptools (what `memberdir serve` names), side by side, with the Node.js peer
as a yardstick.

    .venv/bin/python -m bench.event_loops [--queries d a] [--requests 300] [--rounds 6]

All three servers run at once over one engine and one dataset (bench.compare's
seeding and production settings) and take turns query by query, so a noisy
minute falls on each; the figure is the median CPU milliseconds per request
over the rounds after the first (a warm-up), with every round's figure beside
it. Two directory runs taken one after the other differ by more than what the
event loop changes, which is why they are served side by side.
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
from pathlib import Path

from bench.arguments import add_whole_number
from bench.compare import (
    QUERIES, Server, install_peer, load, seeded_engine, serving_environment, start_peer, stop, wait_until_ready,
)
from memberdir.embedded.server import free_loopback_port
from memberdir.settings import PROJECT_ROOT, Settings

SERVINGS = {"asyncio + h11": ("asyncio", "h11"), "uvloop + httptools": ("uvloop", "httptools")}


def start_directory(name: str, loop: str, http: str, env: dict[str, str]) -> Server:
    """uvicorn over the app `serve --workers` builds, with this event loop and HTTP parser."""
    port = free_loopback_port()
    command = [sys.executable, "-m", "uvicorn", "memberdir.cli:worker_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--loop", loop, "--http", http, "--no-access-log", "--log-level", "warning"]
    return Server(name, f"http://127.0.0.1:{port}/graphql",
                  subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


async def cpu_by_round(servers: list[Server], queries: list[str], requests: int, rounds: int) -> dict:
    figures: dict[tuple[str, str], list[float]] = {(q, s.name): [] for q in queries for s in servers}
    for round_number in range(rounds + 1):
        for query in queries:
            for server in servers:
                measured = await load(server, QUERIES[query], requests, 1)
                if measured.failed:
                    raise SystemExit(f"{server.name} failed query {query}: {dict(measured.failed)}")
                if round_number:  # the first round warms every server up
                    figures[query, server.name].append(measured.cpu_ms)
    return figures


def main(arguments: argparse.Namespace) -> None:
    peer_dir = install_peer(arguments.peer)
    engine_name = Settings().engine
    with seeded_engine(engine_name, 1) as (folder, engine):
        env = serving_environment(folder, engine_name)
        servers = [start_directory(name, *choice, env) for name, choice in SERVINGS.items()]
        servers.append(start_peer(peer_dir, env, engine))
        try:
            for server in servers:
                wait_until_ready(server)
            figures = asyncio.run(cpu_by_round(servers, arguments.queries, arguments.requests, arguments.rounds))
        finally:
            stop(servers)
    print(f"CPU ms per request, one client, {arguments.requests} requests per round, median of {arguments.rounds} rounds")
    for (query, name), values in figures.items():
        print(f"{query}  {name:20} {statistics.median(values):7.2f}   rounds: {', '.join(f'{v:.2f}' for v in values)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", nargs="+", default=["d", "a"], choices=list(QUERIES))
    add_whole_number(parser, "--requests", 10, 1000, default=300)
    add_whole_number(parser, "--rounds", 1, 20, default=6)
    parser.add_argument("--peer", type=Path, default=PROJECT_ROOT.parent / "shared" / "peer-node")
    main(parser.parse_args())
