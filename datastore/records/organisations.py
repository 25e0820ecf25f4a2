"""Member organisations: the record, the orders a list of them is read in, and
what their statistics group by."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from datastore.records import countries, dates, time_zones
from datastore.records.memberships import StatusChange
from datastore.records.vocabulary import Continent, Designation, MembershipStatus, OrganisationKind, Sector

REVIEW_INTERVAL_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    slug: str
    name: str
    kind: OrganisationKind
    country_code: str
    status: MembershipStatus
    sectors: tuple[Sector, ...] = ()
    designations: tuple[Designation, ...] = ()
    city: str | None = None
    website: str | None = None
    ror_id: str | None = None
    # Other names and acronyms the organisation is known by (staff-edited): affiliation matching reads them.
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    joined_on: date | None = None
    last_reviewed_on: date | None = None
    history: tuple[StatusChange, ...] = ()
    removal_notice_on: date | None = None
    # An IANA key staff set; None: the country's own zone (datastore.records.time_zones).
    time_zone_set: str | None = None
    version: int = 1
    updated_at: datetime | None = None

    @property
    def time_zone(self) -> str:
        """The zone its notices word times in: the one set, else its country's, else UTC."""
        return self.time_zone_set or time_zones.default_for(self.country_code)

    @property
    def continent(self) -> Continent:
        found = countries.country(self.country_code)
        assert found is not None, f"{self.id} has unknown country {self.country_code}"
        return found.continent

    @property
    def next_review_due(self) -> date | None:
        """Ongoing membership is reviewed every 12 months."""
        if self.status not in (MembershipStatus.ACTIVE, MembershipStatus.LAPSED):
            return None
        reviewed = self.last_reviewed_on or self.joined_on
        return dates.add_months(reviewed, REVIEW_INTERVAL_MONTHS) if reviewed else None


class OrganisationOrder(Enum):
    """Each order is its sort: the stored fields, ascending (1) or descending (-1)."""

    NAME_ASC = (("name_folded", 1), ("_id", 1))
    NAME_DESC = (("name_folded", -1), ("_id", -1))
    # Organisations that have not joined yet sort as the empty string: first
    # when ascending, last when descending.
    JOINED_ASC = (("joined_key", 1), ("_id", 1))
    JOINED_DESC = (("joined_key", -1), ("_id", -1))
    # Overdue reviews first; organisations with no review due last.
    REVIEW_DUE_ASC = (("review_due_key", 1), ("_id", 1))
    # Least recently changed first: a host institution resumes where it stopped.
    UPDATED_ASC = (("updated_key", 1), ("_id", 1))

    @property
    def sort(self) -> tuple[tuple[str, int], ...]:
        return self.value


class StatDimension(Enum):
    """What membership statistics can be grouped by: (field, is_a_list)."""

    COUNTRY = ("country", False)
    CONTINENT = ("continent", False)
    SECTOR = ("sectors", True)
    KIND = ("kind", False)
    DESIGNATION = ("designations", True)
    STATUS = ("status", False)
