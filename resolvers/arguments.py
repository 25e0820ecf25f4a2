"""Checks on client arguments before anything reaches the database.

Only checked, typed values go into a query: strings become literal patterns or
exact matches, never operators.
"""

from collections.abc import Sequence
from typing import TypeVar

from datastore.records import countries
from resolvers.errors import BadArgument

MAX_SEARCH_LENGTH = 100
MAX_ID_LENGTH = 64
MAX_SLUG_LENGTH = 120  # as the import allows
MAX_LIST_VALUES = 300

T = TypeVar("T")


def page_size(first: int, cap: int, argument: str = "first") -> int:
    if first < 0 or first > cap:
        raise BadArgument(argument, f"must be between 0 and {cap}, got {first}")
    return first


def search_text(value: str | None, argument: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise BadArgument(argument, f"at most {MAX_SEARCH_LENGTH} characters, got {len(value)}")
    return value.strip() or None


def identifier(value: str, argument: str) -> str:
    if len(value) > MAX_ID_LENGTH:
        raise BadArgument(argument, f"an id has at most {MAX_ID_LENGTH} characters")
    return value


def slug(value: str, argument: str = "slug") -> str:
    if len(value) > MAX_SLUG_LENGTH:
        raise BadArgument(argument, f"a slug has at most {MAX_SLUG_LENGTH} characters")
    return value


def values(items: Sequence[T] | None, argument: str) -> tuple[T, ...]:
    if not items:
        return ()
    if len(items) > MAX_LIST_VALUES:
        raise BadArgument(argument, f"at most {MAX_LIST_VALUES} values, got {len(items)}")
    return tuple(dict.fromkeys(items))


def country_codes(codes: Sequence[str] | None, argument: str) -> tuple[str, ...]:
    checked = []
    for code in values(codes, argument):
        found = countries.country(code) if len(code) <= 3 else None
        if found is None:
            shown = code if len(code) <= 12 else code[:12] + "…"
            raise BadArgument(argument, f"{shown!r} is not an ISO 3166-1 alpha-2 country code")
        checked.append(found.code)
    return tuple(dict.fromkeys(checked))
