"""The embedded database: FerretDB with its SQLite backend, as a child process.

Used when MONGODB_URI is unset (development, tests). It listens on a free
loopback port only, never reports telemetry, keeps its files in a folder of
ours, and dies with us.
"""

import ctypes
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

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self, timeout: float = 30.0) -> str:
        if not self.binary.is_file():
            raise FerretDBError(f"FerretDB is not built at {self.binary}; run `make setup` first")
        sqlite_dir = self.data_dir / "sqlite"
        state_dir = self.data_dir / "state"
        for folder in (sqlite_dir, state_dir):
            folder.mkdir(parents=True, exist_ok=True)
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
        return self.uri

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise FerretDBError(
                    f"FerretDB exited with code {self._process.returncode}; see {self.data_dir / 'ferretdb.log'}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise FerretDBError(f"FerretDB did not listen on 127.0.0.1:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> "EmbeddedFerretDB":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
