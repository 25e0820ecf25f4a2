"""How many items each plain list may hold: the bound the query cost counts.

A list that can grow with the data takes `first` (a default, and a maximum
over which it is refused, never quietly cut to the maximum); a list whose
length the vocabulary fixes has that length as its maximum. The cost rule
(memberdir.execution.cost) counts each list at these sizes, so a query's cost is an
upper bound of the objects it can return.
"""

from dataclasses import dataclass

from datastore.records import countries
from datastore.records.organisations import StatDimension
from datastore.records.vocabulary import Continent, Designation, MembershipStatus, OrganisationKind, Sector
from resolvers.arguments import page_size


@dataclass(frozen=True, slots=True)
class ListSize:
    default: int
    maximum: int

    def take(self, first: int | None) -> slice:
        """The part of the list `first` asks for (the default when not given);
        BadArgument over the maximum. Asked before the resolver reads anything:
        a bad argument is then refused on the resolver's first step, so of two
        bad fields graphql-core reports the first in the document, whichever
        read would have come back first."""
        return slice(self.default if first is None else page_size(first, self.maximum))


WORKING_GROUPS = ListSize(default=100, maximum=500)  # Query.workingGroups
GROUP_ORGANISATIONS = ListSize(default=200, maximum=1000)  # WorkingGroup.organisations
GROUP_CHILDREN = ListSize(default=50, maximum=200)
GROUP_CHAIRS = ListSize(default=20, maximum=100)
ORGANISATION_GROUPS = ListSize(default=50, maximum=200)  # Organisation.workingGroups
ORGANISATION_CONTACTS = ListSize(default=20, maximum=100)
PERSON_ROLES = ListSize(default=20, maximum=100)
PERSON_TENURES = ListSize(default=20, maximum=200)  # Person.groups
PERSON_COMMUNICATIONS = ListSize(default=50, maximum=200)  # Person.communications and Person.subscriptions
VIEWER_MANAGES = ListSize(default=50, maximum=200)  # Viewer.manages
VIEWER_CHAIRS = ListSize(default=50, maximum=200)  # Viewer.chairs
NEEDS_PRIMARY = ListSize(default=100, maximum=500)  # Query.organisationsNeedingPrimary

# Fixed by the rules: a membership history holds at most this many changes (the
# import refuses longer ones; the lifecycle makes about two a decade), a change
# names at most one entry per field of a record, a payload at most one error per
# input field, an error's path is a few names deep, `nodes` takes at most 100 ids.
MEMBERSHIP_HISTORY = 200
CHANGED_FIELDS = 32
USER_ERRORS = 32
# Host institutions' endpoints (Query.webhookEndpoints): a registration past it is refused.
WEBHOOK_ENDPOINTS = 100
ERROR_PATH = 8

# Fixed by the vocabulary: every country the directory knows, and a bucket per
# value of the largest statistics dimension (countries).
COUNTRIES = len(countries.all_countries())
_DIMENSION_VALUES = {
    StatDimension.COUNTRY: COUNTRIES,
    StatDimension.CONTINENT: len(Continent),
    StatDimension.SECTOR: len(Sector),
    StatDimension.KIND: len(OrganisationKind),
    StatDimension.DESIGNATION: len(Designation),
    StatDimension.STATUS: len(MembershipStatus),
}
STAT_BUCKETS = max(_DIMENSION_VALUES.values())


def stat_buckets(dimension: object) -> int:
    """Buckets of the dimension named (membershipStats `by`, `thenBy`); the
    largest dimension's when the name is not one (another rule refuses it)."""
    found = StatDimension.__members__.get(dimension) if isinstance(dimension, str) else None
    return _DIMENSION_VALUES[found] if found else STAT_BUCKETS
