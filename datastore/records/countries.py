"""ISO 3166-1 countries and the continent each lies on.

Names come from pycountry (the ISO 3166 tables); continents from
pycountry-convert. Territories without an inhabited continent (Antarctica and
a few uninhabited islands) are left out: they cannot host a member.
"""

from dataclasses import dataclass
from functools import cache

import pycountry
from pycountry_convert import country_alpha2_to_continent_code

from datastore.records.vocabulary import Continent

_CONTINENT_BY_CODE = {
    "AF": Continent.AFRICA,
    "AS": Continent.ASIA,
    "EU": Continent.EUROPE,
    "NA": Continent.NORTH_AMERICA,
    "OC": Continent.OCEANIA,
    "SA": Continent.SOUTH_AMERICA,
}


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    continent: Continent


@cache
def _countries() -> dict[str, Country]:
    found: dict[str, Country] = {}
    for entry in pycountry.countries:
        try:
            continent_code = country_alpha2_to_continent_code(entry.alpha_2)
        except KeyError:
            continue
        continent = _CONTINENT_BY_CODE.get(continent_code)
        if continent is None:
            continue
        name = getattr(entry, "common_name", None) or entry.name
        found[entry.alpha_2] = Country(entry.alpha_2, name, continent)
    return dict(sorted(found.items(), key=lambda item: item[1].name))


def all_countries(continent: Continent | None = None) -> list[Country]:
    """Every country, by name, optionally only those on one continent."""
    return [c for c in _countries().values() if continent in (None, c.continent)]


def country(code: str) -> Country | None:
    """The country with this ISO alpha-2 code (any case), or None."""
    return _countries().get(code.strip().upper())
