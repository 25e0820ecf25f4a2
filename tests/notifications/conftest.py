"""A real SMTP server on loopback (aiosmtpd) that keeps what it received.

Addresses starting with "bounce" are refused at RCPT with 550 (a bounce);
"later" ones with 451 (try again later); mail to "reject" ones is refused at
DATA with 554 (a bounce too). `hold()` makes the server keep the
next message's DATA unanswered until `release()`: a test kills a sender then,
mid-delivery, without any sleep deciding when.
"""

import asyncio
import email
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from memberdir.notifications import mail
from memberdir.notifications.loop import DeliveryConfig, Deliverer


@dataclass(frozen=True)
class Received:
    envelope_from: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def notification_id(self) -> str:
        return self.message["X-Memberdir-Notification"]

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None, f"no text/{subtype} part"
        return found.get_content()


class Handler:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._hold: threading.Event | None = None
        self.holding = threading.Event()

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def hold(self) -> None:
        """Keep the next message's DATA unanswered (and unrecorded) until release()."""
        self.holding.clear()
        self._hold = threading.Event()

    def release(self) -> None:
        if self._hold is not None:
            self._hold.set()
            self._hold = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        held = self._hold
        if held is not None:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, held.wait)
            return "451 4.3.0 held, not kept"  # the sender was killed meanwhile: this one does not count
        if any(address.startswith("reject") for address in envelope.rcpt_tos):
            return "554 5.7.1 message refused"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self._lock:
            self._received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    handler: Handler
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpServer(handler, controller.port)
    finally:
        handler.release()
        controller.stop()


async def deliver_until(db, smtp: SmtpServer, arrived: Callable[[list[Received]], bool], rounds: int = 50) -> None:
    """The outbox's delivery rounds to `smtp` until what it received satisfies `arrived`:
    counted in rounds, not time (each sends what is due, without backoff)."""
    config = DeliveryConfig(lease=timedelta(seconds=30), max_attempts=3, backoff_seconds=0, backoff_max_seconds=0,
                            interval_seconds=0.1, mail_from="Directory <staff@directory.example>")
    deliverer = Deliverer(config, mail.SmtpSender(smtp.url, 10))
    for _ in range(rounds):
        if arrived(smtp.received):
            return
        await deliverer.round(db)
