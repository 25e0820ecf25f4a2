"""A full disk under a running server: noticed, answered clearly, recovered by itself.

`memberdir serve` runs the embedded engine with its data folder on a small
filesystem the test makes (a tmpfs with a size limit). A staff client makes
acknowledged changes; then the filesystem is filled to the last byte. The
engine's writes fail (it may answer with errors, panic, or die): /readyz must
say 503 naming why, a mutation must get DATABASE_UNAVAILABLE (never
"Unexpected error."); once the filler is deleted, serving must resume by
itself (the supervisor restarts the wedged engine and probes until it writes)
within a bounded wait, and every change acknowledged at any point must be in
the data with its audit entry.

Where mounting is refused the tmpfs case skips with a line saying so, except
under CI=true: there it limits the engine's file size instead (`prlimit
--fsize` on the engine and on `serve`, whose restarts inherit it), as the
`fsize` case always does. Every wait is bounded; the test ends within a minute
or two.
"""

import errno
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient, WriteConcern
from pymongo.errors import PyMongoError

from datastore import demo
from datastore.health import HEALTH_COLLECTION
from memberdir.settings import Settings
from tests.waiting import poll

UPDATE = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { version city } userErrors { code message } } }"""
READ = 'query($id: ID!) { organisation(id: $id) { version city } }'
# Changes acknowledged before the disk fills.
BEFORE = 5
# Bounds on every wait (seconds): to start, to notice the fault, to recover.
START_WITHIN = 90
NOTICE_WITHIN = 60
RECOVER_WITHIN = 60
# The small filesystem: the demo directory and the engine's write-ahead log fit with room to spare.
TMPFS_SIZE = "256m"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


@dataclass
class Fault:
    """Makes the engine's file writes fail, then lets them succeed again."""

    kind: str  # "tmpfs": the filesystem is full; "fsize": a file-size limit (RLIMIT_FSIZE)
    mount: Path | None = None
    filler: Path | None = None
    serve_pid: int = 0

    def fill(self, serve_pid: int) -> None:
        if self.kind == "tmpfs":
            assert self.mount is not None
            self.filler = self.mount / "filler"
            with self.filler.open("wb", buffering=0) as out:
                for chunk in (1 << 20, 1 << 12, 1):  # to the last byte
                    try:
                        while True:
                            out.write(b"\xff" * chunk)
                    except OSError as error:
                        assert error.errno == errno.ENOSPC, error
            return
        # The engine (and `serve`, so a restarted engine inherits it) may write no
        # file past 64 KiB: every write to the engine's larger files fails.
        self.serve_pid = serve_pid
        self._limit("65536:", check=True)  # the soft limit only: raising a hard one needs a capability

    def free(self) -> None:
        if self.filler is not None:
            self.filler.unlink()
        if self.serve_pid:
            self._limit("unlimited:", check=False)  # an engine may die meanwhile: it is restarted unlimited

    def _limit(self, size: str, check: bool) -> None:
        for pid in (self.serve_pid, *_children(self.serve_pid)):  # `serve` first: later engines inherit
            subprocess.run(["prlimit", f"--pid={pid}", f"--fsize={size}"], check=check, timeout=10)


def _mount_tmpfs(where: Path) -> str | None:
    """Mount a small tmpfs at `where`; None, or why it could not be done."""
    where.mkdir(parents=True)
    try:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(where)],
                              capture_output=True, text=True, timeout=30)
    except OSError as error:
        return str(error)
    return None if made.returncode == 0 else (made.stderr.strip() or f"mount exited with {made.returncode}")


@pytest.fixture(params=["tmpfs", "fsize"])
def fault(request, tmp_path):
    if request.param == "fsize":
        yield Fault("fsize"), tmp_path / "var"
        return
    mount = tmp_path / "small"
    refused = _mount_tmpfs(mount)
    if refused is None:
        try:
            yield Fault("tmpfs", mount=mount), mount / "var"
        finally:
            subprocess.run(["umount", "--lazy", str(mount)], timeout=30)
        return
    if os.environ.get("CI") == "true":  # never skipped under CI: the file-size limit instead
        yield Fault("fsize"), tmp_path / "var"
        return
    pytest.skip(f"mounting a small tmpfs is not permitted here ({refused}); "
                "the fsize case limits the engine's file size instead")


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=10)
    except httpx.TransportError:
        return None



@dataclass
class Writer:
    """One staff client changing one organisation's city, noting every acknowledged change."""

    client: httpx.Client
    organisation: str
    acknowledged: dict[int, str] = field(default_factory=dict)  # version -> city
    refusals: list[dict] = field(default_factory=list)
    sent: int = 0
    version: int | None = None  # the record's, as last read or acknowledged

    def write(self) -> dict:
        """One change; its answer: acknowledged, or refused with the database unavailable."""
        if self.version is None:  # first, or after a refusal (recovery may have completed it)
            read = self.client.post("/graphql", json={"query": READ, "variables": {"id": self.organisation}}).json()
            self.version = ((read.get("data") or {}).get("organisation") or {}).get("version", self.version)
        self.sent += 1
        city = f"city {self.sent}"
        answer = self.client.post("/graphql", json={"query": UPDATE, "variables": {"input": {
            "id": self.organisation, "expectedVersion": self.version or 1, "patch": {"city": city},
            "clientMutationId": f"disk-{self.sent}",
        }}})
        body = answer.json()
        payload = (body.get("data") or {}).get("updateOrganisation")
        if payload and not payload["userErrors"]:
            assert payload["organisation"]["city"] == city
            self.version = payload["organisation"]["version"]
            self.acknowledged[self.version] = city
            return body
        self.refusals.append(body)
        self.version = None
        return body


def _engine_uri(data_dir: Path) -> str:
    port = (data_dir / "secantusdb-rs" / "secantusdb-rs.port").read_text().strip()
    return f"mongodb://127.0.0.1:{port}/?directConnection=true"


def _exhaust(data_dir: Path) -> None:
    """Other writes, straight to the engine, until they fail, in ever smaller pieces:
    with the disk full, the engine still writes into the room its write-ahead log
    file was given ahead (16 MB), which a few mutations would take minutes to use
    up. (It refuses a write that does not fit with ENOSPC, and panics once its
    cache can no longer be written out.)"""
    with MongoClient(_engine_uri(data_dir), serverSelectionTimeoutMS=5000, timeoutMS=10_000) as client:
        scratch = client.disk_test_ballast.get_collection("ballast", write_concern=WriteConcern(j=True))
        for size in (256 << 10, 16 << 10, 1 << 10):
            for _ in range((64 << 20) // size):  # 64 MB at most of each size
                try:
                    scratch.insert_one({"ballast": b"\xff" * size})
                except PyMongoError:
                    break
            else:
                raise AssertionError(f"the engine went on writing 64 MB on a full disk, in pieces of {size} bytes")


def _unavailable(body: dict) -> bool:
    """The clear refusal: DATABASE_UNAVAILABLE, as a GraphQL error or a userError."""
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or ()]
    payload = (body.get("data") or {}).get("updateOrganisation") or {}
    codes += [e.get("code") for e in payload.get("userErrors") or ()]
    return "DATABASE_UNAVAILABLE" in codes


def test_a_full_disk_is_noticed_answered_clearly_and_recovered_by_itself(fault):
    fault, data_dir = fault
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ, "MEMBERDIR_DATA_DIR": str(data_dir), "MEMBERDIR_ENGINE": "secantusdb-rs",
        "MEMBERDIR_HEALTH_PROBE_SECONDS": "1", "MEMBERDIR_HEALTH_PROBE_TIMEOUT_SECONDS": "3",
        "MEMBERDIR_WRITE_LEASE_SECONDS": "2",
    }
    environment.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "memberdir", "serve", "--port", str(port)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 200, START_WITHIN, "readiness")
        made = subprocess.run([sys.executable, "-m", "memberdir", "keys", "create", "--name", "disk test",
                               "--role", "staff"], env=environment, check=True, capture_output=True, text=True,
                              timeout=60)
        headers = {"X-API-Key": made.stdout.strip().splitlines()[-1]}
        organisation = demo.generate(1).organisations[0].id
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            writer = Writer(client, organisation)
            for _ in range(BEFORE):
                writer.write()
            assert len(writer.acknowledged) == BEFORE, writer.refusals

            fault.fill(process.pid)
            _exhaust(data_dir)

            # Writes go on until one is refused; each is acknowledged or refused clearly.
            def refused_clearly():
                body = writer.write()
                assert "Unexpected error" not in str(body), body
                return _unavailable(body) or None

            poll(refused_clearly, NOTICE_WITHIN, "DATABASE_UNAVAILABLE answer to a mutation")
            assert all(_unavailable(body) for body in writer.refusals), writer.refusals
            unready = poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 503 and r,
                            NOTICE_WITHIN, "503 from /readyz")
            assert unready.json()["database"] in {"cannot write", "restarting"}, unready.json()
            assert unready.json()["reason"], unready.json()
            # While the fault lasts, every change is refused clearly, none acknowledged falsely.
            refused_while_full = len(writer.refusals)
            body = writer.write()
            assert _unavailable(body), body

            fault.free()

            poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 200, RECOVER_WITHIN, "recovery")
            # A change cut off by the fault may be completed by recovery meanwhile:
            # then the next one meets STALE_VERSION once, reads again and goes through.
            acknowledged_before = len(writer.acknowledged)
            for _ in range(3):
                body = writer.write()
                if len(writer.acknowledged) > acknowledged_before:
                    break
                payload = (body.get("data") or {}).get("updateOrganisation") or {}
                codes = [e["code"] for e in payload.get("userErrors") or ()]
                assert codes == ["STALE_VERSION"], body
            assert len(writer.acknowledged) == acknowledged_before + 1, writer.refusals[refused_while_full:]
            current = client.post("/graphql", json={"query": READ, "variables": {"id": organisation}}).json()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate(timeout=10)
        print(output)  # shown when the test fails
    # Every acknowledged change is kept, each with its audit entry, the latest one served.
    record = current["data"]["organisation"]
    assert record["version"] == max(writer.acknowledged)
    assert record["city"] == writer.acknowledged[record["version"]]
    _check_audit_log(data_dir, organisation, writer.acknowledged)
    assert "cannot write" in output or "stopped unexpectedly" in output, output
    assert "Traceback" not in output, output


def _check_audit_log(data_dir: Path, organisation: str, acknowledged: dict[int, str]) -> None:
    """Read the stopped server's data with the engine started again on its folder."""
    from memberdir.database import settings_engine

    with settings_engine(Settings(data_dir=data_dir, engine="secantusdb-rs")) as engine:
        with MongoClient(engine.uri, serverSelectionTimeoutMS=10_000) as client:
            database = client[Settings().database]
            for version, city in acknowledged.items():
                entry = database.changes.find_one({"_id": f"{organisation}@{version}"})
                assert entry is not None and entry["state"] == "applied", (version, entry)
                assert {"field": "city", "after": city} in [
                    {"field": f["field"], "after": f["after"]} for f in entry["fields"]
                ], entry
            assert HEALTH_COLLECTION in database.list_collection_names()
