"""The app under uvicorn in its own process, on 127.0.0.1 and a free port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from datastore.client import Database
from memberdir.embedded.ferretdb import EmbeddedFerretDB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving_app(ferretdb: EmbeddedFerretDB, database: Database, oidc=None, **settings: str) -> Iterator[str]:
    """uvicorn serving the app over `database`, with extra MEMBERDIR_* settings; yields its base URL.

    `oidc`: the test OpenID Connect provider (the `oidc_provider` fixture, tests/oidc_provider.py)
    the app signs people in with: /auth/login then goes to its login page."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    if oidc is not None:
        settings = {**oidc.app_settings(base), **settings}
    env = {**os.environ, "MONGODB_URI": ferretdb.uri, "MEMBERDIR_DATABASE": database.name}
    env |= {f"MEMBERDIR_{name.upper()}": value for name, value in settings.items()}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "memberdir.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else "uvicorn exited"
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the app did not become ready within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
