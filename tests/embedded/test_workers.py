"""`memberdir serve --workers N`: N processes share the port, each with its own
client pool, over one embedded engine that the parent process runs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.embedded.test_supervision import _get
from tests.served import free_port
from tests.waiting import poll


def _children(parent: int) -> dict[int, str]:
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            if f"\nPPid:\t{parent}\n" in text:
                found[int(status.parent.name)] = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    return found


def test_two_workers_share_the_port_and_one_engine(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MEMBERDIR_DATA_DIR": str(tmp_path / "var")}
    env.pop("MONGODB_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "memberdir", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        poll(lambda: (r := _get(f"{base}/readyz")) and r.status_code == 200, 180, "readiness")
        # Both workers up (uvicorn starts them one after the other).
        deadline = time.monotonic() + 120
        children = _children(process.pid)
        while sum("multiprocessing.spawn" in c for c in children.values()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            children = _children(process.pid)
        workers = [pid for pid, command in children.items() if "multiprocessing.spawn" in command]
        engines = [pid for pid, command in children.items() if "ferretdb" in command or "secantusd" in command]
        assert len(workers) == 2 and len(engines) == 1, children
        answers = [
            httpx.post(f"{base}/graphql", json={"query": "{ organisations(first: 1) { totalCount } }"}, timeout=30).json()
            for _ in range(6)
        ]
        assert all(a["data"]["organisations"]["totalCount"] > 0 for a in answers)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert output.count("Application startup complete.") == 2, output
    assert "Traceback" not in output, output
