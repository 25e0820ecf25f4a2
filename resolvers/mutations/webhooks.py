"""Registering, disabling and rotating webhook endpoints: staff and admin only.

Endpoints are configuration (like API keys), not directory records: they are
written directly, not through the write path, and answer no retries by
clientMutationId (a second create makes a second endpoint). The secret is
answered once, when made (creation, rotation), and never again.
"""

from datetime import UTC, datetime

from datastore import webhook_urls, webhooks
from datastore.records.vocabulary import RecordType
from datastore.webhooks import Endpoint
from resolvers import list_sizes
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.outcome import UserErrorCode, refuse
from resolvers.permissions import Action

WHOLE_SECRET = "Keep it now: it is shown only once."


async def _resolving_problem(url: str, allow_loopback: bool) -> str | None:
    """Outside development, a host that resolves to a non-global address is refused at registration too."""
    if allow_loopback:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        found = await webhook_urls.addresses(parts.hostname, parts.port or 443)
    except webhook_urls.Unreachable as failed:
        return str(failed)
    problem = webhook_urls.refused(found, allow_loopback)
    return f"resolves to {problem}" if problem else None


async def create(ctx: Context, url: str, record_types: list[RecordType] | None, reason: str | None
                 ) -> tuple[Endpoint, str]:
    access.require(Action.MANAGE_WEBHOOKS, await access.facts(ctx))
    url = url.strip()
    problem = webhook_urls.url_problem(url, ctx.webhook_allow_loopback)
    problem = problem or await _resolving_problem(url, ctx.webhook_allow_loopback)
    if problem:
        raise refuse(UserErrorCode.INVALID, f"The URL {problem}.", "url")
    if len(await webhooks.every(ctx.db)) >= list_sizes.WEBHOOK_ENDPOINTS:
        raise refuse(UserErrorCode.INVALID,
                     f"At most {list_sizes.WEBHOOK_ENDPOINTS} endpoints are kept, disabled ones included.")
    endpoint = Endpoint(
        id=webhooks.new_id(), url=url, record_types=tuple(dict.fromkeys(record_types or list(RecordType))),
        created_at=_now(), secret=webhooks.new_secret(), reason=reason,
        created_by=ctx.viewer.person_id or ctx.viewer.credential,
    )
    await webhooks.create(ctx.db, endpoint)
    return endpoint, endpoint.secret


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def _load(ctx: Context, endpoint_id: str) -> Endpoint:
    access.require(Action.MANAGE_WEBHOOKS, await access.facts(ctx))
    found = await webhooks.by_id(ctx.db, endpoint_id)
    if found is None:
        raise refuse(UserErrorCode.NOT_FOUND, "No webhook endpoint with this id.", "id")
    return found


async def disable(ctx: Context, endpoint_id: str, reason: str | None) -> Endpoint:
    found = await _load(ctx, endpoint_id)
    if found.disabled:
        raise refuse(UserErrorCode.INVALID_TRANSITION, "This endpoint is disabled already.", "id")
    await webhooks.disable(ctx.db, found.id, reason or "disabled by staff", _now())
    return await _load(ctx, endpoint_id)


async def rotate(ctx: Context, endpoint_id: str) -> tuple[Endpoint, str]:
    """A new secret at once: requests are signed with it from the next attempt on."""
    found = await _load(ctx, endpoint_id)
    secret = webhooks.new_secret()
    await webhooks.set_secret(ctx.db, found.id, secret)
    return await _load(ctx, endpoint_id), secret
