"""The directory beside the Node.js peer (../shared/peer-node), over one engine and one dataset.

    .venv/bin/python -m bench.compare [--scale 1] [--clients 1 8 32] [--requests 20] [--workers 1]
                                      [--queries a b c d] [--rounds 1]
                                      [--engine secantusdb-rs|secantusdb|ferretdb] [--peer ../shared/peer-node]
                                      [--cached]

Starts, all on loopback: the embedded engine in a temporary folder seeded with
the demo directory at `--scale`; `memberdir serve` over it (production
settings, `--workers`); and the peer, copied out to var/bench-peer and
installed there with `npm ci` (its code is never part of the project). Checks
that the `data` of both answers to queries a–d is identical, then sends each
query `--requests` times from `--clients` concurrent clients (each number given
in turn) to each server
and prints p50, p99, requests per second and CPU per request (user + system
time of every server process: all of the directory's workers, the peer's node;
never the engine's) with the ratios directory / peer. With `--rounds N` the two
servers take turns N times, so that a noisy minute falls on both, and each
figure is the median of the rounds. The directory runs with the response cache
off, so every request runs its query; `--cached` then runs bench.cached (the
same queries from the cache, beside the uncached and the peer's figures).
"""

import argparse
import asyncio
import filecmp
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.arguments import add_whole_number
from datastore import dataset, demo
from datastore.client import connect
from datastore.indexes import ensure_indexes
from memberdir.database import settings_engine
from memberdir.embedded.server import EmbeddedEngine, free_loopback_port
from memberdir.embedded import ENGINES
from memberdir.settings import PROJECT_ROOT, Settings

QUERIES = {
    "a": """{ organisations(first: 100, filter: {continents: [AFRICA]}) { totalCount nodes { name country { name }
            contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name } } } } }""",
    "b": """{ organisations(first: 100) { nodes { name contacts { role person { name affiliation { name }
            groups { role group { name } } } } } } }""",
    "c": """{ workingGroup(slug: "clinical-work-stream") { roster(first: 500) { totalCount
            nodes { role since until person { name affiliation { name } } } } } }""",
    "d": "{ membershipStats(by: COUNTRY) { key label count } }",
}
HEADERS = {"Accept-Encoding": "identity", "Content-Type": "application/json"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PEER_COPY = PROJECT_ROOT / "var" / "bench-peer"


def cpu_seconds(pids: list[int]) -> float:
    """User + system time so far of the processes (utime and stime in /proc/PID/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


def install_peer(source: Path) -> Path:
    """Copy the peer out and `npm ci` it, once per version of its files."""
    unchanged = PEER_COPY.is_dir() and not filecmp.dircmp(source, PEER_COPY, ignore=["node_modules"]).diff_files
    if not unchanged or not (PEER_COPY / "node_modules").is_dir():
        shutil.rmtree(PEER_COPY, ignore_errors=True)
        shutil.copytree(source, PEER_COPY, ignore=shutil.ignore_patterns("node_modules"))
        subprocess.run(["npm", "ci", "--prefix", str(PEER_COPY), "--no-audit", "--no-fund", "--ignore-scripts"],
                       check=True, stdout=subprocess.DEVNULL)
    return PEER_COPY


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen

    def pids(self) -> list[int]:
        """The server's own processes: itself and its workers, not the engine."""
        engine_names = {"ferretdb", "secantusd-py", "secantusd-rs"}
        own = [self.process.pid]
        for child in children(self.process.pid):
            name = Path(f"/proc/{child}/comm").read_text().strip()
            if name not in engine_names:
                own.append(child)
        return own


def wait_until_ready(server: Server, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with code {server.process.returncode}")
        try:
            httpx.post(server.url, json={"query": "{ __typename }"}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {seconds}s")


async def answer(client: httpx.AsyncClient, url: str, query: str) -> dict:
    response = await client.post(url, content=json.dumps({"query": query}), headers=HEADERS)
    return response.json()


@dataclass
class Figures:
    p50: float
    p99: float
    per_second: float
    cpu_ms: float
    failed: Counter[str]  # answers with errors, by their first error's code


async def load(server: Server, query: str, requests: int, clients: int) -> Figures:
    timings: list[float] = []
    failed: Counter[str] = Counter()
    queue = asyncio.Queue()
    for _ in range(requests):
        queue.put_nowait(None)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            body = await answer(client, server.url, query)
            timings.append((time.perf_counter() - started) * 1000)
            if body.get("errors"):
                failed[(body["errors"][0].get("extensions") or {}).get("code", "ERROR")] += 1

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        cpu_before, wall_before = cpu_seconds(server.pids()), time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
        cpu_after, wall_after = cpu_seconds(server.pids()), time.perf_counter()
    timings.sort()
    return Figures(
        p50=statistics.median(timings),
        p99=timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        per_second=requests / (wall_after - wall_before),
        cpu_ms=(cpu_after - cpu_before) * 1000 / requests,
        failed=failed,
    )


async def compare(directory: Server, peer: Server, arguments: argparse.Namespace) -> bool:
    async with httpx.AsyncClient(timeout=60) as client:
        for name, query in QUERIES.items():
            ours, theirs = await answer(client, directory.url, query), await answer(client, peer.url, query)
            if ours.get("data") != theirs.get("data") or ours.get("errors") or theirs.get("errors"):
                print(f"query {name}: the answers differ", file=sys.stderr)
                print(json.dumps(ours)[:500], json.dumps(theirs)[:500], sep="\n", file=sys.stderr)
                return False
    print("answers to a-d: identical data")
    for clients in arguments.clients:
        await measure(directory, peer, arguments, clients)
    return True


async def measure(directory: Server, peer: Server, arguments: argparse.Namespace, clients: int) -> None:
    requests, rounds = arguments.requests, arguments.rounds
    print(f"\n{clients} client(s), {requests} requests per query and server"
          + (f", median of {rounds} rounds taken in turn" if rounds > 1 else ""))
    print(f"{'query':6} {'p50 ms dir/peer':>22} {'p99 ms dir/peer':>22} {'req/s dir/peer':>20}"
          f" {'CPU ms/req dir/peer (ratio)':>32} {'errors':>7}")
    for name in arguments.queries:
        query = QUERIES[name]
        await load(directory, query, min(clients, requests), clients)  # warm both up
        await load(peer, query, min(clients, requests), clients)
        ours_by_round, theirs_by_round = [], []
        for _ in range(rounds):
            ours_by_round.append(await load(directory, query, requests, clients))
            theirs_by_round.append(await load(peer, query, requests, clients))
        ours, theirs = median_figures(ours_by_round), median_figures(theirs_by_round)
        print(f"{name:6} {ours.p50:10.1f} /{theirs.p50:9.1f} {ours.p99:10.1f} /{theirs.p99:9.1f}"
              f" {ours.per_second:9.1f} /{theirs.per_second:8.1f}"
              f" {ours.cpu_ms:10.1f} /{theirs.cpu_ms:7.1f} ({ours.cpu_ms / theirs.cpu_ms:5.2f}x)"
              f" {_errors(ours.failed)} / {_errors(theirs.failed)}")


def median_figures(rounds: list[Figures]) -> Figures:
    """Each figure's median over the rounds; failures added up."""
    return Figures(
        p50=statistics.median(f.p50 for f in rounds),
        p99=statistics.median(f.p99 for f in rounds),
        per_second=statistics.median(f.per_second for f in rounds),
        cpu_ms=statistics.median(f.cpu_ms for f in rounds),
        failed=sum((f.failed for f in rounds), Counter()),
    )


def _errors(failed: Counter[str]) -> str:
    return ", ".join(f"{n} {code}" for code, n in failed.items()) or "0"


@contextmanager
def seeded_engine(engine_name: str, scale: int) -> Iterator[tuple[str, EmbeddedEngine]]:
    """The embedded engine in a temporary folder, seeded with the demo directory
    at `scale`: (the folder, the engine)."""
    with tempfile.TemporaryDirectory(prefix="memberdir-compare-") as folder:
        with settings_engine(Settings(engine=engine_name, data_dir=Path(folder))) as engine:
            async def seed() -> None:
                db = connect(engine.uri, "memberdir", traits=engine.traits)
                await ensure_indexes(db)
                await dataset.write(db, demo.generate(scale))
                await db.close()

            started = time.perf_counter()
            asyncio.run(seed())
            print(f"{engine_name}, scale {scale}: seeded in {time.perf_counter() - started:.0f} s")
            yield folder, engine


def serving_environment(folder: str, engine_name: str) -> dict[str, str]:
    """Production settings over the seeded folder: the directory joins the
    engine this process runs (same data folder)."""
    env = {**os.environ, "MEMBERDIR_DATA_DIR": folder, "MEMBERDIR_ENGINE": engine_name,
           "MEMBERDIR_DATABASE": "memberdir", "MEMBERDIR_ENVIRONMENT": "production",
           "NODE_ENV": "production",
           # The rate limiter still runs; its budget is raised so that b and c,
           # which cost tens of thousands of points, are not refused within a minute.
           "MEMBERDIR_RATE_LIMIT_POINTS_PER_MINUTE": "1000000000",
           # Every query run, as in earlier runs: a-d asked again would be answered from the
           # response cache (bench.cached measures that beside these, `--cached`).
           "MEMBERDIR_RESPONSE_CACHE_BYTES": "0"}
    env.pop("MONGODB_URI", None)
    return env


def start_peer(peer_dir: Path, env: dict[str, str], engine: EmbeddedEngine) -> Server:
    port = free_loopback_port()
    return Server("peer", f"http://127.0.0.1:{port}/",
                  subprocess.Popen(["node", str(peer_dir / "server.mjs"), "--port", str(port)],
                                   env={**env, "MONGODB_URI": engine.uri},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def stop(servers: Iterable[Server]) -> None:
    for server in servers:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=30)


def main(arguments: argparse.Namespace) -> int:
    peer_dir = install_peer(arguments.peer)
    with seeded_engine(arguments.engine, arguments.scale) as (folder, engine):
        print(f"directory with {arguments.workers} worker(s)")
        env = serving_environment(folder, arguments.engine)
        port = free_loopback_port()
        serve = [sys.executable, "-m", "memberdir", "serve", "--port", str(port), "--workers", str(arguments.workers)]
        directory = Server("directory", f"http://127.0.0.1:{port}/graphql",
                           subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        peer = start_peer(peer_dir, env, engine)
        try:
            wait_until_ready(directory)
            wait_until_ready(peer)
            same = asyncio.run(compare(directory, peer, arguments))
        finally:
            stop((directory, peer))
    if same and arguments.cached:
        from bench import cached  # the cached figures beside the uncached and the peer's

        cached.main(argparse.Namespace(
            scale=arguments.scale, clients=max(arguments.clients), requests=max(arguments.requests, 100),
            poll=max(arguments.requests, 100), workers=arguments.workers, queries=list(cached.QUERIES),
            engine=arguments.engine, peer=arguments.peer))
    return 0 if same else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 10, default=1)
    add_whole_number(parser, "--clients", 1, 64, nargs="+", default=[1])
    add_whole_number(parser, "--requests", 1, 500, default=20)
    add_whole_number(parser, "--workers", 1, 16, default=1)
    parser.add_argument("--queries", nargs="+", default=list(QUERIES), choices=list(QUERIES))
    add_whole_number(parser, "--rounds", 1, 20, default=1)
    parser.add_argument("--engine", choices=list(ENGINES), default=Settings().engine)
    parser.add_argument("--peer", type=Path, default=PROJECT_ROOT.parent / "shared" / "peer-node")
    parser.add_argument("--cached", action="store_true",
                        help="then bench.cached: a-d and the dashboard's queries uncached, cached and by the peer")
    sys.exit(main(parser.parse_args()))
