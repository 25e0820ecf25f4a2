"""The delivery loop that `serve` runs: the outbox read every interval, each due
notification's next attempt claimed (datastore.outbox.claim: a unique insert,
one winner), made, and recorded by its claimant.

- At least once: an attempt is recorded only after the send returned, so a
  sender killed in between leaves a claim whose lease runs out, and the next
  process to look makes the attempt again.
- Never twice at once: two processes (or `serve --workers`) cannot both hold
  one attempt's claim; a send takes less than the lease (the SMTP timeout is
  shorter).
- Retried with exponential backoff and jitter (memberdir.notifications.backoff)
  until MEMBERDIR_DELIVERY_MAX_ATTEMPTS, then FAILED with the last error; a
  permanent refusal (5xx at RCPT or DATA) fails at once. `memberdir
  notifications retry ID` starts a FAILED one again.
- Only notifications whose change is APPLIED (datastore.outbox.due).
"""

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.errors import PyMongoError

from datastore import faults, outbox
from datastore.client import Database
from datastore.outbox import Claim
from datastore.records.outbox import Notification
from datastore.records.vocabulary import DeliveryChannel, DeliveryState
from memberdir.notifications import mail
from memberdir.notifications.backoff import wait_after
from memberdir.notifications.errors import DeliveryFailed, NotForRecipient
from memberdir.notifications.recipients import recipient_of

log = logging.getLogger("memberdir.notifications")
# Errors are kept for staff to read, not whole stack traces.
ERROR_CHARS = 500
# How often the per-state gauge is read again from the database.
STATE_COUNT_SECONDS = 5.0


@dataclass(frozen=True)
class DeliveryConfig:
    lease: timedelta
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    interval_seconds: float
    mail_from: str
    batch: int = 20

    @classmethod
    def of(cls, settings) -> "DeliveryConfig":
        return cls(
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            max_attempts=settings.delivery_max_attempts,
            backoff_seconds=settings.delivery_backoff_seconds,
            backoff_max_seconds=settings.delivery_backoff_max_seconds,
            interval_seconds=settings.delivery_interval_seconds,
            mail_from=settings.mail_from,
        )


def mail_sender(settings) -> mail.SmtpSender | mail.FileSender:
    """SMTP when MEMBERDIR_SMTP_URL is set; else .eml files under the data folder."""
    if settings.smtp_url is not None:
        return mail.SmtpSender(settings.smtp_url.get_secret_value(), settings.smtp_timeout_seconds)
    return mail.FileSender(settings.outbox_dir)


class Deliverer:
    def __init__(self, config: DeliveryConfig, mailer, metrics=None, holder: str | None = None):
        self.config, self.mailer, self.metrics = config, mailer, metrics
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"

    async def round(self, db: Database) -> int:
        """One pass over what is due now; how many attempts this process made."""
        made = 0
        for notification in await outbox.due(db, datetime.now(UTC), self.config.batch):
            claim = await outbox.claim(db, notification, self.config.lease, self.holder)
            if claim is None:
                continue  # another process holds it, or made it
            faults.reached("delivery_after_claim")
            await self.attempt(db, notification, claim)
            made += 1
        return made

    async def attempt(self, db: Database, notification: Notification, claim: Claim) -> None:
        try:
            await self._send(db, notification)
        except NotForRecipient as why:
            await outbox.skip(db, claim, str(why))
            self._count("skipped")
            return
        except DeliveryFailed as failed:
            await self._failed(db, notification, claim, str(failed), permanent=failed.permanent)
            return
        except PyMongoError:
            raise  # the database is away: the claim's lease runs out and the attempt is made again
        except Exception as failed:  # a bug in a template's values, an unexpected answer: kept, retried
            log.exception("delivering %s", notification.id)
            await self._failed(db, notification, claim, f"{type(failed).__name__}: {failed}", permanent=False)
            return
        faults.reached("delivery_after_send")
        await outbox.record_attempt(db, claim, sent=True, error=None, next_at=None, give_up=False)
        self._count("sent")

    async def _send(self, db: Database, notification: Notification) -> None:
        if notification.channel is DeliveryChannel.WEBHOOK:
            await _send_webhook(db, notification)
            return
        recipient = await recipient_of(db, notification)
        message = mail.message(notification, recipient, self.config.mail_from)
        await self.mailer.send(db, message, recipient.address)

    async def _failed(self, db: Database, notification: Notification, claim: Claim, error: str,
                      *, permanent: bool) -> None:
        tries = claim.attempt - notification.retried_after
        give_up = permanent or tries >= self.config.max_attempts
        wait = wait_after(tries, self.config.backoff_seconds, self.config.backoff_max_seconds)
        await outbox.record_attempt(db, claim, sent=False, error=error[:ERROR_CHARS],
                                    next_at=None if give_up else datetime.now(UTC) + wait, give_up=give_up)
        self._count("failed" if give_up else "retry")
        log.warning("notification %s attempt %d: %s%s", notification.id, claim.attempt, error,
                    " (gave up)" if give_up else "")

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.delivery_attempts.labels(outcome).inc()


async def _send_webhook(db: Database, notification: Notification) -> None:
    """WEBHOOK notifications are sent by memberdir.notifications.webhooks (the webhooks part of
    issue 24): `send_webhook(db, notification)`, raising DeliveryFailed."""
    try:
        from memberdir.notifications import webhooks  # type: ignore[attr-defined]
    except ImportError:
        raise DeliveryFailed("webhooks are not part of this build") from None
    await webhooks.send_webhook(db, notification)


async def refresh_state_counts(db: Database, metrics) -> None:
    counted = await outbox.counts_by_state(db)
    for state in DeliveryState:
        metrics.notifications.labels(state.value).set(counted[state])


@asynccontextmanager
async def delivering(database: Callable[[], Database], settings, metrics=None) -> AsyncIterator[Deliverer]:
    """Run the delivery loop for as long as the context is open (serve's lifespan)."""
    deliverer = Deliverer(DeliveryConfig.of(settings), mail_sender(settings), metrics)

    async def run() -> None:
        counted_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                db = database()
                while await deliverer.round(db) == deliverer.config.batch:
                    pass  # more may be due: go on without waiting
                if metrics is not None and loop.time() - counted_at >= STATE_COUNT_SECONDS:
                    await refresh_state_counts(db, metrics)
                    counted_at = loop.time()
            except (PyMongoError, RuntimeError) as error:  # the database is down or closing: next time
                log.warning("delivery round skipped: %s", error)
            except Exception:  # a bug must not end delivery for the life of the process
                log.exception("delivery round failed")
            await asyncio.sleep(deliverer.config.interval_seconds)

    task = asyncio.create_task(run())
    try:
        yield deliverer
    finally:
        task.cancel()
