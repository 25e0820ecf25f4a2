"""A real uvicorn on 127.0.0.1 for the HTTP edge tests, recording which connection served each request."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn


@dataclass
class Connections:
    """Wraps an ASGI app; keeps the client address (host, port) of every request it served."""

    app: object
    clients: list[tuple[str, int]] = field(default_factory=list)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.clients.append(tuple(scope["client"]))
        await self.app(scope, receive, send)


@asynccontextmanager
async def live_server(app, seconds: float = 10) -> AsyncIterator[str]:
    """Serves `app` with uvicorn (no lifespan: the app is handed its database); yields the base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(seconds):
            while not server.started:
                assert not task.done(), "the server stopped while starting"
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, seconds)
        except TimeoutError:
            pass
        sock.close()
