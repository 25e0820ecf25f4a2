"""The layer contracts in pyproject.toml (import-linter) break when they should.

`make test` runs `lint-imports` on the project itself. These tests prove each
contract can fail, and fails naming the import: each copies the packages and
pyproject.toml to a temporary folder, adds one import that breaks a rule and
runs lint-imports on the copy. (That the copy, not the installed project, is
what is read shows in every test: the project itself keeps every contract.)
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("memberdir", "schema", "resolvers", "datastore")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(project: Path) -> subprocess.CompletedProcess:
    # The copy first on the path, so its packages are the ones analysed (not the installed project's).
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def _add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


# (module given one more line, the line, the contract it breaks, the import the report names)
BREAKS = [
    ("schema/countries.py", "import pymongo", "The schema knows nothing of MongoDB", "schema.countries -> pymongo"),
    ("schema/countries.py", "import bson", "The schema knows nothing of MongoDB", "schema.countries -> bson"),
    ("schema/countries.py", "from datastore import organisations",
     "The schema knows nothing of MongoDB", "schema.countries -> datastore.organisations"),
    ("datastore/records/groups.py", "from datastore.client import Database",
     "The records stand alone", "datastore.records.groups -> datastore.client"),
    ("datastore/records/groups.py", "from datastore import text",  # no pymongo in it: a datastore module all the same
     "The records stand alone", "datastore.records.groups -> datastore.text"),
    ("datastore/records/groups.py", "import pymongo", "The records stand alone", "datastore.records.groups -> pymongo"),
    ("resolvers/people.py", "from schema import enums", "Layers", "resolvers.people -> schema.enums"),
    ("datastore/people.py", "from resolvers import privacy", "Layers", "datastore.people -> resolvers.privacy"),
    ("schema/enums.py", "from memberdir import settings", "Layers", "schema.enums -> memberdir.settings"),
    ("datastore/people.py", "import strawberry", "The datastore knows nothing of GraphQL", "datastore.people -> strawberry"),
    ("resolvers/people.py", "import starlette", "Resolvers know no HTTP", "resolvers.people -> starlette"),
    ("resolvers/people.py", "from graphql import GraphQLError", "Resolvers know no HTTP", "resolvers.people -> graphql"),
    ("datastore/people.py", "from datastore.engines.secantusdb import SecantusDB",
     "Engine strategies stay behind datastore.engines", "datastore.people -> datastore.engines.secantusdb"),
]


@pytest.mark.parametrize(("module", "line", "contract", "named"), BREAKS, ids=[b[3] for b in BREAKS])
def test_a_forbidden_import_breaks_its_contract_and_is_named(tmp_path, module, line, contract, named):
    project = _copy(tmp_path)
    _add_line(project / module, line)
    result = _lint(project)
    assert result.returncode != 0, result.stdout
    broken = result.stdout[result.stdout.index("Broken contracts"):]
    assert contract in broken, result.stdout
    assert named in broken, result.stdout


def test_a_new_datastore_module_is_forbidden_to_the_schema_and_the_records_without_being_listed(tmp_path):
    """The contracts name datastore.records as the exception, not the query modules as
    the rule, so a datastore module added tomorrow is forbidden today."""
    project = _copy(tmp_path)
    (project / "datastore" / "tomorrows_queries.py").write_text("import pymongo\n")
    _add_line(project / "schema" / "people.py", "from datastore import tomorrows_queries")
    _add_line(project / "datastore" / "records" / "people.py", "from datastore import tomorrows_queries")
    result = _lint(project)
    assert result.returncode != 0, result.stdout
    assert "schema.people -> datastore.tomorrows_queries" in result.stdout
    assert "datastore.records.people -> datastore.tomorrows_queries" in result.stdout


def test_the_schema_may_import_the_records_in_any_form(tmp_path):
    """The package itself, from the schema's package itself: the exception is the whole of datastore.records."""
    project = _copy(tmp_path)
    _add_line(project / "schema" / "enums.py", "import datastore.records")
    _add_line(project / "schema" / "__init__.py", "from datastore.records import vocabulary as _vocabulary")
    result = _lint(project)
    assert result.returncode == 0, result.stdout + result.stderr
