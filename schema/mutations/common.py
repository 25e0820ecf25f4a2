"""What every mutation shares: user errors, and reading the fields an input gives."""

import hashlib
import json
from typing import Any

import strawberry
from graphql.utilities import value_from_ast_untyped
from strawberry import Info

from resolvers.mutations import outcome

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


def call_digest(info: Info) -> str:
    """What a retry with the same clientMutationId must repeat: the mutation's name and
    its arguments as given (the one place every mutation's digest is made)."""
    variables = info.variable_values
    node = info._raw_info.field_nodes[0]
    arguments = {a.name.value: value_from_ast_untyped(a.value, variables) for a in node.arguments or ()}
    text = json.dumps([info.field_name, arguments], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
