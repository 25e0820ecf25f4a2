"""Changes: the audit log's entries, each naming the record it claimed (its
`owner` and the version it creates) and the record it is about, who made it
and what it changed (the write path that claims and applies them is
datastore.writes)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from datastore.records.vocabulary import ChangeAction, RecordType

# Records written before versions were kept count as updated at this time.
VERSIONS_BEGAN = datetime(2026, 11, 1, tzinfo=UTC)


class ChangeState(str, Enum):
    CLAIMED = "claimed"
    APPLIED = "applied"
    # Claimed, then found impossible when applied (a slug taken meanwhile):
    # never acknowledged, never in the audit log.
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, and in which role they acted ("staff", "primary", "self", "import"...)."""

    role: str
    person_id: str | None = None
    key_id: str | None = None
    # Where an import came from: "import:<file>".
    source: str | None = None

    @property
    def identity(self) -> str:
        """Whose retries are the same caller's (clientMutationId is per caller)."""
        return self.key_id or self.person_id or self.source or self.role


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None
    # A contact detail: its values are shown only to callers who may see them.
    private: bool = False
    # Erased on request: the values are gone.
    erased: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A record a change touched, as the change feed reports it."""

    record_type: RecordType
    record_id: str
    action: ChangeAction
    version: int


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    owner_type: RecordType
    owner_id: str
    version: int
    record_type: RecordType
    record_id: str
    action: ChangeAction
    at: datetime
    actor: Actor
    state: ChangeState
    fields: tuple[FieldChange, ...] = ()
    reason: str | None = None
    client_key: str | None = None
    # Every record the change touched: the versioned one, what it is about, the documents written with it.
    notices: tuple[Notice, ...] = ()
    plan: dict | None = field(default=None, compare=False)
