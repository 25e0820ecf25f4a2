"""Mutations of webhook endpoints (staff and admin): register, disable, rotate the secret."""

import strawberry
from strawberry import Info

from resolvers.mutations import webhooks as edits
from resolvers.mutations.outcome import Refused
from schema.audit import RecordType
from schema.mutations.common import UserError
from schema.webhooks import WebhookEndpoint


@strawberry.input(description="Staff and admin. url: https:// to a public address (http:// and loopback only in "
                              "development and tests); recordTypes: the changes it receives (default: all).")
class CreateWebhookEndpointInput:
    url: str
    record_types: list[RecordType] | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Staff and admin: the endpoint receives nothing more.")
class DisableWebhookEndpointInput:
    id: strawberry.ID
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Staff and admin: a new secret, used from the next delivery on (the old one stops).")
class RotateWebhookSecretInput:
    id: strawberry.ID
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description="shown once, at creation (and rotation)")
    user_errors: list[UserError]
    client_mutation_id: str | None


async def _answer(work, client_mutation_id: str | None) -> WebhookEndpointPayload:
    try:
        found = await work
    except Refused as refused:
        return WebhookEndpointPayload(endpoint=None, secret=None, user_errors=[UserError.of(e) for e in refused.errors],
                                      client_mutation_id=client_mutation_id)
    endpoint, secret = found if isinstance(found, tuple) else (found, None)
    return WebhookEndpointPayload(endpoint=WebhookEndpoint.of(endpoint), secret=secret, user_errors=[],
                                  client_mutation_id=client_mutation_id)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a host institution's endpoint for signed change notices.")
    async def create_webhook_endpoint(self, info: Info, input: CreateWebhookEndpointInput) -> WebhookEndpointPayload:
        types = [t for t in input.record_types] if input.record_types is not None else None
        work = edits.create(info.context, input.url, types, input.reason)
        return await _answer(work, input.client_mutation_id)

    @strawberry.mutation
    async def disable_webhook_endpoint(self, info: Info, input: DisableWebhookEndpointInput) -> WebhookEndpointPayload:
        return await _answer(edits.disable(info.context, str(input.id), input.reason), input.client_mutation_id)

    @strawberry.mutation
    async def rotate_webhook_secret(self, info: Info, input: RotateWebhookSecretInput) -> WebhookEndpointPayload:
        return await _answer(edits.rotate(info.context, str(input.id)), input.client_mutation_id)
