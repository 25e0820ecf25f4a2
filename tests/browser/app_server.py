"""The app under uvicorn in its own process, on 127.0.0.1 and a free port."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


from datastore.client import Database
from memberdir.embedded.ferretdb import EmbeddedFerretDB
from tests.served import free_port, until_stopped



@contextmanager
def serving_app(ferretdb: EmbeddedFerretDB, database: Database, oidc=None, **settings: str) -> Iterator[str]:
    """uvicorn serving the app over `database`, with extra MEMBERDIR_* settings; yields its base URL.

    `oidc`: the test OpenID Connect provider (the `oidc_provider` fixture, tests/oidc_provider.py)
    the app signs people in with: /auth/login then goes to its login page."""
    port = free_port()
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
    with until_stopped(process, base, 60, "the app under uvicorn"):
        yield base
