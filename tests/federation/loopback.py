"""Servers for the end-to-end tests, each on 127.0.0.1 and a port the OS picks.

The directory and the events subgraph run with uvicorn inside the test's event
loop (so the directory can use the session's database client and its command
recorder); Apollo Gateway runs as a Node.js process. Every wait is bounded.
"""

import asyncio
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from memberdir.supergraph import NODE_PROJECT
from tests.edge_helpers import live_server

GATEWAY_SCRIPT = NODE_PROJECT / "gateway.mjs"
READY = re.compile(r"gateway ready at (http://127\.0\.0\.1:\d+/)")


@asynccontextmanager
async def serve_asgi(app, seconds: float = 10) -> AsyncIterator[str]:
    """Serve an ASGI app; yields its /graphql URL. No lifespan: the apps served
    here own nothing (the directory is handed the test's database)."""
    async with live_server(app, seconds) as base:
        yield f"{base}/graphql"


class EntityRequests:
    """Wraps an ASGI app and keeps how many representations each `_entities` request carried."""

    def __init__(self, app):
        self.app = app
        self.sizes: list[int] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            representations = (json.loads(body).get("variables") or {}).get("representations")
        except (ValueError, AttributeError):
            representations = None
        if representations is not None:
            self.sizes.append(len(representations))
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Gateway:
    def __init__(self, url: str):
        self.url = url
        self.client = httpx.AsyncClient(timeout=60)

    async def post(self, query: str, headers: dict[str, str] | None = None, **variables) -> dict:
        body = {"query": query, "variables": variables}
        response = await self.client.post(self.url, json=body, headers=headers)
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def data(self, query: str, **variables) -> dict:
        answer = await self.post(query, **variables)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


@asynccontextmanager
async def apollo_gateway(supergraph: Path, log: Path, seconds: float = 60) -> AsyncIterator[Gateway]:
    """Apollo Gateway over a supergraph file; its stderr goes to `log`."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the gateway tests"
    # Nothing may phone home: no Apollo key, and the gateway's telemetry off.
    env = {k: v for k, v in os.environ.items() if not k.startswith("APOLLO_")}
    env["APOLLO_TELEMETRY_DISABLED"] = "true"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            node, str(GATEWAY_SCRIPT), str(supergraph), "0",
            stdout=asyncio.subprocess.PIPE, stderr=stderr, env=env, cwd=NODE_PROJECT,
        )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), seconds)
        ready = READY.search(line.decode())
        assert ready, f"the gateway did not start: {line!r}\n{log.read_text()}"
        gateway = Gateway(ready.group(1))
        yield gateway
        await gateway.client.aclose()
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
