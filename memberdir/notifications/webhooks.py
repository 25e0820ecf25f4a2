"""Sending a WEBHOOK notification: a Standard Webhooks request to the endpoint, from the outbox's loop.

- Signed with the maintained `standardwebhooks` library (never a hand-written
  HMAC): `webhook-id` is the change's id (a receiver drops duplicates by it),
  `webhook-timestamp` the attempt's time, `webhook-signature` over
  id.timestamp.body with the endpoint's whsec_ secret.
- The body is the change notice (recordType, recordId, action, version, at,
  and every record the change touched), never a value.
- Safety (README, "Notifications"): unless MEMBERDIR_WEBHOOK_ALLOW_LOOPBACK (the
  development and test default, refused in production), only https:// URLs,
  and the host is resolved again at each delivery: any address that is
  loopback, private, link-local, multicast or otherwise not global refuses the
  delivery. The request goes to the address that was checked (the name is kept
  for Host and TLS), so a second lookup cannot swap it; redirects are not
  followed; proxies from the environment are not used.
- Failures in a row are recorded (datastore.webhooks); at the limit
  (MEMBERDIR_WEBHOOK_DISABLE_AFTER_FAILURES) the endpoint is disabled and staff
  are owed a WEBHOOK_DISABLED mail (to MEMBERDIR_STAFF_EMAIL; in any case
  listed in `notifications` for staff).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from pymongo.errors import DuplicateKeyError
from standardwebhooks.webhooks import Webhook

from datastore import outbox, webhook_urls, webhooks
from datastore.client import Database
from datastore.records.outbox import Notification, Owed
from datastore.records.vocabulary import DeliveryChannel, NotificationKind
from datastore.webhooks import Endpoint
from memberdir.notifications.errors import DeliveryFailed


@dataclass(frozen=True, slots=True)
class Policy:
    # http:// and loopback or private addresses (development and tests only).
    allow_loopback: bool = False
    timeout_seconds: float = 10.0
    disable_after_failures: int = 100
    staff_email: str | None = None

    @classmethod
    def of(cls, settings) -> "Policy":
        return cls(bool(settings.webhook_allow_loopback), settings.webhook_timeout_seconds,
                   settings.webhook_disable_after_failures, settings.staff_email)


def _settings_policy() -> Policy:
    from memberdir.settings import Settings

    return Policy.of(Settings())


async def checked_addresses(host: str, port: int, policy: Policy) -> list[str]:
    """The host's addresses, resolved now, each allowed by the policy; DeliveryFailed otherwise."""
    try:
        found = await webhook_urls.addresses(host, port)
    except webhook_urls.Unreachable as failed:
        raise DeliveryFailed(str(failed)) from None
    if (problem := webhook_urls.refused(found, policy.allow_loopback)) is not None:
        raise DeliveryFailed(f"refused: {host} resolves to {problem}", permanent=True)
    if not found:
        raise DeliveryFailed(f"{host} has no address")
    return found


def body(notification: Notification) -> bytes:
    """The change notice: what changed and when, never a value."""
    values = notification.values
    notice = {
        "changeId": notification.change_id,
        "recordType": values["recordType"],
        "recordId": values["recordId"],
        "action": values["action"],
        "version": values["version"],
        "at": notification.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "records": values.get("records", []),
    }
    return json.dumps(notice, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(secret: str, message_id: str, payload: bytes, at: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(message_id, at, payload)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature, "content-type": "application/json"}


def _pinned(url: str, address: str) -> str:
    """The URL with its host replaced by the checked address."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


async def send(endpoint: Endpoint, notification: Notification, policy: Policy) -> None:
    """One attempt: DeliveryFailed unless the endpoint answered 2xx."""
    if not endpoint.secret:
        raise DeliveryFailed("the endpoint has no signing secret (left out of a restore): rotate it", permanent=True)
    if (problem := webhook_urls.url_problem(endpoint.url, policy.allow_loopback)) is not None:
        raise DeliveryFailed(f"refused: the URL {problem}", permanent=True)
    parts = urlsplit(endpoint.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    [address, *_] = await checked_addresses(parts.hostname, port, policy)
    payload = body(notification)
    headers = signed_headers(endpoint.secret, notification.change_id, payload, datetime.now(UTC))
    headers["host"] = parts.netloc.rsplit("@", 1)[-1]
    try:
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                     timeout=policy.timeout_seconds) as client:
            answer = await client.post(_pinned(endpoint.url, address), content=payload, headers=headers,
                                       extensions={"sni_hostname": parts.hostname})
    except httpx.HTTPError as failed:
        raise DeliveryFailed(f"{type(failed).__name__}: {failed}"[:300]) from None
    if answer.is_redirect:
        raise DeliveryFailed(f"HTTP {answer.status_code}: redirects are not followed")
    if not answer.is_success:
        raise DeliveryFailed(f"HTTP {answer.status_code}")


async def send_webhook(db: Database, notification: Notification, policy: Policy | None = None) -> None:
    """What the outbox's loop calls for a WEBHOOK notification: send it, keep the endpoint's
    run of failures, and disable the endpoint at the limit. DeliveryFailed on failure."""
    policy = policy or _settings_policy()
    endpoint = await webhooks.by_id(db, notification.endpoint_id) if notification.endpoint_id else None
    if endpoint is None or endpoint.disabled:
        raise DeliveryFailed("the endpoint was disabled or removed", permanent=True)
    try:
        await send(endpoint, notification, policy)
    except DeliveryFailed as failed:
        at = datetime.now(UTC)
        attempt_id = f"{notification.id}#{notification.attempts + 1}"
        run = await webhooks.record_failure(db, endpoint.id, attempt_id, at, str(failed))
        if run >= policy.disable_after_failures:
            await _disable(db, endpoint, notification, run, str(failed), policy, at)
        raise
    await webhooks.record_success(db, endpoint.id, datetime.now(UTC))


async def _disable(db: Database, endpoint: Endpoint, notification: Notification, run: int, error: str,
                   policy: Policy, at: datetime) -> None:
    """Disable the endpoint, staff's notice written first (keyed: owed once however often this runs).

    The notice is no change of the directory's (endpoints are configuration): it is written
    as an outbox row of the change whose delivery failed, which is APPLIED, so the loop sends it."""
    owed = Owed(
        kind=NotificationKind.WEBHOOK_DISABLED, channel=DeliveryChannel.EMAIL, recipient_id=None,
        subject=f"Webhook endpoint {endpoint.id} was disabled", record_type=notification.record_type,
        record_id=notification.record_id, template="webhook_disabled",
        values={"endpoint": {"id": endpoint.id, "url": endpoint.url}, "failures": run, "last_error": error,
                "disabled_at": at.strftime("%Y-%m-%d %H:%M UTC")},
        address=policy.staff_email, key=f"webhook-disabled:{endpoint.id}:{endpoint.created_at.isoformat()}",
    )
    try:
        await db.notifications.with_options(write_concern=outbox.DURABLE).insert_one(
            outbox.document(owed, notification.change_id, 0, at))
    except DuplicateKeyError:
        pass  # owed already (an earlier call was cut off before disabling)
    await webhooks.disable(db, endpoint.id, f"{run} failed deliveries in a row; the last: {error}", at)
