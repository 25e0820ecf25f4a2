"""`memberdir dump` writes the directory in the import format; `memberdir
restore` brings it back, record for record (a backup, or a move between engines)."""

import json
from pathlib import Path

from pymongo import MongoClient
from typer.testing import CliRunner

from datastore.dataset import COLLECTIONS
from memberdir.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _env(engine, name: str) -> dict[str, str]:
    return {"MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": name}


# When a record was written, and by which change: the restore writes it anew (through the import's write path).
WRITTEN_AT = {"updated_at": False, "updated_key": False, "written_by": False}


def _everything(engine, name: str) -> dict[str, list[dict]]:
    with MongoClient(engine.uri) as client:
        return {c: list(client[name][c].find({}, WRITTEN_AT, sort=[("_id", 1)])) for c in COLLECTIONS}


def _drop(engine, *names: str) -> None:
    with MongoClient(engine.uri) as client:
        for name in names:
            client.drop_database(name)


def test_dump_then_restore_gives_back_the_same_records(engine, tmp_path):
    _drop(engine, "test_dump_from", "test_dump_to")
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=_env(engine, "test_dump_from")).exit_code == 0
    dumped = tmp_path / "directory.ndjson"
    result = runner.invoke(app, ["dump", str(dumped)], env=_env(engine, "test_dump_from"))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in dumped.read_text().splitlines()]
    assert {line["type"] for line in lines} == {"organisation", "group", "person", "contact", "roster"}

    result = runner.invoke(app, ["restore", str(dumped)], env=_env(engine, "test_dump_to"))
    assert result.exit_code == 0, result.output
    original, restored = _everything(engine, "test_dump_from"), _everything(engine, "test_dump_to")
    assert {c: len(d) for c, d in restored.items()} == {c: len(d) for c, d in original.items()}
    assert restored == original

    # A second dump of the restored directory is the same file.
    again = tmp_path / "again.ndjson"
    assert runner.invoke(app, ["dump", str(again)], env=_env(engine, "test_dump_to")).exit_code == 0
    assert again.read_text() == dumped.read_text()
    _drop(engine, "test_dump_from", "test_dump_to")


def test_restore_refuses_a_directory_that_holds_records(engine, tmp_path):
    _drop(engine, "test_restore_full")
    env = _env(engine, "test_restore_full")
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=env).exit_code == 0
    dumped = tmp_path / "dump.ndjson"
    assert runner.invoke(app, ["dump", str(dumped)], env=env).exit_code == 0
    result = runner.invoke(app, ["restore", str(dumped)], env=env)
    assert result.exit_code == 1
    assert "already holds records" in result.output
    _drop(engine, "test_restore_full")
