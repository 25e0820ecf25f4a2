"""Role contacts: who is an organisation's Primary, Administrator, Signer, or
communications contact for a working group."""

import hashlib
from dataclasses import dataclass

from datastore.records.vocabulary import ContactRole


@dataclass(frozen=True, slots=True)
class RoleContact:
    organisation_id: str
    person_id: str
    role: ContactRole
    group_id: str | None = None

    @property
    def id(self) -> str:
        """Derived from what the contact is, so importing it twice is one contact."""
        natural = "|".join(
            (self.organisation_id, self.role.value, self.person_id, self.group_id or "")
        )
        return "rc_" + hashlib.sha256(natural.encode()).hexdigest()[:20]
