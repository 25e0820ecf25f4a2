"""A small HTTP/1.1 load client on asyncio streams, for answers too fast for httpx.

httpx spends about a millisecond of CPU per request, on the two cores the
servers share: at a thousand requests a second the client would be measuring
itself. This one writes prepared request bytes on keep-alive connections and
reads answers by Content-Length (the servers send no chunked answers to these
requests), about 30 µs a request. Used by bench.cached.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Run:
    timings_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    answers: list[Answer] = field(default_factory=list)  # when kept

    @property
    def p50(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def per_second(self) -> float:
        return len(self.timings_ms) / self.seconds


def request_bytes(method: str, target: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Accept-Encoding: identity"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return Answer(status, headers, body)


async def hammer(port: int, request: bytes, requests: int, clients: int, keep: bool = False) -> Run:
    """Send `request` `requests` times over `clients` keep-alive connections."""
    run = Run()
    left = requests

    async def client() -> None:
        nonlocal left
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while left > 0:
                left -= 1
                started = time.perf_counter()
                writer.write(request)
                answer = await _read_answer(reader)
                run.timings_ms.append((time.perf_counter() - started) * 1000)
                run.statuses[answer.status] = run.statuses.get(answer.status, 0) + 1
                if keep:
                    run.answers.append(answer)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    run.seconds = time.perf_counter() - started
    return run


async def one(port: int, request: bytes) -> Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await _read_answer(reader)
    finally:
        writer.close()
