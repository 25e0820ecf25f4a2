"""The audit log's changes, record histories and the change feed's notices."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from datastore.records import changes as records, vocabulary
from resolvers import audit, relations
from schema.connections import Connection, Edge, PageInfo
from schema.seen_as import context_of

if TYPE_CHECKING:
    from schema.people import Person

RecordType = strawberry.enum(vocabulary.RecordType)
ChangeAction = strawberry.enum(vocabulary.ChangeAction)


@strawberry.type
class FieldChange:
    field: str
    record: strawberry.Private[records.FieldChange]

    # A private value (a contact detail) shows only to callers resolvers.privacy lets see it.
    @strawberry.field
    def before(self, info: Info) -> str | None:
        return self.record.before if audit.shows_value(info.context, self.record) else None

    @strawberry.field
    def after(self, info: Info) -> str | None:
        return self.record.after if audit.shows_value(info.context, self.record) else None

    @strawberry.field(description="true where the value was erased or may not be shown to this caller")
    def redacted(self, info: Info) -> bool:
        return not audit.shows_value(info.context, self.record)


@strawberry.type
class Change:
    id: strawberry.ID
    at: datetime
    actor_key_id: strawberry.ID | None
    actor_role: str = strawberry.field(description="the role the actor acted in")
    record_type: RecordType
    record_id: strawberry.ID
    action: ChangeAction
    fields: list[FieldChange]
    reason: str | None
    record: strawberry.Private[records.Change]

    @classmethod
    def of(cls, change: records.Change) -> "Change":
        return cls(
            id=strawberry.ID(change.id), at=change.at, actor_key_id=change.actor.key_id, actor_role=change.actor.role,
            record_type=change.record_type, record_id=strawberry.ID(change.record_id), action=change.action,
            fields=[FieldChange(field=f.field, record=f) for f in change.fields],
            reason=change.reason, record=change,
        )

    @strawberry.field
    async def actor_person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        person_id = self.record.actor.person_id
        found = await info.context.loaders.person.load(person_id) if person_id else None
        return Person.of(found) if found else None


@strawberry.type(name="ChangeEdge")
class ChangeEdge(Edge[Change]):
    pass


@strawberry.type(name="ChangeConnection")
class ChangeConnection(Connection[Change]):
    edges: list[ChangeEdge]

    @classmethod
    def of_page(cls, page) -> "ChangeConnection":
        return cls.of(page, Change.of, ChangeEdge)


@strawberry.input
class AuditFilter:
    record_id: strawberry.ID | None = None
    record_types: list[RecordType] | None = None
    actions: list[ChangeAction] | None = None
    actor_person_id: strawberry.ID | None = None
    actor_key_id: strawberry.ID | None = None
    since: datetime | None = None
    until: datetime | None = None


@strawberry.type
class ChangeNotice:
    record_type: RecordType
    record_id: strawberry.ID
    action: ChangeAction
    version: int = strawberry.field(
        description="The record's version after the change (a role contact's is its organisation's)"
    )
    at: datetime


@strawberry.type
class ChangeNoticeEdge:
    cursor: str
    node: ChangeNotice


@strawberry.type
class ChangeNoticeConnection:
    edges: list[ChangeNoticeEdge]
    page_info: PageInfo
    resume_cursor: str = strawberry.field(description="Where to resume next time, even when this page is empty")

    @strawberry.field
    def nodes(self) -> list[ChangeNotice]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, found, cursors, has_next, resume) -> "ChangeNoticeConnection":
        edges = [
            ChangeNoticeEdge(cursor=cursor, node=ChangeNotice(
                record_type=notice.record_type, record_id=strawberry.ID(notice.record_id), action=notice.action,
                version=notice.version, at=at))
            for cursor, (notice, at) in zip(cursors, found)
        ]
        return cls(edges=edges, page_info=PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None),
                   resume_cursor=resume)


def history_field(description: str, kind: str | None = None):
    """A record's `history` field: its changes, newest first, for staff and admin; null for others.
    With `kind` (Person, Organisation), resolvers.privacy's row for it is asked too."""

    async def history(root, info: Info, first: int | None = 50, after: str | None = None) -> ChangeConnection | None:
        ctx = context_of(root, info)  # a preview's, under Person.visibleAs
        if kind is not None and not await relations.sees(ctx, kind, root.record.id, "history"):
            return None
        page = await audit.history_of(ctx, root.record.id, first, after)
        return ChangeConnection.of_page(page) if page else None

    return strawberry.field(resolver=history, description=description)
