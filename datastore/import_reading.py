"""Reading import files into raw records, each with where it came from.

Two file shapes (see README, "Import files"):
- `.json`: an object whose keys `organisations`, `people`, `contacts`,
  `groups` and `roster` each hold a list of records (where: `file: section[index]`);
- `.ndjson` / `.jsonl`: one record per line, each with a `"type"` of
  `organisation`, `person`, `contact`, `group` or `roster` (where: `file:line`).

Reading checks only the shape of a file; what a record says is checked
afterwards, against the database (datastore.import_checks).
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
class RawRecord:
    """One record as a file gives it: exactly the keys present (without NDJSON's `type`)."""

    path: Path
    where: str
    section: str
    data: dict[str, Any]


class _Unreadable(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _lines_of(path: Path, name: str, problems: list[Problem]) -> Iterator[tuple[str, Any]]:
    """Each line's value; a line that is not JSON is a problem, and the next lines are still read."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield f"{name}:{number}", json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(Problem(f"{name}:{number}", "", f"not valid JSON ({error.msg})"))


def _sections_of(path: Path, name: str) -> Iterator[tuple[str, str, Any]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise _Unreadable(Problem(f"{name}:{error.lineno}", "", f"not valid JSON ({error.msg})")) from None
    if not isinstance(document, dict):
        raise _Unreadable(Problem(name, "", "expected an object with lists under " + ", ".join(RECORD_MODELS)))
    for section, records in document.items():
        if section not in RECORD_MODELS:
            yield name, section, None
        elif not isinstance(records, list):
            raise _Unreadable(Problem(name, section, "expected a list of records"))
        else:
            for index, data in enumerate(records):
                yield f"{name}: {section}[{index}]", section, data


def _records_of(path: Path, problems: list[Problem]) -> Iterator[RawRecord]:
    """Each record of one file; problems of shape go to `problems`."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        for where, data in _lines_of(path, name, problems):
            kind = data.get("type") if isinstance(data, dict) else None
            section = SECTION_OF_TYPE.get(kind) if isinstance(kind, str) else None
            if not isinstance(data, dict):
                problems.append(Problem(where, "", "expected an object"))
            elif section is None:
                problems.append(Problem(where, "type", "unknown record type; expected one of " + ", ".join(SECTION_OF_TYPE)))
            else:
                yield RawRecord(path, where, section, {k: v for k, v in data.items() if k != "type"})
    elif suffix == ".json":
        for where, section, data in _sections_of(path, name):
            if section not in RECORD_MODELS:
                problems.append(Problem(where, section, "unknown record type; expected one of " + ", ".join(RECORD_MODELS)))
            elif not isinstance(data, dict):
                problems.append(Problem(where, "", "expected an object"))
            else:
                yield RawRecord(path, where, section, data)
    else:
        problems.append(Problem(name, "", "unknown file type; use .json, .ndjson or .jsonl"))


def read(paths: Iterable[Path]) -> tuple[list[RawRecord], list[Problem]]:
    """Every record of the files, and every problem of shape found on the way.

    A file that cannot be parsed at all contributes its one problem and no records.
    """
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.is_file():
            problems.append(Problem(str(path), "", "no such file"))
            continue
        try:
            records += _records_of(path, problems)
        except _Unreadable as unreadable:
            problems.append(unreadable.problem)
        except UnicodeDecodeError:
            problems.append(Problem(str(path), "", "not UTF-8 text"))
    return records, problems
