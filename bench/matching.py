"""Affiliation matching: quality on the labelled set, latency, CSV throughput.

    .venv/bin/python -m bench.matching [--scale N] [--rows N]    # MEMBERDIR_ENGINE=… to choose

Quality: every row of bench/matching_set.csv (frozen; bench/matching_set.py)
through `matchAffiliation(first: 5)` as staff (who see every organisation the
labels name) against the demo directory at scale 1: precision and recall of
`chosen`, recall at 5, by kind of noise. Precision counts a chosen candidate
on a row labelled "none" as wrong.

Latency: p50 and p99 of those calls (the first, which builds the matching
index, left out), at scale 1 and at `--scale` (organisations only: matching
reads nothing else). Throughput: POST /match/affiliations.csv with `--rows`
rows (the set's strings over and over), at both scales.
"""

import argparse
import asyncio
import csv
import statistics
import time
from collections import defaultdict
from pathlib import Path

from httpx import ASGITransport, AsyncClient

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import demo, generations, organisations
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.collector import tune_for_serving
from memberdir.settings import Settings

SET = Path(__file__).with_name("matching_set.csv")
QUERY = """query($text: String!) { matchAffiliation(text: $text, first: 5) {
  organisation { id } score chosen matchingType } }"""


def labelled() -> list[dict]:
    with SET.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


async def _calls(client: AsyncClient, headers: dict, texts: list[str], query: str = QUERY,
                 cpu: list[float] | None = None) -> tuple[list[list[dict]], list[float]]:
    answers, timings = [], []
    for text in texts:
        started, used = time.perf_counter(), time.process_time()
        response = await client.post("/graphql", json={"query": query, "variables": {"text": text}}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - used) * 1000)
        body = response.json()
        assert "errors" not in body, body
        answers.append(body["data"].get("matchAffiliation", []))
    return answers, timings


def quality(rows: list[dict], answers: list[list[dict]]) -> None:
    # kind -> [labelled, chosen, chosen right, right among 5]
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row, found in zip(rows, answers):
        for kind in (row["noise"], "ALL"):
            c = counts[kind]
            picked = [m["organisation"]["id"] for m in found if m["chosen"]]
            c[0] += bool(row["label"])
            c[1] += bool(picked)
            c[2] += bool(picked) and picked[0] == row["label"]
            c[3] += bool(row["label"]) and row["label"] in {m["organisation"]["id"] for m in found}

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "  -  "

    print(f"{'noise':14} {'rows':>5} {'chosen':>7} {'precision':>10} {'recall':>7} {'recall@5':>9}")
    for kind in sorted(counts, key=lambda k: (k == "ALL", k)):
        labelled_rows, picked, right, at5 = counts[kind]
        n = sum(1 for r in rows if r["noise"] == kind) if kind != "ALL" else len(rows)
        print(f"{kind:14} {n:5} {picked:7} {ratio(right, picked):>10} {ratio(right, labelled_rows):>7} "
              f"{ratio(at5, labelled_rows):>9}")


def latency(label: str, timings: list[float], cpu: list[float], baseline: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label}: matchAffiliation p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms "
          f"({len(ordered)} calls; CPU of this process p50 {statistics.median(cpu):.1f} ms; "
          f"the same request for {{ __typename }} p50 {statistics.median(baseline):.1f} ms)")


async def throughput(client: AsyncClient, headers: dict, texts: list[str], rows: int) -> float:
    out = [texts[i % len(texts)] for i in range(rows)]
    body = "\n".join('"' + t.replace('"', '""') + '"' for t in out).encode()
    started = time.perf_counter()
    response = await client.post("/match/affiliations.csv", content=body, headers={**headers, "Content-Type": "text/csv"})
    answered = response.text.count("\n") - 1
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and answered >= rows, (response.status_code, response.text[:300])
    return seconds


async def run(scale: int, rows: list[dict], csv_rows: int, measure_quality: bool) -> None:
    async with embedded_database(scale, seeded=scale == 1) as (db, _):
        if scale != 1:  # matching reads the organisations alone
            async with generations.bulk_write(db, ["organisations"]):
                await organisations.upsert(db, demo.generate(scale).organisations)
        staff = await api_keys.issue(db, "bench matching", Role.STAFF, None)
        headers = {"X-API-Key": staff.secret_key}
        app = create_app(Settings(rate_limit_points_per_minute=10_000_000), database=db)
        tune_for_serving()
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench", timeout=120) as client:
            texts = [r["text"] for r in rows]
            await _calls(client, headers, texts[:1])  # builds the index
            cpu: list[float] = []
            answers, timings = await _calls(client, headers, texts, cpu=cpu)
            _, baseline = await _calls(client, headers, texts[:200], query="{ __typename }")
            if measure_quality:
                quality(rows, answers)
            count = await db.organisations.count_documents({})
            latency(f"scale {scale} ({count:,} organisations)", timings, cpu, baseline)
            used = time.process_time()
            seconds = await throughput(client, headers, texts, csv_rows)
            print(f"scale {scale}: POST /match/affiliations.csv, {csv_rows:,} rows in {seconds:.1f} s "
                  f"({csv_rows / seconds:,.0f} rows/s; CPU {time.process_time() - used:.1f} s)")


async def main(scale: int, csv_rows: int) -> None:
    rows = labelled()
    await run(1, rows, csv_rows, measure_quality=True)
    if scale != 1:
        await run(scale, rows, csv_rows, measure_quality=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 10, default=10)
    add_whole_number(parser, "--rows", 1, 10_000, default=10_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.scale, arguments.rows))
