"""Human labels for exported cells: country names, vocabulary words, headings."""

from enum import Enum

from datastore.records import countries
from datastore.records.organisations import StatDimension
from datastore.records.vocabulary import label


def country_name(code: str | None) -> str | None:
    if code is None:
        return None
    found = countries.country(code)
    return found.name if found else code


def word(value: Enum | None) -> str | None:
    """INFORMATION_TECHNOLOGY -> 'Information Technology'."""
    return label(value.value) if value is not None else None


def words(values: tuple[Enum, ...]) -> tuple[str, ...]:
    return tuple(label(v.value) for v in values)


def heading(dimension: StatDimension) -> str:
    """COUNTRY -> 'Country'."""
    return label(dimension.name)


def stat_label(dimension: StatDimension, key: str) -> str:
    """A statistics bucket's label, as membershipStats gives it."""
    return country_name(key) or key if dimension is StatDimension.COUNTRY else label(key)
