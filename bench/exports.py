"""Server memory while exporting: the peak RSS growth of `memberdir serve` per export.

    .venv/bin/python -m bench.exports [--scale 10] [--timeout 300]

Starts a throwaway FerretDB (loopback, free port, telemetry off), seeds it with
`memberdir seed --scale N`, serves it with `memberdir serve` on a free
loopback port, creates a staff key, and downloads each export once. Around
each download it resets the server's peak RSS and reads it back (Linux:
/proc/PID/clear_refs and VmHWM), so the figure is what that export alone
added. Flat memory means the growth stays about the same from a few thousand
rows to tens of thousands. Every download has a time limit.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.arguments import add_whole_number
from memberdir.embedded.ferretdb import EmbeddedFerretDB
from memberdir.settings import Settings

MEMBERDIR = str(Path(sys.executable).with_name("memberdir"))
# Small to large. Rosters, contacts and people are kept to one group or one
# continent to bound the run: on the embedded engine (FerretDB 1.24, SQLite)
# each chunk's related reads scan a collection and compare every document with
# every id asked for, so they cost seconds per chunk of 1000 rows at this scale.
EXPORTS = [
    "/export/stats.csv?by=COUNTRY&thenBy=SECTOR",
    "/export/roster/phenopackets-task-team.csv",
    "/export/contacts.csv?continents=OCEANIA",
    "/export/organisations.csv",
    "/export/organisations.xlsx",
    "/export/people.ndjson?continents=EUROPE",
    "/export/people.xlsx?continents=EUROPE",
]
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # 5: reset the peak RSS to the current RSS


def _run(arguments: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run([MEMBERDIR, *arguments], env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"memberdir {' '.join(arguments)} failed: {done.stderr}")
    return done.stdout


def _wait_ready(base: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become ready")


def _download(client: httpx.Client, url: str, pid: int, limit: float) -> tuple[int, int, float, int, int]:
    """(rows charged, bytes, seconds, peak growth KiB, RSS before KiB)."""
    before = _memory_kib(pid, "VmRSS")
    _reset_peak(pid)
    started = time.perf_counter()
    size = 0
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.read()[:300]!r}")
        for piece in response.iter_bytes():
            size += len(piece)
            if time.perf_counter() - started > limit:
                raise SystemExit(f"{url}: still downloading after {limit:g} s; stopped")
        charged = int(response.headers.get("x-export-cost", 0))
    seconds = time.perf_counter() - started
    return charged, size, seconds, _memory_kib(pid, "VmHWM") - before, before


def main(scale: int, timeout: float) -> None:
    if not Path("/proc/self/clear_refs").exists():
        raise SystemExit("This benchmark reads the server's memory from Linux's /proc.")
    with tempfile.TemporaryDirectory(prefix="memberdir-bench-") as folder:
        with EmbeddedFerretDB(Settings().ferretdb_binary, Path(folder)) as ferretdb:
            env = {**os.environ, "MONGODB_URI": ferretdb.uri, "MEMBERDIR_DATABASE": "bench"}
            started = time.perf_counter()
            print(_run(["seed", "--scale", str(scale)], env, timeout=900).strip(), f"in {time.perf_counter() - started:.0f} s")
            key = _run(["keys", "create", "--name", "bench exports", "--role", "staff"], env, timeout=60).splitlines()[-1]
            port = _free_port()
            server = subprocess.Popen(
                [MEMBERDIR, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_ready(base, server, timeout=60)
                headers = {"X-API-Key": key}
                with httpx.Client(base_url=base, headers=headers, timeout=httpx.Timeout(timeout)) as client:
                    for warm_up in ("/export/stats.csv?by=KIND", "/export/organisations.xlsx?countries=FR", "/export/people.ndjson?countries=FR"):
                        _download(client, warm_up, server.pid, timeout)
                    print(f"server RSS after warm-up: {_memory_kib(server.pid, 'VmRSS') / 1024:.1f} MiB")
                    print(f"{'export':<45} {'charged':>8} {'MiB':>7} {'s':>6} {'peak growth MiB':>16}")
                    for url in EXPORTS:
                        rows, size, seconds, growth, _ = _download(client, url, server.pid, timeout)
                        print(f"{url:<45} {rows:>8} {size / MIB:>7.1f} {seconds:>6.1f} {growth / 1024:>16.1f}")
                    print(f"server RSS at the end: {_memory_kib(server.pid, 'VmRSS') / 1024:.1f} MiB")
            finally:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--scale", 1, 20, default=10)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed for each download")
    arguments = parser.parse_args()
    main(arguments.scale, arguments.timeout)
