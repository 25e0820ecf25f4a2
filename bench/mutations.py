"""Mutation latency and throughput with several concurrent writers.

    .venv/bin/python -m bench.mutations [--writers 1,4,8] [--per-writer 25]

Through the ASGI app as a staff key, on a throwaway embedded engine with the
demo directory. Two shapes: every writer on its own organisation (throughput
of the write path), and every writer on the same one (contention: the claims
let one writer per version through; the rest get STALE_VERSION, re-read, retry).
"""

import argparse
import asyncio
import statistics
import time

from httpx import ASGITransport, AsyncClient

from bench.embedded import embedded_database
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings

READ = 'query($id: ID!) { organisation(id: $id) { version } }'
UPDATE = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { version } userErrors { code } } }"""


async def _writer(client: AsyncClient, organisation_id: str, count: int, latencies: list[float]) -> int:
    """Make `count` accepted updates; returns how many attempts were refused as stale."""
    stale = done = 0
    while done < count:
        version = (await client.post("/graphql", json={"query": READ, "variables": {"id": organisation_id}})).json()
        started = time.perf_counter()
        answer = await client.post("/graphql", json={"query": UPDATE, "variables": {"input": {
            "id": organisation_id, "expectedVersion": version["data"]["organisation"]["version"],
            "patch": {"city": f"City {done}"}}}})
        latencies.append(time.perf_counter() - started)
        if answer.json()["data"]["updateOrganisation"]["userErrors"]:
            stale += 1
        else:
            done += 1
    return stale


async def _round(client: AsyncClient, targets: list[str], per_writer: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    started = time.perf_counter()
    stale = await asyncio.gather(*(_writer(client, t, per_writer, latencies) for t in targets))
    return time.perf_counter() - started, latencies, sum(stale)


async def main(writer_counts: list[int], per_writer: int) -> None:
    async with embedded_database() as (db, _counter):
        key = await api_keys.issue(db, "bench", Role.STAFF, None)
        ids = [d["_id"] async for d in db.organisations.find({}, projection=["_id"], sort=[("_id", 1)], limit=64)]
        app = create_app(Settings(), database=db)
        headers = {"X-API-Key": key.secret_key}
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench", headers=headers) as client:
            print(f"{'writers':>7}  {'shape':<22} {'accepted/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'stale':>6}")
            for writers in writer_counts:
                for shape, targets in (("own organisation each", ids[:writers]), ("one organisation", [ids[-1]] * writers)):
                    elapsed, latencies, stale = await _round(client, targets, per_writer)
                    latencies.sort()
                    p95 = latencies[int(len(latencies) * 0.95) - 1] if len(latencies) > 1 else latencies[0]
                    print(f"{writers:>7}  {shape:<22} {writers * per_writer / elapsed:>10.1f} "
                          f"{statistics.median(latencies) * 1000:>8.1f} {p95 * 1000:>8.1f} {stale:>6}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", default="1,4,8", help="comma-separated numbers of concurrent writers")
    parser.add_argument("--per-writer", type=int, default=25, help="accepted updates each writer makes")
    arguments = parser.parse_args()
    asyncio.run(main([int(w) for w in arguments.writers.split(",")], arguments.per_writer))
