"""What every mutation shares: user errors, the input fields every change
carries, the payload, and reading the fields an input gives."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

import strawberry
from graphql.utilities import value_from_ast_untyped
from strawberry import Info
from strawberry.types.base import StrawberryOptional

from resolvers.mutations import outcome
from resolvers.mutations import committing

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


T = TypeVar("T")


@strawberry.input
class MutationInput:
    """What every mutation's input may carry: `reason` (kept in the audit log) and
    `clientMutationId` (a retry with the same one answers as the first call did).
    An input that needs a reason declares it again, `reason: str = strawberry.field()`
    (a bare `reason: str` would inherit the default None)."""

    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input
class ChangeInput(MutationInput):
    """An input that changes a record the caller has read: the change applies only
    to the version the caller read (`expectedVersion`), or is STALE."""

    expected_version: int


def mutation_input(cls: type[T] | None = None, *, description: str | None = None) -> Any:
    """strawberry.input for a MutationInput, with the fields in the order clients
    read them: the record's id and `expectedVersion` (a ChangeInput), the input's
    own fields, then `reason` and `clientMutationId`. (Inherited fields would
    come first.)"""

    def make(cls: type[T]) -> type[T]:
        made = strawberry.input(cls, description=description)
        definition = made.__strawberry_definition__  # type: ignore[attr-defined]
        by_name = {f.python_name: f for f in definition.fields}
        for field in definition.fields:
            if field.default is None and not isinstance(field.type, StrawberryOptional):
                raise TypeError(f"{made.__name__}.{field.python_name}: required, yet its default (inherited?) is None")
        shared = ("expected_version", "reason", "client_mutation_id")
        own = [f for f in definition.fields if f.python_name not in shared]
        head = [*own[:1], by_name["expected_version"]] if "expected_version" in by_name else own[:1]
        tail = [by_name[name] for name in shared[1:] if name in by_name]
        definition.fields = [*head, *own[1:], *tail]
        return made

    return make if cls is None else make(cls)


@strawberry.type
class Payload:
    """A mutation's answer: the record as it now is (null when there is none to
    show), the user errors, and the input's clientMutationId. Each payload
    declares its record's field (its one field of its own, shown first), and
    says how a change's record is loaded (`load`) and shown (`show`)."""

    user_errors: list[UserError]
    client_mutation_id: str | None

    record_field: ClassVar[str]  # set by @payload
    load: ClassVar[Callable[[Any, Any], Awaitable[Any]]]  # (context, change) -> the record
    show: ClassVar[Callable[[Any], Any]]  # a record -> its GraphQL type, or None

    @classmethod
    async def of(cls, info: Info, work: Awaitable[Any], client_mutation_id: str | None) -> Any:
        context = info.context
        result = await committing.outcome(context, work, client_mutation_id, lambda change: cls.load(context, change),
                                          call_digest(info))
        record = result.record
        return cls(**{cls.record_field: cls.show(record) if record is not None else None},
                   user_errors=user_errors(result), client_mutation_id=client_mutation_id)


def payload(cls: type[T]) -> type[T]:
    """strawberry.type for a Payload: its record's field first, as clients read it."""
    made = strawberry.type(cls)
    definition = made.__strawberry_definition__  # type: ignore[attr-defined]
    inherited = {f.python_name for f in Payload.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    own = [f for f in definition.fields if f.python_name not in inherited]
    assert len(own) == 1, f"{cls.__name__}: a payload has one field of its own, its record"
    made.record_field = own[0].python_name  # type: ignore[attr-defined]
    definition.fields = [*own, *(f for f in definition.fields if f.python_name in inherited)]
    return made


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
