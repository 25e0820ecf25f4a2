"""E-mail: a notification rendered from its templates and sent by SMTP, or written as an .eml file.

Each template is a pair under templates/: `<name>.txt` (plain text) and
`<name>.html` (the HTML alternative, autoescaped: a value is never markup).
They see the notification's `values` (only what the recipient may see: the
code that owed it asked resolvers.privacy), `recipient` (the name to greet)
and `directory` (whom to contact). Undefined values fail the attempt loudly
rather than send a mail with a hole in it.

The Message-ID is derived from the notification, so a retry of a mail that
did arrive is the same message to the receiving side.
"""

import asyncio
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

from datastore import outbox
from datastore.records.outbox import Notification
from memberdir.notifications.errors import DeliveryFailed
from memberdir.notifications.recipients import Recipient

TEMPLATES = Path(__file__).parent / "templates"
NOTIFICATION_HEADER = "X-Memberdir-Notification"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(notification: Notification, recipient: Recipient, mail_from: str) -> tuple[str, str]:
    """The plain text and HTML bodies."""
    context = {
        **notification.values,
        "recipient": {"name": recipient.name or recipient.address},
        "directory": {"contact": parseaddr(mail_from)[1] or mail_from, "from": mail_from},
        "subject": notification.subject,
    }
    try:
        text = _environment.get_template(f"{notification.template}.txt").render(context)
        html = _environment.get_template(f"{notification.template}.html").render(context)
    except TemplateNotFound as missing:
        raise DeliveryFailed(f"no mail template {missing.name}", permanent=True) from None
    return text, html


def message(notification: Notification, recipient: Recipient, mail_from: str) -> EmailMessage:
    text, html = render(notification, recipient, mail_from)
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = formataddr((recipient.name, recipient.address)) if recipient.name else recipient.address
    mail["Subject"] = notification.subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = f"<{notification.id}@memberdir>"
    mail[NOTIFICATION_HEADER] = notification.id
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    return mail


@dataclass(frozen=True)
class SmtpSender:
    """Mail through the server MEMBERDIR_SMTP_URL names (smtp://, or smtps:// for TLS from the start)."""

    url: str
    timeout_seconds: float

    async def send(self, db, mail: EmailMessage, address: str) -> None:
        parts = urlsplit(self.url)
        tls = parts.scheme == "smtps"
        try:
            await aiosmtplib.send(
                mail, recipients=[address], hostname=parts.hostname or "localhost",
                port=parts.port or (465 if tls else 25),
                username=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                use_tls=tls, timeout=self.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            await self._refused(db, address, refused.recipients[0].code if refused.recipients else 0,
                                f"refused at RCPT: {refused}")
        except aiosmtplib.SMTPRecipientRefused as refused:
            await self._refused(db, address, refused.code, f"refused at RCPT: {refused.message}")
        except aiosmtplib.SMTPDataError as refused:
            await self._refused(db, address, refused.code, f"refused at DATA: {refused.message}")
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as failed:
            raise DeliveryFailed(f"SMTP: {failed}") from None
        await outbox.clear_bounce(db, address)

    @staticmethod
    async def _refused(db, address: str, code: int, error: str) -> None:
        if 500 <= code < 600:  # refused for good: a bounce, recorded for the operational notices
            await outbox.record_bounce(db, address, f"{code} {error}")
            raise DeliveryFailed(f"{code} {error}", permanent=True)
        raise DeliveryFailed(f"{code} {error}")


@dataclass(frozen=True)
class FileSender:
    """The development default: each mail an .eml file (opened by any mail reader) under `folder`."""

    folder: Path

    async def send(self, db, mail: EmailMessage, address: str) -> None:
        await asyncio.to_thread(self._write, mail)

    def _write(self, mail: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        notification_id = mail[NOTIFICATION_HEADER]
        target = self.folder / f"{notification_id}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(mail))
        os.replace(partial, target)  # whole or absent: a reader never opens half a mail
