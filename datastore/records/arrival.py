"""Limits on values as they arrive: in an import file, or from a mutation.

Sizes are rules for input, not for records. A record is validated with
datastore.import_records (shapes, formats, order), whatever its size; the
values a change *gives* are also checked here, field by field, so a stored
record is never re-checked against limits: what the system appended to it
(status changes with their reasons, however many) never makes it uneditable.
GraphQL inputs have the same limits at the schema's edge
(schema/mutations/limits.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# Free text: reasons, descriptions, messages.
TEXT = 1_000
NAME = 300
URL = 300
SLUG = 120
EMAIL = 254
# clientMutationId (GraphQL only).
CLIENT_MUTATION_ID = 100
# Ids: README's "ids at most 64".
ID = 64
# Items in a list given at once (subscriptions, sectors, designations).
ITEMS = 100
# Status changes one import record may give (the lifecycle makes about two a decade).
HISTORY = 10_000

# Tenure dates. Groups carry no creation date, so "not before the group existed" is
# the directory's own floor: no tenure before 2000-01-01.
TENURE_FLOOR = date(2000, 1, 1)
# A tenure starts at most a year ahead (its end may be planned further: a term of office).
TENURE_AHEAD = timedelta(days=365)
# Further back than this, only staff date a tenure (resolvers.mutations.rosters).
BACKDATING = timedelta(days=90)


def tenure_day_problem(day: date, today: date, *, starts: bool = True) -> str | None:
    """Why `day` cannot start (or, `starts` False, end) a tenure, or None."""
    if day < TENURE_FLOOR:
        return f"on or after {TENURE_FLOOR.isoformat()}: no tenure before 2000 (or before its group existed)"
    if starts and day > today + TENURE_AHEAD:
        return f"on or before {(today + TENURE_AHEAD).isoformat()}: at most a year ahead"
    return None


@dataclass(frozen=True, slots=True)
class Chars:
    most: int


@dataclass(frozen=True, slots=True)
class TenureDay:
    """An ISO day within the tenure range (tenure_day_problem)."""

    starts: bool = True


@dataclass(frozen=True, slots=True)
class Items:
    most: int
    # Limits of the fields of each item (an object), if any.
    each: Mapping[str, Any] = field(default_factory=dict)
    # Characters of each item, for a list of strings.
    characters: int | None = None


_HISTORY = Items(HISTORY, {"reason": Chars(TEXT)})
_INDIVIDUAL_HISTORY = Items(HISTORY, {"reason": Chars(TEXT),
                                      "acceptedAgreements": {"constitution": Chars(ID), "memberAgreement": Chars(ID)}})

# What each section's fields may hold as they arrive; a field not named has no size limit
# of its own (dates, enums, booleans, patterned values such as ORCIDs).
LIMITS: dict[str, dict[str, Any]] = {
    "organisations": {
        "id": Chars(ID), "slug": Chars(SLUG), "name": Chars(NAME), "city": Chars(NAME), "website": Chars(URL),
        "rorId": Chars(URL), "country": Chars(ID), "timeZone": Chars(ID), "sectors": Items(ITEMS),
        "designations": Items(ITEMS),
        "history": _HISTORY, "aliases": Items(ITEMS, characters=NAME), "acronyms": Items(ITEMS, characters=ID),
    },
    "people": {
        "id": Chars(ID), "givenName": Chars(NAME), "familyName": Chars(NAME), "email": Chars(EMAIL),
        "orcid": Chars(ID), "country": Chars(ID), "affiliation": Chars(ID), "communications": Items(ITEMS),
        "individualMembership": {"history": _INDIVIDUAL_HISTORY},
    },
    "groups": {
        "id": Chars(ID), "slug": Chars(SLUG), "name": Chars(NAME), "description": Chars(TEXT), "parent": Chars(ID),
    },
    "contacts": {"organisation": Chars(ID), "person": Chars(ID), "workingGroup": Chars(ID)},
    "roster": {"group": Chars(ID), "person": Chars(ID), "since": TenureDay(), "until": TenureDay(starts=False)},
}


def problems(section: str, given: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(field path, message) for each value `given` that is over its limit."""
    found: list[tuple[tuple[str, ...], str]] = []
    _check(LIMITS.get(section, {}), given, (), found)
    return found


def _check(limits: Mapping[str, Any], given: Any, path: tuple[str, ...], found: list) -> None:
    if not isinstance(given, Mapping):
        return
    for name, limit in limits.items():
        value = given.get(name)
        where = (*path, name)
        if isinstance(limit, Chars):
            if isinstance(value, str) and len(value) > limit.most:
                found.append((where, f"at most {limit.most} characters (got {len(value)})"))
        elif isinstance(limit, TenureDay):
            day = _day(value)
            if day is not None and (problem := tenure_day_problem(day, date.today(), starts=limit.starts)):
                found.append((where, problem))
        elif isinstance(limit, Items):
            if isinstance(value, list):
                if len(value) > limit.most:
                    found.append((where, f"at most {limit.most} items (got {len(value)})"))
                    continue
                for index, item in enumerate(value):
                    if isinstance(item, str) and limit.characters is not None and len(item) > limit.characters:
                        found.append(((*where, str(index)), f"at most {limit.characters} characters (got {len(item)})"))
                    _check(limit.each, item, (*where, str(index)), found)
        else:  # an object: its own fields' limits
            _check(limit, value, where, found)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # not a day: the record's own rules say so
