"""What a mutation answers: the record, or user errors saying why nothing changed."""

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class UserErrorCode(str, Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    STALE_VERSION = "STALE_VERSION"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CONFLICT = "CONFLICT"
    # Within a limit on how often (invitations per sender per day); try again later.
    RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True, slots=True)
class UserError:
    """Why a mutation changed nothing: the input field at fault ([] for the record itself)."""

    field: tuple[str, ...]
    message: str
    code: UserErrorCode


class Refused(Exception):
    """Raised inside a mutation: nothing was changed, for these reasons."""

    def __init__(self, *errors: UserError, current: Any = None):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
        # On STALE_VERSION, the record as it is now.
        self.current = current


@dataclass(frozen=True, slots=True)
class Outcome(Generic[R]):
    record: R | None
    errors: list[UserError] = field(default_factory=list)
    client_mutation_id: str | None = None


def refuse(code: UserErrorCode, message: str, *path: str, current: Any = None) -> Refused:
    return Refused(UserError(("input", *path), message, code), current=current)


def forbidden(what: str) -> Refused:
    return refuse(UserErrorCode.FORBIDDEN, f"You may not {what}.")


def not_found(kind: str, path: str) -> Refused:
    return refuse(UserErrorCode.NOT_FOUND, f"No {kind} with this id.", path)


def stale(current: Any) -> Refused:
    return Refused(
        UserError(
            ("input", "expectedVersion"),
            f"Changed since you read it: it is now at version {current.version}; "
            "read it again and redo your change.",
            UserErrorCode.STALE_VERSION,
        ),
        current=current,
    )
