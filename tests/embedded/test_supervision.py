"""`memberdir serve` over the embedded engine survives the engine's death:
meanwhile /readyz says 503 and GraphQL a clear DATABASE_UNAVAILABLE error,
then the engine is restarted and everything answers again by itself."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.served import free_port
from tests.waiting import poll

pytestmark = pytest.mark.database  # run on every engine (make test)

QUERY = {"query": "{ organisations(first: 1) { totalCount } }"}


def _engine_child(parent: int) -> int:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in text:
            return int(status.parent.name)
    raise AssertionError("serve runs no engine")



def _get(url: str) -> httpx.Response | None:
    # Short: a /readyz sent before the supervisor noticed waits on the dead
    # socket, and a long wait could outlast the whole restart window.
    try:
        return httpx.get(url, timeout=0.5)
    except httpx.TransportError:
        return None


def test_serve_restarts_a_killed_engine_and_answers_clearly_meanwhile(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MEMBERDIR_DATA_DIR": str(tmp_path / "var")}
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "memberdir", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 200, 120, "readiness")
        before = httpx.post(f"{base}/graphql", json=QUERY, timeout=30).json()["data"]

        os.kill(_engine_child(process.pid), signal.SIGKILL)

        # The supervisor noticed (a failed ping alone would say "not answering").
        poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 503 and r.json()["database"] == "restarting",
              10, "503 from /readyz")
        refused = httpx.post(f"{base}/graphql", json=QUERY, timeout=30)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"].startswith("application/json")
        assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["DATABASE_UNAVAILABLE"]

        poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 200, 60, "recovery")
        after = httpx.post(f"{base}/graphql", json=QUERY, timeout=30).json()
        assert after["data"] == before  # the same data, kept on disk
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert "stopped unexpectedly; restarting it" in output, output
    assert "Traceback" not in output, output


async def test_a_query_that_meets_a_dead_database_gets_the_same_clear_error():
    """The engine dies mid-request (or MONGODB_URI stops answering): not a 500, not "Unexpected error"."""
    from httpx import ASGITransport, AsyncClient

    from datastore.client import connect
    from memberdir.app import create_app
    from memberdir.settings import Settings

    nobody = connect(f"mongodb://127.0.0.1:{free_port()}/?directConnection=true", "gone", timeout_ms=300)
    app = create_app(Settings(environment="production"), database=nobody)
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t") as client:
        response = await client.post("/graphql", json=QUERY)
    await nobody.close()
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["DATABASE_UNAVAILABLE"]
    assert "unavailable" in errors[0]["message"]


async def test_with_mongodb_uri_a_database_that_cannot_write_is_reported_never_restarted(engine, tmp_path):
    """MONGODB_URI: the server is someone else's. One that stops acknowledging writes
    (here: stopped with SIGSTOP) makes /readyz say 503 and why, and GraphQL answer
    DATABASE_UNAVAILABLE; nothing is restarted, and serving resumes by itself once
    it writes again."""
    from httpx import ASGITransport, AsyncClient

    from memberdir.app import create_app
    from memberdir.settings import Settings

    server = type(engine)(engine.binary, tmp_path)  # a server of its own, to stop
    server.start()
    settings = Settings(mongodb_uri=server.uri, database="uri_probe",
                        health_probe_seconds=0.2, health_probe_timeout_seconds=1)
    app = create_app(settings)
    pid = server.pid
    try:
        async with app.router.lifespan_context(app), AsyncClient(
            transport=ASGITransport(app=app), base_url="http://t"
        ) as client:
            assert (await client.get("/readyz")).status_code == 200
            os.kill(pid, signal.SIGSTOP)
            try:
                unready = await _until(client, lambda r: r.status_code == 503, 30, "503 from /readyz")
                assert unready.json()["database"] == "cannot write", unready.json()
                assert "within 1 s" in unready.json()["reason"], unready.json()
                refused = await client.post("/graphql", json=QUERY)
                assert refused.status_code == 503
                assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["DATABASE_UNAVAILABLE"]
            finally:
                os.kill(pid, signal.SIGCONT)
            await _until(client, lambda r: r.status_code == 200, 30, "recovery")
            assert (await client.post("/graphql", json=QUERY)).status_code == 200
        assert server.pid == pid and not server.exited  # the same process: nothing was restarted
    finally:
        server.stop()


async def _until(client, check, seconds: float, what: str):
    """GET /readyz until `check` holds for its answer; bounded in time."""
    import asyncio

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = await client.get("/readyz")
        if check(response):
            return response
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {what} within {seconds}s")
