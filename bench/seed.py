"""How long the demo directory takes to generate, write, and write again.

    .venv/bin/python -m bench.seed [--scale N]
"""

import argparse
import asyncio
import time

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import dataset, demo


async def main(scale: int) -> None:
    async with embedded_database(seeded=False) as (db, counter):
        started = time.perf_counter()
        records = demo.generate(scale)
        generated = time.perf_counter()
        written = await dataset.write(db, records)
        first = time.perf_counter()
        rewritten = await dataset.write(db, records)
        second = time.perf_counter()
    total = sum(records.counts().values())
    print(f"scale {scale}: {total} records ({records.counts()})")
    print(f"generate        {generated - started:6.2f} s")
    print(f"write (empty)   {first - generated:6.2f} s  {written} written")
    print(f"write (again)   {second - first:6.2f} s  {rewritten} written")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 5, default=1)
    asyncio.run(main(parser.parse_args().scale))
