"""How long `memberdir restore` takes to load the demo directory into an empty
one, and `memberdir dump` to write it back.

    .venv/bin/python -m bench.restore [--scale N]

The dump file is made from the generated demo records as `seed` would store
them (what a dump of a freshly seeded demo holds), so no seeding is waited
for. The target is prepared as the command finds it (indexes made, derived
fields marked current by the start-up): the restore figure is the command's
own work (drop the empty collections, read, derive, insert, build indexes).
The dump of the restored directory must then equal the file restored.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore import contacts, demo, derived, groups, organisations, people, rosters
from datastore.dump import API_KEYS_OPTION, DUMPED, document_line, dump, encode, end_line, header
from datastore.indexes import ensure_indexes
from datastore.restore import check_header, read_header, restore

TO_DOCUMENT = {"organisations": organisations.to_document, "groups": groups.to_document,
               "people": people.to_document, "contacts": contacts.to_document, "roster": rosters.to_document}


def write_demo_dump(scale: int, path: Path) -> None:
    records = demo.generate(scale)
    counts = {name: 0 for name in DUMPED}
    with path.open("w", encoding="utf-8") as out:
        out.write(encode(header(include=[API_KEYS_OPTION], secrets=False, collections=list(DUMPED))) + "\n")
        for name in DUMPED:
            if name in TO_DOCUMENT:
                for document in sorted((TO_DOCUMENT[name](r) for r in getattr(records, name)), key=lambda d: d["_id"]):
                    out.write(document_line(DUMPED[name], document) + "\n")
                    counts[name] += 1
        out.write(end_line(counts) + "\n")


async def main(scale: int) -> None:
    with tempfile.TemporaryDirectory(prefix="memberdir-bench-dump-") as folder:
        made, again = Path(folder) / "made.ndjson", Path(folder) / "again.ndjson"
        write_demo_dump(scale, made)
        async with embedded_database(seeded=False) as (db, _):
            await derived.refresh(db)
            await ensure_indexes(db)
            started = time.perf_counter()
            found = read_header(made)
            assert found is not None
            check_header(made, found)
            restored = await restore(db, made, found)
            loaded = time.perf_counter()
            with again.open("w", encoding="utf-8") as out:
                dumped = await dump(db, out, include=[API_KEYS_OPTION])
            written = time.perf_counter()
        size = made.stat().st_size
        same = made.read_text().splitlines()[1:] == again.read_text().splitlines()[1:]
    assert restored.counts == dumped.counts, (restored.counts, dumped.counts)
    assert same, "the dump of the restored directory differs from the file restored"
    total = sum(restored.counts.values())
    print(f"scale {scale}: {total} documents ({restored.counts}), dump file {size / 1e6:.1f} MB")
    print(f"restore         {loaded - started:6.2f} s  ({total / (loaded - started):,.0f} documents/s)")
    print(f"dump            {written - loaded:6.2f} s  (the same file again)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 10, default=1)
    asyncio.run(main(parser.parse_args().scale))
