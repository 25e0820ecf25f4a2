"""The outbox: notifications the directory owes people, and how their delivery stands."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import outbox as records
from datastore.records import vocabulary
from resolvers import nodes
from schema.connections import Connection, Edge
from schema.node import Node, record_id, to_node

if TYPE_CHECKING:
    from schema.people import Person

NotificationKind = strawberry.enum(vocabulary.NotificationKind)
DeliveryChannel = strawberry.enum(vocabulary.DeliveryChannel)
DeliveryState = strawberry.enum(
    vocabulary.DeliveryState,
    description="PENDING: to be sent (again); SENT: accepted by the mail server or endpoint; FAILED: given up "
    "after the last attempt (lastError says why); SKIPPED: not sent on purpose, the recipient does not take "
    "this kind (their subscriptions, a Signer and routine updates, an erased person)",
)


@strawberry.type(
    description="A message the directory owes someone because of a change. Written in the same claimed change "
    "as the change itself, so no acknowledged change loses its notification; delivered at least once, retried "
    "with backoff, FAILED after the last retry. The recipient sees their own; staff see all."
)
class Notification(Node):
    id: strawberry.ID = strawberry.field(resolver=record_id)
    kind: NotificationKind
    channel: DeliveryChannel
    subject: str
    created_at: datetime
    state: DeliveryState
    attempts: int
    last_error: str | None
    record: strawberry.Private[records.Notification]

    @classmethod
    def of(cls, record: records.Notification) -> "Notification":
        return cls(kind=record.kind, channel=record.channel, subject=record.subject, created_at=record.created_at,
                   state=record.state, attempts=record.attempts, last_error=record.last_error, record=record)

    @strawberry.field(description="The person it is for (null for a webhook, or a person no longer in the directory)")
    async def recipient(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        person_id = self.record.recipient_id
        found = await info.context.loaders.person.load(person_id) if person_id else None
        return Person.of(found) if found else None

    @strawberry.field(name="record", description="What it is about (null if that record is gone)")
    async def about(self, info: Info) -> Node | None:
        [found] = await nodes.nodes(info.context, [self.record.record_id], "record")
        return to_node(found) if found else None


@strawberry.type(name="NotificationEdge")
class NotificationEdge(Edge[Notification]):
    pass


@strawberry.type(name="NotificationConnection")
class NotificationConnection(Connection[Notification]):
    edges: list[NotificationEdge]

    @classmethod
    def of_page(cls, page) -> "NotificationConnection":
        return cls.of(page, Notification.of, NotificationEdge)


@strawberry.input
class NotificationFilter:
    kinds: list[NotificationKind] | None = None
    states: list[DeliveryState] | None = None
    recipient: strawberry.ID | None = None
    record: strawberry.ID | None = None
    created_since: datetime | None = None
