"""Which test modules talk to the database, as pytest itself collects them.

`make test` runs the tests marked `database` again on the second engine
(`pytest -m database`). A module talks to the database when one of its tests
asks for the session's engine (the `engine` fixture of tests/conftest.py,
through whatever fixtures lead to it: `directory`, `demo_db`, `db`...), or when
the module starts an engine of its own (it imports pymongo, memberdir.embedded
or memberdir.database, or runs `memberdir serve`). tests/test_engine_markers.py
fails on such a module that is neither marked nor listed as engine-specific.

Used as a pytest plugin in a collection-only run (`collect`): pytest resolves
each test's fixture closure, so a fixture added anywhere is followed.
"""

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPORT = "MEMBERDIR_ENGINE_MARKERS_REPORT"
ENGINE_FIXTURE = "engine"
OWN_ENGINE_IMPORTS = ("pymongo", "memberdir.embedded", "memberdir.database")


@dataclass(frozen=True)
class Module:
    path: str  # relative to the root collected
    talks_to_database: bool
    marked: bool  # every test of it is marked `database`


def starts_an_engine(source: str) -> bool:
    """The module imports what starts or speaks to an engine, or runs `memberdir serve`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and node.value == "serve":
            return True
        else:
            continue
        if any(name == wanted or name.startswith(wanted + ".") for name in names for wanted in OWN_ENGINE_IMPORTS):
            return True
    return False


def pytest_collection_finish(session: pytest.Session) -> None:
    modules: dict[str, dict] = {}
    for item in session.items:
        path = item.path.relative_to(session.config.rootpath).as_posix()
        module = modules.setdefault(path, {"engine": False, "marked": True, "source": item.path})
        module["engine"] |= ENGINE_FIXTURE in getattr(item, "fixturenames", ())
        module["marked"] &= item.get_closest_marker("database") is not None
    report = [
        {"path": path, "talks_to_database": m["engine"] or starts_an_engine(Path(m["source"]).read_text()),
         "marked": m["marked"]}
        for path, m in sorted(modules.items())
    ]
    Path(os.environ[REPORT]).write_text(json.dumps(report))


def collect(root: Path, report: Path, *args: str) -> list[Module]:
    """Every test module under `root`, collected (nothing run) in a pytest of its own."""
    environment = {**os.environ, REPORT: str(report),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent.parent),
                                                               os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.engine_markers",
         "-p", "no:cacheprovider", *args],
        cwd=root, env=environment, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [Module(**m) for m in json.loads(report.read_text())]


def problems(modules: list[Module], engine_specific: dict[str, str]) -> list[str]:
    """What is wrong with the marks: a database module neither marked nor listed,
    a listing without a reason, or a listing that does not fit the module."""
    found = []
    paths = {m.path for m in modules}
    for module in modules:
        listed = module.path in engine_specific
        if module.talks_to_database and not module.marked and not listed:
            found.append(f"{module.path} talks to the database: mark it `pytestmark = pytest.mark.database` "
                         "(run on every engine) or list it in ENGINE_SPECIFIC with the reason it need not be")
        if listed and module.marked:
            found.append(f"{module.path} is marked `database` and listed as engine-specific: choose one")
        if listed and not module.talks_to_database:
            found.append(f"{module.path} is listed as engine-specific but does not talk to the database")
    for path, reason in engine_specific.items():
        if path not in paths:
            found.append(f"{path} is listed as engine-specific but there is no such test module")
        if len(reason.strip()) < 20:
            found.append(f"{path}: say why it need not run on every engine (got {reason!r})")
    return found
