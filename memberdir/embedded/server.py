"""An embedded MongoDB-wire server run as a child process: what every engine shares.

Used when MONGODB_URI is unset (development, tests). The server listens on a
free loopback port only, keeps its files in a folder of ours, and dies with us.
Each engine (memberdir/embedded/__init__.py lists them) says only how to start its server.

One server per data folder: an engine may keep a catalogue of its files in
memory (FerretDB does), and two servers on one folder would not see each
other's writes. The process that starts the server holds an exclusive lock on
`<engine>.lock` and writes the port to `<engine>.port`; a later process (say
`memberdir keys create` while `memberdir serve` runs) finds the lock taken and
connects to that server instead. The operating system drops the lock when its
holder dies, however it dies.
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

from datastore.engines import MongoDB, ServerTraits


class EngineError(RuntimeError):
    pass


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    """Whether something accepts connections on the loopback port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to stop us if our parent dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedEngine:
    """One engine's server on one data folder; subclasses give `name` and `command`."""

    name = "engine"
    title = "the engine"
    traits: ServerTraits = MongoDB()  # how it is read and written best (datastore.engines)

    def __init__(self, binary: Path, data_dir: Path):
        self.binary = binary
        self.data_dir = data_dir
        self.port = 0
        self._process: subprocess.Popen | None = None
        self._lock: int | None = None  # file descriptor, held while we own the server
        self._stopping = False  # stop() has begun: the server's end is no accident

    def command(self, port: int) -> list[str]:
        """The command line that serves the data folder on 127.0.0.1:`port`."""
        raise NotImplementedError

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def owner(self) -> bool:
        """Whether this process runs the server (and so stops and restarts it)."""
        return self._lock is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def exited(self) -> bool:
        """Whether the server we run has died (killed, crashed, or failed to restart)."""
        if self._stopping or not self.owner:
            return False
        return self._process is None or self._process.poll() is not None

    @property
    def _port_file(self) -> Path:
        return self.data_dir / f"{self.name}.port"

    @property
    def port_file(self) -> Path:
        """Where the process running the server on this folder publishes its port."""
        return self._port_file

    def answering(self) -> bool:
        """Whether the server of this folder (ours or another process's) answers."""
        text = self._port_file.read_text().strip() if self._port_file.is_file() else ""
        return text.isdigit() and answers(int(text))

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    def start(self, timeout: float = 30.0) -> str:
        """Start the server, or join the one another process runs on this folder."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.data_dir / f"{self.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            self._join_running(timeout)
            return self.uri
        self._lock = lock
        try:
            self._port_file.unlink(missing_ok=True)
            self._launch(free_loopback_port(), timeout)
        except BaseException:
            self._release()
            raise
        self._port_file.write_text(str(self.port))
        return self.uri

    def restart(self, timeout: float = 30.0) -> None:
        """Start our dead server again on the same port, so clients reconnect by themselves."""
        self.relaunch()
        self._wait_until_listening(timeout)

    def relaunch(self) -> None:
        """Start our dead server again on the same port without waiting for it to listen.

        Call it from the thread that lives as long as the server should: Linux
        stops the server when the thread that started it ends (PR_SET_PDEATHSIG).
        """
        if not self.owner:
            raise EngineError(f"this process does not run {self.title} in {self.data_dir}")
        if self._process is not None:
            self._process.wait()
        self._spawn(self.port)

    def halt(self, grace: float = 5.0) -> None:
        """End our server that runs but cannot serve (it cannot write, or hangs), so
        that `relaunch` can start it again: asked to stop, then killed after `grace`
        seconds. Nothing acknowledged is lost: every acknowledged write is journaled."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _join_running(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self._port_file.read_text().strip() if self._port_file.is_file() else ""
            if text.isdigit() and answers(int(text)):
                self.port = int(text)
                return
            time.sleep(0.1)  # its owner is still starting it
        raise EngineError(f"another process holds {self.data_dir} but its {self.title} did not answer")

    def _launch(self, port: int, timeout: float) -> None:
        self._spawn(port)
        self._wait_until_listening(timeout)

    def _spawn(self, port: int) -> None:
        if not self.binary.is_file():
            raise EngineError(f"{self.title} is not installed at {self.binary}; run `make {self.name}` first")
        self.port = port
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(port),
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent,
            )

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise EngineError(f"{self.title} exited with code {code}; see {self.log_file}")
            if answers(self.port):
                return
            time.sleep(0.05)
        assert self._process is not None
        self._process.kill()
        self._process.wait()
        self._process = None
        raise EngineError(f"{self.title} did not listen on 127.0.0.1:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        """Stop the server if we run it; a process that joined leaves it running."""
        self._stopping = True
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self.owner:
            self._port_file.unlink(missing_ok=True)
        self._release()
        self._stopping = False

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing drops the lock
            self._lock = None

    def __enter__(self) -> "EmbeddedEngine":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
