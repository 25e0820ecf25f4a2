"""How long the demo directory takes to dump, and to restore into an empty directory.

    .venv/bin/python -m bench.restore [--scale N]

The target is prepared as `memberdir restore` finds it (indexes made and
derived fields marked current by the start-up), so the figure is the
command's own work: drop the empty collections, insert, build the indexes.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import derived
from datastore.client import Database
from datastore.dump import API_KEYS_OPTION, dump
from datastore.indexes import ensure_indexes
from datastore.restore import check_header, read_header, restore


async def main(scale: int) -> None:
    async with embedded_database(scale) as (db, _):
        with tempfile.TemporaryDirectory(prefix="memberdir-bench-dump-") as folder:
            path = Path(folder) / "directory.ndjson"
            started = time.perf_counter()
            with path.open("w", encoding="utf-8") as out:
                dumped = await dump(db, out, include=[API_KEYS_OPTION])
            written = time.perf_counter()
            target = Database(db.client, "bench_restored")
            await ensure_indexes(target)
            await derived.refresh(target)
            ready = time.perf_counter()
            header = read_header(path)
            assert header is not None
            check_header(path, header)
            restored = await restore(target, path, header)
            loaded = time.perf_counter()
            size = path.stat().st_size
    assert restored.counts == dumped.counts, (restored.counts, dumped.counts)
    total = sum(dumped.counts.values())
    print(f"scale {scale}: {total} documents ({dumped.counts}), dump file {size / 1e6:.1f} MB")
    print(f"dump            {written - started:6.2f} s")
    print(f"restore         {loaded - ready:6.2f} s  ({total / (loaded - ready):,.0f} documents/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 10, default=1)
    asyncio.run(main(parser.parse_args().scale))
