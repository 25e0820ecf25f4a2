"""E-mail addresses and ORCIDs in an export, as its viewer may see them.

The rule is resolvers.privacy's, cell by cell, exactly as Person.email and
Person.orcid apply it; the one difference is batching: whether the viewer
manages an organisation a person is a role contact of is decided for a chunk
of people in one command, never one per row.
"""

from collections.abc import Sequence

from datastore import contacts
from datastore.client import Database
from datastore.people import Person
from datastore.vocabulary import Role
from resolvers.privacy import MANAGING_ROLES, ContactField, may_see
from resolvers.viewer import Viewer

Details = tuple[str | None, str | None]  # (e-mail, ORCID); None where hidden or absent


def _value(person: Person, field: ContactField) -> str | None:
    return person.email if field is ContactField.EMAIL else person.orcid


class ContactDetails:
    def __init__(self, db: Database, viewer: Viewer, managed: frozenset[str]):
        self.db, self.viewer = db, viewer
        self.managed = managed  # organisations the viewer is Primary or Administrator of

    @classmethod
    async def for_viewer(cls, db: Database, viewer: Viewer) -> "ContactDetails":
        managed: frozenset[str] = frozenset()
        if viewer.person_id is not None and viewer.role is not Role.ANONYMOUS:
            mine = await contacts.by_people(db, [viewer.person_id])
            managed = frozenset(c.organisation_id for c in mine if c.role in MANAGING_ROLES)
        return cls(db, viewer, managed)

    async def of(self, people: Sequence[Person]) -> dict[str, Details]:
        """Each person's (e-mail, ORCID) as the viewer may see them: at most one command."""
        undecided = [p for p in people if any(self._hidden(p, field, manages=False) for field in ContactField)]
        managing: set[str] = set()
        if undecided and self.managed:
            theirs = await contacts.by_people(self.db, [p.id for p in undecided])
            managing = {c.person_id for c in theirs if c.organisation_id in self.managed}
        return {
            p.id: (self._shown(p, ContactField.EMAIL, p.id in managing), self._shown(p, ContactField.ORCID, p.id in managing))
            for p in people
        }

    def _hidden(self, person: Person, field: ContactField, manages: bool) -> bool:
        return _value(person, field) is not None and self._shown(person, field, manages) is None

    def _shown(self, person: Person, field: ContactField, manages: bool) -> str | None:
        rule = dict(visibility=person.contact_visibility, role=self.viewer.role)
        allowed = may_see(field, **rule, is_self=self.viewer.person_id == person.id, manages_their_organisation=manages)
        return _value(person, field) if allowed else None
