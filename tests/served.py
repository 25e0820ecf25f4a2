"""A server process the tests start on 127.0.0.1: a free port, waiting for /readyz, stopping it."""

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.waiting import poll


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def until_stopped(process: subprocess.Popen, base: str, within: float, what: str) -> Iterator[str]:
    """Waits (at most `within` seconds) for `process` to answer /readyz at `base`, yields `base`,
    and stops the process on the way out; its output is the failure message if it exits early."""

    def ready() -> bool:
        assert process.poll() is None, process.stdout.read() if process.stdout else f"{what} exited"
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        poll(ready, within, f"readiness of {what}", every=0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
