"""CPU per request of the comparison queries a-d under each executor, in process.

    .venv/bin/python -m bench.executors [--rounds 6] [--per-round 5] [--scale 1]

The same schema run by the planned executor (memberdir/execution/planned/) and by
graphql-core's (`build_schema(planned=False)`), over a throwaway embedded
engine holding the demo directory; no HTTP, so the figures are parsing,
validation and execution alone. Each figure is the least CPU per request of
several rounds, the one least disturbed by whatever else the machine does.
"""

import argparse
import asyncio
import time

from bench.arguments import add_whole_number
from bench.compare import QUERIES
from bench.embedded import embedded_database
from resolvers.context import Context
from memberdir.execution import build_schema


async def main(rounds: int, per_round: int, scale: int) -> None:
    async with embedded_database(scale) as (db, _):
        executors = {"planned": build_schema(), "graphql-core": build_schema(planned=False)}
        print(f"{'query':6} {'planned':>10} {'graphql-core':>13}   CPU ms per request (least of {rounds} rounds)")
        for name, query in QUERIES.items():
            least = {}
            for executor, schema in executors.items():
                await schema.execute(query, context_value=Context.for_request(db))  # warm the caches
                figures = []
                for _ in range(rounds):
                    started = time.process_time()
                    for _ in range(per_round):
                        result = await schema.execute(query, context_value=Context.for_request(db))
                        assert not result.errors, result.errors
                    figures.append((time.process_time() - started) * 1000 / per_round)
                least[executor] = min(figures)
            print(f"{name:6} {least['planned']:10.1f} {least['graphql-core']:13.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=5)
    add_whole_number(parser, "--scale", 1, 10, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.per_round, arguments.scale))
