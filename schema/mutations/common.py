"""What every mutation shares: user errors, and reading the fields an input gives."""

from typing import Any

import strawberry

from resolvers.edits import outcome

UserErrorCode = strawberry.enum(outcome.UserErrorCode)


@strawberry.type(description="Why a mutation changed nothing.")
class UserError:
    field: list[str] = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "patch", "website"]; [] when about the record itself'
    )
    message: str
    code: UserErrorCode

    @classmethod
    def of(cls, error: outcome.UserError) -> "UserError":
        return cls(field=list(error.field), message=error.message, code=error.code)


def user_errors(result: outcome.Outcome) -> list[UserError]:
    return [UserError.of(e) for e in result.errors]


def given(patch: Any, names: dict[str, str]) -> dict[str, Any]:
    """The fields a patch names, under their import names: omitted ones are left out,
    null ones kept as None (cleared where optional, INVALID where required)."""
    found = {}
    for attribute, name in names.items():
        value = getattr(patch, attribute)
        if value is not strawberry.UNSET:
            found[name] = [v.value if hasattr(v, "value") else v for v in value] if isinstance(value, list) else (
                value.value if hasattr(value, "value") else value
            )
    return found
