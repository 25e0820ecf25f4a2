"""Viewer: who is asking, for user interfaces that show only what the caller may do."""

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from resolvers import list_sizes
from resolvers import viewer as resolve

if TYPE_CHECKING:
    from schema.groups import WorkingGroup
    from schema.notifications import NotificationConnection
    from schema.organisations import Organisation
    from schema.people import Person


@strawberry.type(description="Who is asking: for user interfaces that show only what the caller may do.")
class Viewer:
    role: str
    record: strawberry.Private[resolve.Viewer]

    @strawberry.field(description="Who signed in, as the OpenID Connect issuer named them (their e-mail, else their "
                      "subject), for the caller's own header; null for API keys and anonymous callers.")
    def signed_in_as(self) -> str | None:
        return self.record.label

    @strawberry.field
    async def person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.people")] | None:
        from schema.people import Person

        person_id = self.record.person_id
        found = await info.context.loaders.person.load(person_id) if person_id else None
        return Person.of(found) if found else None

    @strawberry.field(description="Organisations the caller is Primary or Administrator of; the first `first` (at most 200).")
    async def manages(
        self, info: Info, first: int | None = list_sizes.VIEWER_MANAGES.default
    ) -> list[Annotated["Organisation", strawberry.lazy("schema.organisations")]]:
        from schema.organisations import Organisation

        wanted = list_sizes.VIEWER_MANAGES.take(first)  # refused before anything is read
        found = await resolve.managed_organisations(info.context, self.record)
        return [Organisation.of(o) for o in found[wanted]]

    @strawberry.field(description="Groups the caller currently chairs or co-chairs; the first `first` (at most 200).")
    async def chairs(
        self, info: Info, first: int | None = list_sizes.VIEWER_CHAIRS.default
    ) -> list[Annotated["WorkingGroup", strawberry.lazy("schema.groups")]]:
        from schema.groups import WorkingGroup

        wanted = list_sizes.VIEWER_CHAIRS.take(first)  # refused before anything is read
        found = await resolve.chaired_groups(info.context, self.record)
        return [WorkingGroup.of(g) for g in found[wanted]]

    @strawberry.field(description="Notifications addressed to the caller, newest first; `first` at most 100.")
    async def notifications(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated["NotificationConnection", strawberry.lazy("schema.notifications")]:
        from resolvers import notifications as outbox
        from schema.connections import total_count_asked
        from schema.notifications import NotificationConnection

        page = await outbox.of_viewer(info.context, first, after, count_too=total_count_asked(info))
        return NotificationConnection.of_page(page)
