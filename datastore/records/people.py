"""Individual members: the record and the orders a list of them is read in."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from datastore.records.memberships import IndividualMembership
from datastore.records.vocabulary import ContactVisibility
from datastore.records.pending_email import PendingEmail


class PersonOrder(Enum):
    """Each order is its sort: the stored fields, ascending (1) or descending (-1)."""

    # Family name first, as a printed directory lists people.
    NAME_ASC = (("sort_name", 1), ("_id", 1))
    # Least recently changed first: a host institution resumes where it stopped.
    UPDATED_ASC = (("updated_key", 1), ("_id", 1))

    @property
    def sort(self) -> tuple[tuple[str, int], ...]:
        return self.value


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    given_name: str
    family_name: str
    email: str | None = None
    orcid: str | None = None
    country_code: str | None = None
    affiliation_id: str | None = None
    contact_visibility: ContactVisibility = ContactVisibility.MEMBERS
    individual_membership: IndividualMembership | None = None
    # Groups whose updates the person subscribed to themself (see Person.communications).
    communications: tuple[str, ...] = ()
    erased: bool = False
    version: int = 1
    updated_at: datetime | None = None
    # A new address asked for, not yet confirmed (datastore/records/pending_email.py, datastore/email_verification.py).
    pending_email: PendingEmail | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"
