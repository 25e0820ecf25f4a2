"""WebhookEndpoint: a host institution's endpoint for change notices (staff and admin)."""

from datetime import datetime

import strawberry

from schema.audit import RecordType
from schema.notifications import DeliveryState
from schema.node import Node


@strawberry.type(description="A host institution's endpoint for change notices, signed as Standard Webhooks "
                             "(webhook-id, webhook-timestamp, webhook-signature over id.timestamp.body with the "
                             "endpoint's whsec_ secret). The body is a change notice (recordType, recordId, action, "
                             "version, at), never values; the webhook-id is the change's id, so a receiver drops "
                             "duplicates. Staff and admin only.")
class WebhookEndpoint(Node):
    id: strawberry.ID
    url: str
    record_types: list[RecordType]
    created_at: datetime
    disabled: bool
    last_delivery_state: DeliveryState | None = strawberry.field(
        description="How the last delivery attempt ended (SENT or FAILED); null before the first")

    @classmethod
    def of(cls, endpoint) -> "WebhookEndpoint":
        """From a datastore.webhooks.Endpoint (the schema imports no datastore module but the records)."""
        return cls(id=strawberry.ID(endpoint.id), url=endpoint.url, record_types=list(endpoint.record_types),
                   created_at=endpoint.created_at, disabled=endpoint.disabled,
                   last_delivery_state=endpoint.last_delivery_state)
