"""Import organisations, people, contacts, groups and roster entries from files.

Two file shapes (see README, "Import files"):
- `.json`: an object whose keys `organisations`, `people`, `contacts`,
  `groups` and `roster` each hold a list of records;
- `.ndjson` / `.jsonl`: one record per line, each with a `"type"` of
  `organisation`, `person`, `contact`, `group` or `roster`.

Everything is validated first (fields, then references against the files and
the database); one problem anywhere and nothing is written. Records are
upserted by id, so importing the same file twice changes nothing.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from datastore import dataset as datasets
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.documents import existing_ids
from datastore.import_records import RECORD_MODELS, SECTION_OF_TYPE

MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


class ImportRejected(Exception):
    """The files hold invalid records; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS])
        more = len(problems) - MAX_PROBLEMS
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n{shown}{tail}")


@dataclass(frozen=True, slots=True)
class _RawRecord:
    where: str
    section: str
    data: Any


def _records_of(path: Path) -> Iterator[_RawRecord]:
    """Yield each raw record of a file with where it came from; raise on bad syntax."""
    name = str(path)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ImportRejected([Problem(f"{name}:{number}", "", f"not valid JSON ({error.msg})")])
                kind = data.get("type") if isinstance(data, dict) else None
                section = SECTION_OF_TYPE.get(kind) if isinstance(kind, str) else None
                if section is None:
                    yield _RawRecord(f"{name}:{number}", "", data)
                else:
                    yield _RawRecord(f"{name}:{number}", section, {k: v for k, v in data.items() if k != "type"})
        return
    if path.suffix.lower() != ".json":
        raise ImportRejected([Problem(name, "", "unknown file type; use .json, .ndjson or .jsonl")])
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ImportRejected([Problem(f"{name}:{error.lineno}", "", f"not valid JSON ({error.msg})")])
    except UnicodeDecodeError:
        raise ImportRejected([Problem(name, "", "not UTF-8 text")])
    if not isinstance(document, dict):
        raise ImportRejected([Problem(name, "", "expected an object with lists under " + ", ".join(RECORD_MODELS))])
    for section, records in document.items():
        if section not in RECORD_MODELS:
            yield _RawRecord(name, section, None)
            continue
        if not isinstance(records, list):
            raise ImportRejected([Problem(name, section, "expected a list of records")])
        for index, data in enumerate(records):
            yield _RawRecord(f"{name}: {section}[{index}]", section, data)


def _field_path(location: Iterable[Any]) -> str:
    return ".".join(str(part) for part in location) or "record"


def parse(paths: Iterable[Path]) -> Dataset:
    """Read and validate every record of the files, or raise ImportRejected."""
    found = Dataset()
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        if not path.is_file():
            problems.append(Problem(str(path), "", "no such file"))
            continue
        try:
            for raw in _records_of(path):
                if raw.section not in RECORD_MODELS:
                    known = ", ".join(SECTION_OF_TYPE) if raw.section == "" else ", ".join(RECORD_MODELS)
                    what = "type" if raw.section == "" else raw.section
                    problems.append(Problem(raw.where, what, f"unknown record type; expected one of {known}"))
                    continue
                model: type[BaseModel] = RECORD_MODELS[raw.section]
                try:
                    record = model.model_validate(raw.data).to_record()  # type: ignore[attr-defined]
                except ValidationError as error:
                    problems += [Problem(raw.where, _field_path(e["loc"]), e["msg"]) for e in error.errors()]
                    continue
                key = (raw.section, record.id)
                if key in seen:
                    problems.append(Problem(raw.where, "id", f"{record.id} already given at {seen[key]}"))
                    continue
                seen[key] = raw.where
                getattr(found, raw.section).append(record)
        except ImportRejected as rejected:
            problems += rejected.problems
    if problems:
        raise ImportRejected(problems)
    return found


async def check_references(db: Database, found: Dataset) -> None:
    """Every reference must name a record in the files or already in the database,
    and no slug may already belong to a different record."""
    problems: list[Problem] = []

    async def known(collection: str, own: Iterable[str], wanted: set[str]) -> set[str]:
        present = set(own) & wanted
        return present | await existing_ids(getattr(db, collection), wanted - present)

    wanted_orgs = {c.organisation_id for c in found.contacts} | {
        p.affiliation_id for p in found.people if p.affiliation_id
    }
    wanted_people = {c.person_id for c in found.contacts} | {r.person_id for r in found.roster}
    wanted_groups = {g.parent_id for g in found.groups if g.parent_id} | {r.group_id for r in found.roster} | {
        c.group_id for c in found.contacts if c.group_id
    }
    orgs = await known("organisations", (o.id for o in found.organisations), wanted_orgs)
    people = await known("people", (p.id for p in found.people), wanted_people)
    groups = await known("groups", (g.id for g in found.groups), wanted_groups)

    def missing(what: str, where: str, field: str, value: str | None, present: set[str]) -> None:
        if value and value not in present:
            problems.append(Problem(where, field, f"no {what} {value} in the files or the database"))

    for p in found.people:
        missing("organisation", f"person {p.id}", "affiliation", p.affiliation_id, orgs)
    for g in found.groups:
        missing("group", f"group {g.id}", "parent", g.parent_id, groups)
    for c in found.contacts:
        where = f"contact {c.role.value} of {c.organisation_id}"
        missing("organisation", where, "organisation", c.organisation_id, orgs)
        missing("person", where, "person", c.person_id, people)
        missing("group", where, "workingGroup", c.group_id, groups)
    for r in found.roster:
        where = f"roster entry of {r.person_id} on {r.group_id}"
        missing("group", where, "group", r.group_id, groups)
        missing("person", where, "person", r.person_id, people)

    for collection, records in (("organisations", found.organisations), ("groups", found.groups)):
        by_slug = {r.slug: r.id for r in records}
        cursor = getattr(db, collection).find({"slug": {"$in": list(by_slug)}}, projection=["slug"])
        async for document in cursor:
            if by_slug[document["slug"]] != document["_id"]:
                problems.append(
                    Problem(f"{collection[:-1]} {by_slug[document['slug']]}", "slug",
                            f"{document['slug']!r} already belongs to {document['_id']}")
                )
        duplicates = _duplicates(r.slug for r in records)
        problems += [Problem(collection, "slug", f"{slug!r} is given to more than one record") for slug in duplicates]
    if problems:
        raise ImportRejected(problems)


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


@dataclass(frozen=True, slots=True)
class Imported:
    records: Dataset
    written: int  # records that were new or changed


async def import_files(db: Database, paths: Iterable[Path]) -> Imported:
    """Validate the files completely, then upsert everything."""
    found = parse(paths)
    await check_references(db, found)
    return Imported(found, await datasets.write(db, found))
