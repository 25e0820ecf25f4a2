"""An export's parameters: query-string values checked by the GraphQL arguments' rules.

The HTTP edge and the CLI both hand over {name: [values]}; a list parameter
may be repeated or comma-separated (`kinds=TASK_TEAM,FORUM`). Every problem is
a BadArgument naming the parameter, as GraphQL names its arguments.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from types import SimpleNamespace
from typing import TypeVar

from datastore.organisations import OrganisationFilter
from datastore.people import PersonFilter
from datastore.records.vocabulary import Continent, Designation, MembershipStatus, OrganisationKind, Sector
from resolvers import arguments, organisations, people
from resolvers.errors import BadArgument

Given = Mapping[str, Sequence[str]]
E = TypeVar("E", bound=Enum)
T = TypeVar("T")

ORGANISATION_FILTER = (
    "search", "countries", "continents", "sectors", "kinds", "designations", "statuses", "joinedAfter", "joinedBefore",
    "reviewDueBefore", "updatedSince",
)
PERSON_FILTER = ("search", "countries", "continents", "affiliation", "updatedSince")


class Parameters:
    def __init__(self, given: Given, allowed: Iterable[str]):
        allowed = tuple(allowed)
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            accepted = ", ".join(allowed) if allowed else "none"
            raise BadArgument(unknown[0], f"not a parameter of this export (it takes: {accepted})")
        self._given = given

    def text(self, name: str) -> str | None:
        """A single value, taken whole (commas and all)."""
        values = self._given.get(name) or ()
        if len(values) > 1:
            raise BadArgument(name, "give it once")
        return values[0] if values else None

    def items(self, name: str) -> tuple[str, ...]:
        split = [item.strip() for value in self._given.get(name) or () for item in value.split(",")]
        return arguments.values([item for item in split if item], name)

    def enums(self, name: str, enum: type[E]) -> tuple[E, ...]:
        checked = []
        for item in self.items(name):
            if item not in enum.__members__:
                shown = item if len(item) <= 30 else item[:30] + "…"
                raise BadArgument(name, f"{shown!r} is not one of {', '.join(enum.__members__)}")
            checked.append(enum[item])
        return tuple(checked)

    def enum(self, name: str, enum: type[E]) -> E | None:
        found = self.enums(name, enum)
        if len(found) > 1:
            raise BadArgument(name, "give one value")
        return found[0] if found else None

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise BadArgument(name, "must be a date such as 2026-01-31") from None

    def instant(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadArgument(name, "must be a date and time such as 2026-01-31T09:00:00Z") from None

    def organisation_input(self) -> SimpleNamespace:
        """The OrganisationFilter fields, shaped as the GraphQL resolvers take them."""
        return SimpleNamespace(
            search=self.text("search"),
            countries=self.items("countries"),
            continents=self.enums("continents", Continent),
            sectors=self.enums("sectors", Sector),
            kinds=self.enums("kinds", OrganisationKind),
            designations=self.enums("designations", Designation),
            statuses=self.enums("statuses", MembershipStatus),
            joined_after=self.day("joinedAfter"),
            joined_before=self.day("joinedBefore"),
            review_due_before=self.day("reviewDueBefore"),
            updated_since=self.instant("updatedSince"),
        )

    def organisation_filter(self) -> OrganisationFilter:
        given = self.organisation_input()
        return as_parameters(lambda: organisations.organisation_filter(given, "filter"))

    def person_filter(self) -> PersonFilter:
        given = SimpleNamespace(
            search=self.text("search"),
            countries=self.items("countries"),
            continents=self.enums("continents", Continent),
            affiliation=self.text("affiliation"),
            updated_since=self.instant("updatedSince"),
        )
        return as_parameters(lambda: people.person_filter(given, "filter"))


def as_parameters(check: Callable[[], T]) -> T:
    """Run a GraphQL argument check, naming the query parameter ('countries',
    not 'filter.countries') when it refuses."""
    try:
        return check()
    except BadArgument as refused:
        raise BadArgument(refused.argument.removeprefix("filter."), refused.problem) from None
