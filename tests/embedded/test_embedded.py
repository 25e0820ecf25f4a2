"""The embedded engine: one server per data folder, shared by later processes."""

import subprocess
import sys

import pytest
from pymongo import MongoClient

from memberdir.embedded.server import EngineError

pytestmark = pytest.mark.database  # run on every engine (make test)


def _another(engine, folder):
    """A second handle on the session's kind of engine, on another folder."""
    return type(engine)(engine.binary, folder)


def test_a_second_start_on_the_same_folder_joins_the_running_server(engine, tmp_path):
    with _another(engine, tmp_path) as first:
        second = _another(engine, tmp_path)
        assert second.start() == first.uri
        assert first.owner and not second.owner
        with MongoClient(first.uri) as client:
            client.shared.things.insert_one({"_id": "made by the first"})
        with MongoClient(second.uri) as client:  # the same server, so the same catalogue
            assert client.shared.list_collection_names() == ["things"]
        second.stop()  # a joiner leaves the server running
        with MongoClient(first.uri, serverSelectionTimeoutMS=2000) as client:
            assert client.admin.command("ping")["ok"] == 1
    assert not (tmp_path / f"{engine.name}.port").exists()


def test_a_new_owner_starts_afresh_after_the_last_one_stopped(engine, tmp_path):
    with _another(engine, tmp_path) as first:
        with MongoClient(first.uri) as client:
            client.kept.things.insert_one({"_id": "kept on disk"})
    with _another(engine, tmp_path) as again:
        assert again.owner
        assert (tmp_path / f"{engine.name}.port").read_text() == str(again.port)
        with MongoClient(again.uri) as client:
            assert client.kept.things.find_one() == {"_id": "kept on disk"}


def test_a_lock_left_by_a_killed_process_is_free_again(engine, tmp_path):
    # A process that takes the lock and is killed: the operating system drops the lock.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
         str(tmp_path / f"{engine.name}.lock")],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    joiner = _another(engine, tmp_path)
    with pytest.raises(EngineError, match="did not answer"):
        joiner.start(timeout=1)  # held, but nobody serves: a clear error, not a hang
    holder.kill()
    holder.wait()
    with _another(engine, tmp_path) as server:
        assert server.owner


def test_a_killed_server_restarts_on_its_port_with_its_data(engine, tmp_path):
    with _another(engine, tmp_path) as server:
        with MongoClient(server.uri) as client:
            client.kept.things.insert_one({"_id": "written before the kill"})
        port = server.port
        subprocess.run(["kill", "-9", str(server.pid)], check=True)
        server.restart()
        assert server.port == port and not server.exited
        with MongoClient(server.uri, serverSelectionTimeoutMS=5000) as client:
            assert client.kept.things.find_one() == {"_id": "written before the kill"}
