"""Answers already known (issue 27): queries a–d and the dashboard's served uncached,
from the response cache, and by the Node.js peer; and a poller's conditional GETs.

    .venv/bin/python -m bench.cached [--requests 600] [--clients 8] [--workers 2]
                                     [--queries a b c d overview trend crosstab] [--poll 600]
                                     [--scale 1] [--engine NAME] [--peer ../shared/peer-node]

Over one seeded engine (bench.compare's), in turn: `memberdir serve` with the
cache off (MEMBERDIR_RESPONSE_CACHE_BYTES=0), the same with the cache on
(the default), then the peer, each with production settings. Each query is
sent as an anonymous caller, `--requests` times over `--clients` keep-alive
connections by bench.load (a light client: it shares the two cores), after
as many to warm up. Printed per query and server: server-side p50 (the
access log's durationMs), client p50, requests per second, CPU ms per request
(every server process, never the engine), and the share answered from the
cache. Then a poller re-asks an unchanged roster by GET with If-None-Match:
how many 304s, their p50, and the rate-limit points spent (RateLimit-Remaining
the 304s carry, unchanged from first to last).
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench import compare
from bench.arguments import add_whole_number
from bench.load import hammer, one, request_bytes
from memberdir.embedded import ENGINES
from memberdir.embedded.server import free_loopback_port
from memberdir.settings import PROJECT_ROOT, Settings

_BUCKET = "key label count"
DASHBOARD = {
    "overview": ("""query DashboardOverview($filter: OrganisationFilter) {
  organisations(filter: $filter, first: 1) { totalCount }
  byContinent: membershipStats(by: CONTINENT, filter: $filter) { %s }
  byCountry: membershipStats(by: COUNTRY, filter: $filter) { %s }
  bySector: membershipStats(by: SECTOR, filter: $filter) { %s }
  byKind: membershipStats(by: KIND, filter: $filter) { %s }
}""" % ((_BUCKET,) * 4), {"filter": None}),
    "trend": ("""query DashboardTrend($interval: TrendInterval!, $filter: OrganisationFilter) {
  membershipTrend(interval: $interval, filter: $filter) {
    period start end joined reinstated left leftBy { %s } activeAtEnd
  }
}""" % _BUCKET, {"interval": "YEAR", "filter": None}),
    "crosstab": ("""query DashboardCrossTab($by: StatDimension!, $thenBy: StatDimension, $filter: OrganisationFilter) {
  membershipStats(by: $by, thenBy: $thenBy, filter: $filter) { %s breakdown { %s } }
}""" % (_BUCKET, _BUCKET), {"by": "COUNTRY", "thenBy": "SECTOR", "filter": None}),
}
QUERIES = {name: (query, {}) for name, query in compare.QUERIES.items()} | DASHBOARD
POLLED = ("""query Roster { workingGroup(slug: "clinical-work-stream") { roster(first: 500) { totalCount
            nodes { role since until person { name affiliation { name } } } } } }""", {})


class Served:
    """A server started with its log in a file, so the access log's durations can be read."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, path: str):
        self.name, self.port, self.path = name, port, path
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        self.server = compare.Server(name, f"http://127.0.0.1:{port}{path}",
                                     subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log))

    def log_offset(self) -> int:
        return Path(self.log.name).stat().st_size

    def durations_since(self, offset: int) -> list[float]:
        with open(self.log.name, "rb") as file:
            file.seek(offset)
            lines = file.read().decode(errors="replace").splitlines()
        found = []
        for line in lines:
            if '"durationMs"' in line:
                try:
                    found.append(float(json.loads(line)["durationMs"]))
                except (ValueError, KeyError):
                    continue
        return found

    def stop(self) -> None:
        compare.stop([self.server])
        self.log.close()
        os.unlink(self.log.name)


def _post(path: str, query: str, variables: dict) -> bytes:
    body = json.dumps({"query": query, "variables": variables}).encode()
    return request_bytes("POST", path, {"Content-Type": "application/json", "Accept": "application/json"}, body)


def _get(path: str, query: str, variables: dict, headers: dict[str, str] | None = None) -> bytes:
    target = f"{path}?{urlencode({'query': query, 'variables': json.dumps(variables)})}"
    return request_bytes("GET", target, {"Accept": "application/json", **(headers or {})})


async def measure(served: Served, name: str, request: bytes, arguments: argparse.Namespace) -> dict:
    await hammer(served.port, request, arguments.clients, arguments.clients)  # warm up: a first run, kept
    await asyncio.sleep(0.2)
    offset = served.log_offset()
    pids = served.server.pids()
    cpu_before = compare.cpu_seconds(pids)
    run = await hammer(served.port, request, arguments.requests, arguments.clients, keep=True)
    cpu = compare.cpu_seconds(pids) - cpu_before
    await asyncio.sleep(0.3)  # the last access lines
    durations = served.durations_since(offset)
    bodies = [json.loads(a.body) for a in run.answers if a.status == 200]
    errors = sum(1 for b in bodies if b.get("errors"))
    hits = sum(1 for b in bodies if (b.get("extensions") or {}).get("cache") == "HIT")
    return {
        "server_p50": statistics.median(durations) if durations else None,
        "p50": run.p50, "per_second": run.per_second, "cpu_ms": cpu * 1000 / arguments.requests,
        "hits": hits / max(1, len(bodies)), "errors": errors + sum(n for s, n in run.statuses.items() if s != 200),
        "data": bodies[0].get("data") if bodies else None,
    }


async def poller(served: Served, arguments: argparse.Namespace) -> dict:
    query, variables = POLLED
    first = await one(served.port, _get(served.path, query, variables))
    etag = first.headers.get("etag")
    cost = json.loads(first.body)["extensions"]["cost"]["requestedQueryCost"]
    conditional = _get(served.path, query, variables, {"If-None-Match": etag})
    await hammer(served.port, conditional, arguments.clients, arguments.clients)
    await asyncio.sleep(0.2)
    offset = served.log_offset()
    run = await hammer(served.port, conditional, arguments.poll, arguments.clients, keep=True)
    await asyncio.sleep(0.3)
    durations = served.durations_since(offset)
    remaining = [int(a.headers.get("ratelimit-remaining", -1)) for a in run.answers]
    tenth = max(1, len(remaining) // 10)
    # Each process keeps its own budget: the values the first tenth carried are all the last tenth may.
    spent = max(0, max(remaining[:tenth]) - min(remaining[-tenth:])) if set(remaining[-tenth:]) - set(remaining[:tenth]) else 0
    return {"etag": etag, "cost_of_a_full_answer": cost, "statuses": run.statuses, "p50": run.p50,
            "server_p50": statistics.median(durations) if durations else None, "per_second": run.per_second,
            "remaining": sorted(set(remaining)), "points_spent": spent}


def _start_directory(name: str, env: dict[str, str], workers: int, cache_bytes: int) -> Served:
    port = free_loopback_port()
    command = [sys.executable, "-m", "memberdir", "serve", "--port", str(port), "--workers", str(workers)]
    served = Served(name, command, {**env, "MEMBERDIR_RESPONSE_CACHE_BYTES": str(cache_bytes)}, port, "/graphql")
    compare.wait_until_ready(served.server)
    return served


def _progress(server: str, name: str, found: dict) -> None:
    shown = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in found.items() if k not in ("data", "etag")}
    print(f"  {server} {name}: {shown}", flush=True)


async def run_directory(served: Served, arguments: argparse.Namespace, results: dict) -> None:
    for name in arguments.queries:
        query, variables = QUERIES[name]
        results[(served.name, name)] = await measure(served, name, _post(served.path, query, variables), arguments)
        _progress(served.name, name, results[(served.name, name)])
    results[(served.name, "poll")] = await poller(served, arguments)
    _progress(served.name, "poll", results[(served.name, "poll")])


def main(arguments: argparse.Namespace) -> int:
    results: dict = {}
    load = os.getloadavg()
    with compare.seeded_engine(arguments.engine, arguments.scale) as (folder, engine):
        env = compare.serving_environment(folder, arguments.engine)
        for name, cache_bytes in (("uncached", 0), ("cached", 64 * 1024 * 1024)):
            served = _start_directory(name, env, arguments.workers, cache_bytes)
            try:
                asyncio.run(run_directory(served, arguments, results))
            finally:
                served.stop()
        if arguments.peer is not None:
            peer_dir = compare.install_peer(arguments.peer)
            port = free_loopback_port()
            served = Served("peer", ["node", str(peer_dir / "server.mjs"), "--port", str(port)],
                            {**env, "MONGODB_URI": engine.uri}, port, "/")
            try:
                compare.wait_until_ready(served.server)
                for name in arguments.queries:
                    query, variables = QUERIES[name]
                    results[("peer", name)] = asyncio.run(
                        measure(served, name, _post(served.path, query, variables), arguments))
                    _progress("peer", name, results[("peer", name)])
            finally:
                served.stop()
    report(results, arguments, load)
    return 0


def report(results: dict, arguments: argparse.Namespace, load: tuple[float, float, float]) -> None:
    print(f"\nanonymous caller, {arguments.clients} clients (bench.load), {arguments.requests} requests per query,"
          f" --workers {arguments.workers}, scale {arguments.scale}; load average before: "
          + ", ".join(f"{x:.2f}" for x in load))
    print(f"{'query':9} {'server p50 ms':>24} {'client p50 ms':>24} {'req/s':>24} {'CPU ms/req':>24} {'from cache':>10}")
    print(f"{'':9} {'uncached/cached/peer':>24} {'uncached/cached/peer':>24} {'uncached/cached/peer':>24}"
          f" {'uncached/cached/peer':>24}")

    def cell(key: str, name: str) -> str:
        values = []
        for server in ("uncached", "cached", "peer"):
            found = results.get((server, name))
            value = found and found.get(key)
            bad = found and found.get("errors")
            if found and found.get("data") is None and bad:  # every answer an error: not answered
                value, bad = None, False
            values.append("—" if value is None else f"{value:.1f}" + ("!" if bad else ""))
        return "/".join(values)

    for name in arguments.queries:
        cached = results.get(("cached", name)) or {}
        peer = results.get(("peer", name))
        same = peer is None or peer.get("data") is None or peer["data"] == cached.get("data")
        print(f"{name:9} {cell('server_p50', name):>24} {cell('p50', name):>24} {cell('per_second', name):>24}"
              f" {cell('cpu_ms', name):>24} {cached.get('hits', 0):>9.0%}" + ("" if same else "  (peer's data differs)"))
    print("('!': some answers had errors or were not 200; '—': not measured or the peer does not answer it)")
    for server in ("uncached", "cached"):
        poll = results.get((server, "poll"))
        if poll:
            print(f"\npoller on the {server} directory: {arguments.poll} GETs of the roster with If-None-Match,"
                  f" statuses {poll['statuses']}, server p50 {poll['server_p50']} ms, client p50 {poll['p50']:.2f} ms,"
                  f" {poll['per_second']:.0f}/s; rate-limit points spent: {poll['points_spent']} (a full answer"
                  f" costs {poll['cost_of_a_full_answer']}; RateLimit-Remaining seen: {poll['remaining']})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 10, default=1)
    add_whole_number(parser, "--clients", 1, 64, default=8)
    add_whole_number(parser, "--requests", 10, 5000, default=600)
    add_whole_number(parser, "--poll", 10, 5000, default=600)
    add_whole_number(parser, "--workers", 1, 16, default=2)
    parser.add_argument("--queries", nargs="+", default=list(QUERIES), choices=list(QUERIES))
    parser.add_argument("--engine", choices=list(ENGINES), default=Settings().engine)
    parser.add_argument("--peer", type=Path, default=PROJECT_ROOT.parent / "shared" / "peer-node")
    parser.add_argument("--no-peer", dest="peer", action="store_const", const=None)
    sys.exit(main(parser.parse_args()))
