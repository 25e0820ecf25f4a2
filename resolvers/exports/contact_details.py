"""E-mail addresses and ORCIDs in an export, as its viewer may see them.

The rule is resolvers.privacy's, cell by cell, exactly as Person.email and
Person.orcid apply it: from the person's own choice and who the viewer is
(anonymous, member, the person themself, staff). Nobody's role contacts enter
into it, so a chunk of rows needs no lookup at all.
"""

from collections.abc import Sequence

from datastore.client import Database
from datastore.records.people import Person
from resolvers import privacy
from resolvers.privacy import PERSON, ContactField
from resolvers.viewer import Viewer

Details = tuple[str | None, str | None]  # (e-mail, ORCID); None where hidden or absent


def _value(person: Person, field: ContactField) -> str | None:
    return person.email if field is ContactField.EMAIL else person.orcid


class ContactDetails:
    def __init__(self, db: Database, viewer: Viewer):
        self.db, self.viewer = db, viewer

    @classmethod
    async def for_viewer(cls, db: Database, viewer: Viewer) -> "ContactDetails":
        return cls(db, viewer)

    async def of(self, people: Sequence[Person]) -> dict[str, Details]:
        """Each person's (e-mail, ORCID) as the viewer may see them."""
        return {p.id: (self._shown(p, ContactField.EMAIL), self._shown(p, ContactField.ORCID)) for p in people}

    def _shown(self, person: Person, field: ContactField) -> str | None:
        held = privacy.relations(self.viewer.role, is_self=self.viewer.person_id == person.id)
        allowed = privacy.sees_field(PERSON, field.value, held, person.contact_visibility)
        return _value(person, field) if allowed else None
