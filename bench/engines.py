"""Each embedded engine under concurrent single-document updates and a kill -9.

    .venv/bin/python -m bench.engines [--engine secantusdb-rs|secantusdb|ferretdb] [--trials 30] [--seconds 3]

For every engine, in a throwaway folder on a free loopback port:
- conditional updates: 4 concurrent update_one({_id, version: 0}, {$set: …}) on
  one document; an atomic engine lets exactly one of them modify it;
- $inc: 100 concurrent update_one({_id}, {$inc: {n: 1}}); the counter should be 100;
- kill -9: one client inserts with w=1, j=true for a few seconds, the engine is
  killed mid-stream and restarted on the same folder; how many acknowledged
  inserts are still there.

(`$inc` is outside what the directory's code may use; it is measured here only
because it shows whether an engine loses concurrent updates.)
"""

import argparse
import asyncio
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from pymongo import AsyncMongoClient, MongoClient, WriteConcern
from pymongo.errors import PyMongoError

from bench.arguments import add_whole_number
from memberdir.database import settings_engine
from memberdir.embedded.server import EmbeddedEngine
from memberdir.embedded import ENGINES
from memberdir.settings import Settings


async def conditional_updates(uri: str, trials: int, writers: int = 4) -> list[int]:
    """Per trial, how many of `writers` concurrent conditional updates reported a modification."""
    client: AsyncMongoClient = AsyncMongoClient(uri, maxPoolSize=writers)
    things = client.probe.conditional
    winners = []
    try:
        for trial in range(trials):
            await things.insert_one({"_id": trial, "version": 0})
            results = await asyncio.gather(
                *(
                    things.update_one({"_id": trial, "version": 0}, {"$set": {"version": 1, "by": writer}})
                    for writer in range(writers)
                )
            )
            winners.append(sum(r.modified_count for r in results))
    finally:
        await client.close()
    return winners


async def increments(uri: str, count: int = 100) -> int:
    client: AsyncMongoClient = AsyncMongoClient(uri, maxPoolSize=count)
    counter = client.probe.counter
    try:
        await counter.insert_one({"_id": "n", "n": 0})
        await asyncio.gather(*(counter.update_one({"_id": "n"}, {"$inc": {"n": 1}}) for _ in range(count)))
        return (await counter.find_one({"_id": "n"}))["n"]
    finally:
        await client.close()


def kill_during_writes(engine: EmbeddedEngine, seconds: float) -> tuple[int, int]:
    """(acknowledged, of those still there) after kill -9 mid-stream and a restart."""
    acknowledged: list[int] = []
    stop = threading.Event()

    def write() -> None:
        with MongoClient(engine.uri, serverSelectionTimeoutMS=2000) as client:
            journaled = client.probe.get_collection("journal", write_concern=WriteConcern(w=1, j=True))
            number = 0
            while not stop.is_set():
                try:
                    journaled.insert_one({"_id": number, "payload": "x" * 200})
                except PyMongoError:
                    return  # the engine died under us
                acknowledged.append(number)
                number += 1

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(seconds)
    assert engine.pid is not None
    os.kill(engine.pid, signal.SIGKILL)
    stop.set()
    writer.join(timeout=30)
    engine.restart()
    with MongoClient(engine.uri, serverSelectionTimeoutMS=5000) as client:
        present = {d["_id"] for d in client.probe.journal.find({}, projection=["_id"])}
    return len(acknowledged), len(present & set(acknowledged))


def probe(name: str, trials: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="memberdir-engines-") as folder:
        with settings_engine(Settings(engine=name, data_dir=Path(folder))) as engine:
            winners = asyncio.run(conditional_updates(engine.uri, trials))
            total = asyncio.run(increments(engine.uri))
            acknowledged, kept = kill_during_writes(engine, seconds)
    lost = sum(1 for w in winners if w != 1)
    print(f"{name}:")
    print(f"  4 concurrent conditional updates: more or fewer than one winner in {lost} of {trials} trials"
          f" (winners per trial: {sorted(set(winners))})")
    print(f"  100 concurrent $inc: counter at {total}")
    print(f"  kill -9 during w=1 j=true inserts: {kept} of {acknowledged} acknowledged inserts survived"
          f" ({acknowledged / seconds:.0f} inserts/s before the kill)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=list(ENGINES), action="append", help="default: every engine")
    add_whole_number(parser, "--trials", 1, 100, default=30)
    parser.add_argument("--seconds", type=float, default=3.0, help="of writing before the kill (at most 10)")
    arguments = parser.parse_args()
    for engine_name in arguments.engine or list(ENGINES):
        probe(engine_name, arguments.trials, min(arguments.seconds, 10.0))
