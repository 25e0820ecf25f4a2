"""Country: a value type other subgraphs may define too, hence @shareable."""

import strawberry

from datastore.records import countries
from schema.enums import Continent


@strawberry.federation.type(shareable=True)
class Country:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2")
    name: str
    continent: Continent

    @classmethod
    def of(cls, country: countries.Country) -> "Country":
        return cls(code=country.code, name=country.name, continent=country.continent)

    @classmethod
    def of_code(cls, code: str | None) -> "Country | None":
        found = countries.country(code) if code else None
        return cls.of(found) if found else None
