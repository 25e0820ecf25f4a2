"""`events`: a small subgraph written as another team would, for tests only.

It knows the directory only by its entities' keys: Event.organiser and
Event.speakers are references the gateway resolves in the directory, and
Organisation.events is added to the directory's type by key. Country is a
value type both subgraphs define, so both mark it @shareable.
Event.livestreamUrl fails on purpose, for the error-propagation test.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum

import strawberry
from strawberry import Info
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Key


@dataclass(frozen=True)
class EventRecord:
    id: str
    title: str
    starts_on: date
    organiser_id: str
    speaker_ids: tuple[str, ...] = ()
    country_code: str | None = None


@strawberry.enum
class Continent(Enum):
    AFRICA = "AFRICA"
    ASIA = "ASIA"
    EUROPE = "EUROPE"
    NORTH_AMERICA = "NORTH_AMERICA"
    OCEANIA = "OCEANIA"
    SOUTH_AMERICA = "SOUTH_AMERICA"


COUNTRIES = {
    "CA": ("Canada", Continent.NORTH_AMERICA),
    "NG": ("Nigeria", Continent.AFRICA),
    "JP": ("Japan", Continent.ASIA),
}


@strawberry.federation.type(shareable=True)
class Country:
    code: str
    name: str
    continent: Continent


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Person:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class Organisation:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Organisation":
        return cls(id=id)

    @strawberry.field(description="Events the organisation organises, soonest first.")
    def events(self, info: Info) -> list["Event"]:
        return [Event.of(e) for e in _soonest_first(info.context["events"]) if e.organiser_id == self.id]


@strawberry.type
class Event:
    id: strawberry.ID
    title: str
    starts_on: date
    organiser: Organisation
    speakers: list[Person]
    country: Country | None

    @classmethod
    def of(cls, record: EventRecord) -> "Event":
        country = COUNTRIES.get(record.country_code or "")
        return cls(
            id=strawberry.ID(record.id),
            title=record.title,
            starts_on=record.starts_on,
            organiser=Organisation(id=strawberry.ID(record.organiser_id)),
            speakers=[Person(id=strawberry.ID(p)) for p in record.speaker_ids],
            country=Country(code=record.country_code, name=country[0], continent=country[1]) if country else None,
        )

    @strawberry.field(description="Fails on purpose: the streaming service is down.")
    def livestream_url(self) -> str | None:
        raise RuntimeError("the streaming service is unavailable")


@strawberry.type
class Query:
    @strawberry.field
    def events(self, info: Info) -> list[Event]:
        return [Event.of(e) for e in _soonest_first(info.context["events"])]


def _soonest_first(events: list[EventRecord]) -> list[EventRecord]:
    return sorted(events, key=lambda e: (e.starts_on, e.id))


schema = strawberry.federation.Schema(query=Query, types=[Organisation, Person])


class EventsGraphQL(GraphQL):
    def __init__(self, events: list[EventRecord]):
        super().__init__(schema, graphql_ide=None)
        self.events = events

    async def get_context(self, request, response) -> dict:
        return {"events": self.events}


def create_app(events: list[EventRecord]) -> EventsGraphQL:
    return EventsGraphQL(events)
