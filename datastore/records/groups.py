"""Working groups, committees, forums and the rest: the record."""

from dataclasses import dataclass
from datetime import datetime

from datastore.records.vocabulary import GroupKind


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    slug: str
    name: str
    kind: GroupKind
    active: bool = True
    description: str | None = None
    parent_id: str | None = None
    version: int = 1
    updated_at: datetime | None = None
