"""The embedded database: FerretDB with its SQLite backend, as a child process.

Used when MONGODB_URI is unset (development, tests). It listens on a free
loopback port only, never reports telemetry, keeps its files in a folder of
ours, and dies with us.

One server per data folder: FerretDB keeps its own catalogue of the SQLite
files in memory, so a second server on the same folder would not see
collections the first one creates. The process that starts the server holds
an exclusive lock on `ferretdb.lock` and writes the port to `ferretdb.port`;
a later process (say `memberdir keys create` while `memberdir serve` runs)
finds the lock taken and connects to that server instead. The operating
system drops the lock when its holder dies, however it dies.
"""

import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

FERRETDB_VERSION = "v1.24.2"


class FerretDBError(RuntimeError):
    pass


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def embedded_answers(data_dir: Path) -> bool:
    """Whether the embedded FerretDB of this folder (ours or another process's) answers."""
    port_file = data_dir / "ferretdb.port"
    text = port_file.read_text().strip() if port_file.is_file() else ""
    return text.isdigit() and _answers(int(text))


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to stop us if our parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedFerretDB:
    def __init__(self, binary: Path, data_dir: Path):
        self.binary = binary
        self.data_dir = data_dir
        self.port = 0
        self._process: subprocess.Popen | None = None
        self._lock: int | None = None  # file descriptor, held while we own the server

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def owner(self) -> bool:
        """Whether this process started the server (and so stops it)."""
        return self._process is not None

    @property
    def _port_file(self) -> Path:
        return self.data_dir / "ferretdb.port"

    def start(self, timeout: float = 30.0) -> str:
        """Start the server, or join the one another process runs on this folder."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.data_dir / "ferretdb.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            self._join_running(timeout)
            return self.uri
        self._lock = lock
        try:
            self._launch(timeout)
        except BaseException:
            self._release()
            raise
        self._port_file.write_text(str(self.port))
        return self.uri

    def _join_running(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self._port_file.read_text().strip() if self._port_file.is_file() else ""
            if text.isdigit() and _answers(int(text)):
                self.port = int(text)
                return
            time.sleep(0.1)  # its owner is still starting it
        raise FerretDBError(f"another process holds {self.data_dir} but its FerretDB did not answer")

    def _launch(self, timeout: float) -> None:
        if not self.binary.is_file():
            raise FerretDBError(f"FerretDB is not built at {self.binary}; run `make setup` first")
        sqlite_dir = self.data_dir / "sqlite"
        state_dir = self.data_dir / "state"
        for folder in (sqlite_dir, state_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._port_file.unlink(missing_ok=True)
        self.port = _free_loopback_port()
        log = (self.data_dir / "ferretdb.log").open("ab")
        self._process = subprocess.Popen(
            [
                str(self.binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{sqlite_dir}/",
                f"--state-dir={state_dir}",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--debug-addr=-",
                "--telemetry=disable",
                "--log-level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self._wait_until_listening(timeout)

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise FerretDBError(f"FerretDB exited with code {code}; see {self.data_dir / 'ferretdb.log'}")
            if _answers(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise FerretDBError(f"FerretDB did not listen on 127.0.0.1:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        """Stop the server if we started it; a process that joined leaves it running."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
            self._port_file.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing drops the lock
            self._lock = None

    def __enter__(self) -> "EmbeddedFerretDB":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
