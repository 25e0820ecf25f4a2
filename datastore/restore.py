"""Loading a dump (datastore/dump.py) into an empty directory.

A bulk load, as `seed` writes: the documents go in as they were dumped
(records at their versions with their histories, the audit log with its
times and ids, so change-feed cursors handed out before still resume), in
batches; where the engine takes it better (MongoDB: datastore/engines,
`indexes_after_load`) into collections without the indexes `ensure_indexes`
makes, built once at the end. Nothing goes through the write path: the dump already is the result
of it. Derived fields (datastore/derived.py) are not in a dump and
are computed here as storing the record today would; the collections'
generations are marked unsettled while the load runs and replaced after
(datastore/generations.py, `bulk_write`), so no answer computed before is
kept. Changes that were claimed but not applied when the dump was made are
completed by the next start's recovery, as after a kill.
"""

import asyncio
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pymongo import ReplaceOne
from pymongo.errors import OperationFailure

from datastore import derived, generations
from datastore.client import Database
from datastore.documents import INSERT_BATCH
from datastore.dump import (
    API_KEYS_OPTION, CREDENTIALS_LEFT_OUT, DUMPED, FORMAT, LEFT_OUT, VERSION, Dumped, collection, decode,
)
from datastore.engines import indexes_after_load
from datastore.indexes import INDEXES, ensure_indexes

_DERIVE = {d.collection: d for d in derived.DERIVED}
# MongoDB's error codes for dropping an index of a collection, or an index, that does not exist.
_NAMESPACE_NOT_FOUND, _INDEX_NOT_FOUND = 26, 27


class RestoreRefused(Exception):
    """The dump cannot be restored here; nothing was written. The message says why."""


class RestoreFailed(Exception):
    """The dump turned out damaged while loading: part of it was written. The message says where."""


@dataclass(frozen=True, slots=True)
class Restored:
    counts: dict[str, int]
    # One sentence per credential that must be issued again, or that came back.
    credentials: tuple[str, ...]


def read_header(path: Path) -> dict | None:
    """The header of a dump file; None for a file that is not a dump (an import file, or none at all)."""
    try:
        with path.open(encoding="utf-8") as file:
            first = file.readline()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        value = json.loads(first)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "format" in value else None


def check_header(path: Path, header: dict) -> None:
    """Refuse a dump this version cannot read, naming what it found."""
    if header.get("format") != FORMAT:
        raise RestoreRefused(f"{path}: not a memberdir dump (format {header.get('format')!r})")
    if header.get("version") != VERSION:
        raise RestoreRefused(
            f"{path}: dump format version {header.get('version')!r} is unknown here; this memberdir "
            f"restores version {VERSION} (a newer memberdir may have written it)"
        )
    unknown = [c for c in header.get("collections", []) if c not in DUMPED]
    if unknown:
        raise RestoreRefused(f"{path}: the dump holds collection(s) this memberdir does not know: {', '.join(unknown)}")
    end = _end_line(path)
    if not isinstance(end, dict) or end.get("end") is not True:
        raise RestoreRefused(f"{path}: the dump has no end line: it was cut off (a dump that failed, or a partial copy)")


def _end_line(path: Path) -> object:
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(max(0, size - 65536))
        lines = file.read().splitlines()
    try:
        return json.loads(lines[-1]) if lines else None
    except ValueError:
        return None


async def occupied(db: Database, header: dict) -> list[str]:
    """Of the collections the dump fills, those that already hold documents (meta aside: every directory has some)."""
    return [
        name for name in header["collections"]
        if name != "meta" and await collection(db, name).find_one({}, projection=["_id"]) is not None
    ]


def _with_derived(section: Dumped, document: dict) -> dict:
    fields = section.derived_fields
    if fields:
        fresh = _DERIVE[section.collection].restore(document)
        document.update({name: fresh[name] for name in fields})
    return document


def _items(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as file:
        file.readline()  # the header
        for number, line in enumerate(file, start=2):
            if line.strip():
                try:
                    yield number, decode(line)
                except ValueError as error:  # orjson's JSONDecodeError is one
                    raise RestoreFailed(f"{path}, line {number}: not JSON ({error})") from None


async def _write(db: Database, name: str, documents: list[dict]) -> None:
    if name == "meta":  # the target's own meta documents stay; the dump's replace theirs
        await db.meta.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents], ordered=False)
    else:
        await collection(db, name).insert_many(documents, ordered=False)


async def _load(db: Database, path: Path, collections: list[str]) -> Counter[str]:
    """Insert every document of the dump, a batch written while the next is read; the counts."""
    counts: Counter[str] = Counter({name: 0 for name in collections})
    batch: list[dict] = []
    batch_of: str | None = None
    writing: asyncio.Task | None = None
    end: dict | None = None

    async def flush() -> None:
        nonlocal writing, batch
        if writing is not None:
            await writing
            writing = None
        if batch:
            writing = asyncio.ensure_future(_write(db, batch_of, batch))  # type: ignore[arg-type]
            batch = []

    try:
        for number, item in _items(path):
            if item.get("end") is True:
                end = item
                break
            name = item.get("collection")
            if name not in collections or not isinstance(item.get("document"), dict):
                raise RestoreFailed(f"{path}, line {number}: not a document of a collection the header names")
            if name != batch_of or len(batch) >= INSERT_BATCH:
                await flush()
                batch_of = name
            batch.append(_with_derived(DUMPED[name], item["document"]))
            counts[name] += 1
            if len(batch) >= INSERT_BATCH:
                await flush()
                await asyncio.sleep(0)  # let the batch's write start while the next is read
        await flush()
        await flush()
    finally:
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)
    if end is None:
        raise RestoreFailed(f"{path}: no end line")
    if dict(counts) != {name: end["counts"].get(name, 0) for name in collections}:
        raise RestoreFailed(f"{path}: the end line counts {end['counts']}, the file holds {dict(counts)}")
    return counts


def credentials(header: dict, counts: dict[str, int]) -> tuple[str, ...]:
    """What a restored directory's users must be given again (or, for API keys, what came back)."""
    lines = []
    if "api_keys" in header["collections"]:
        lines.append(f"API keys: {counts.get('api_keys', 0)} restored as their hashes, the same keys work "
                     "(revoke and reissue any the dump file may have exposed)")
    else:
        lines.append(f"API keys: not in this dump (made without {API_KEYS_OPTION}); "
                     "issue new ones with `memberdir keys create`")
    lines += [f"{name}: never dumped ({LEFT_OUT[name]})" for name in CREDENTIALS_LEFT_OUT]
    secret = [f"{s.collection}.{f}" for s in DUMPED.values() for f in s.secret_fields]
    if secret and not header.get("secrets"):
        lines.append(f"secrets not in this dump (made without --include-secrets): {', '.join(secret)}; set them again")
    return tuple(lines)


async def _drop_indexes(db: Database, collections: list[str]) -> None:
    """Drop the indexes `ensure_indexes` builds again (others, such as unique keys built elsewhere, stay)."""
    for name in collections:
        for model in INDEXES.get(name, []):
            try:
                await collection(db, name).drop_index(model.document["name"])
            except OperationFailure as failure:
                if failure.code not in (_NAMESPACE_NOT_FOUND, _INDEX_NOT_FOUND):
                    raise


async def restore(db: Database, path: Path, header: dict) -> Restored:
    """Load the dump at `path` (its header already read and checked) into `db`,
    refusing a directory that already holds any of what it restores."""
    collections = list(header["collections"])
    full = await occupied(db, header)
    if full:
        raise RestoreRefused(f"The directory already holds records ({', '.join(full)}); restore into an empty one "
                             "(or merge with `memberdir import`)")
    async with generations.bulk_write(db, [name for name in collections if name != "meta"]):
        if indexes_after_load(db.organisations):
            await _drop_indexes(db, collections)
        counts = await _load(db, path, collections)
        await ensure_indexes(db)
    # Derived fields were computed by this version; a database whose marker is
    # older (never opened by this version) gets them all recomputed here.
    await derived.refresh(db)
    return Restored(dict(counts), credentials(header, counts))
