"""Size limits on every mutation's input, checked before the mutation runs.

Every string of an input has a limit (by its name, else an id's or free
text's), every list a number of items: a mutation given more changes nothing
and answers INVALID naming the input path, as any bad value. The limits are
datastore.records.arrival's, the import's too; they apply to values as they arrive,
never to what is stored (a record's history is the system's, not input).
"""

from collections.abc import Iterator
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.utils.str_converters import to_camel_case

from datastore.records import arrival
from schema.mutations.common import UserError, UserErrorCode

# Strings by their field's name; other ids at arrival.ID, other strings are free text.
CHARACTERS = {
    "client_mutation_id": arrival.CLIENT_MUTATION_ID,
    "reason": arrival.TEXT,
    "message": arrival.TEXT,
    "description": arrival.TEXT,
    "name": arrival.NAME,
    "given_name": arrival.NAME,
    "family_name": arrival.NAME,
    "city": arrival.NAME,
    "website": arrival.URL,
    "ror_id": arrival.URL,
    "slug": arrival.SLUG,
    "email": arrival.EMAIL,
    "orcid": arrival.ID,
    "country": arrival.ID,
    "time_zone": arrival.ID,
    "constitution": arrival.ID,
    "member_agreement": arrival.ID,
}


def _unwrapped(annotation: Any) -> Any:
    while isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation


def _most_characters(name: str, annotation: Any) -> int:
    if name in CHARACTERS:
        return CHARACTERS[name]
    return arrival.ID if _unwrapped(annotation) is strawberry.ID else arrival.TEXT


def problems(value: Any, path: tuple[str, ...] = ("input",)) -> Iterator[UserError]:
    """A user error for each string or list of the input `value` over its limit."""
    if not has_object_definition(value):
        return
    for field in value.__strawberry_definition__.fields:
        given = getattr(value, field.python_name, None)
        where = (*path, field.graphql_name or to_camel_case(field.python_name))
        annotation = _unwrapped(field.type)
        if isinstance(given, str):
            most = _most_characters(field.python_name, annotation)
            if len(given) > most:
                yield _invalid(where, f"at most {most} characters (got {len(given)})")
        elif isinstance(given, list):
            if len(given) > arrival.ITEMS:
                yield _invalid(where, f"at most {arrival.ITEMS} items (got {len(given)})")
                continue
            item_type = _unwrapped(annotation.of_type) if isinstance(annotation, StrawberryList) else None
            for index, item in enumerate(given):
                if isinstance(item, str):
                    most = arrival.ID if item_type is strawberry.ID else arrival.TEXT
                    if len(item) > most:
                        yield _invalid((*where, str(index)), f"at most {most} characters (got {len(item)})")
                else:
                    yield from problems(item, (*where, str(index)))
        else:
            yield from problems(given, where)


def _invalid(path: tuple[str, ...], message: str) -> UserError:
    return UserError(field=list(path), message=message, code=UserErrorCode.INVALID)


class InputLimits(FieldExtension):
    """Answers a mutation whose input is over a limit with its payload's INVALID user errors."""

    def apply(self, field: Any) -> None:
        self.field = field

    def _refused(self, errors: list[UserError], given: Any) -> Any:
        payload = self.field.type
        kept = ("user_errors", "client_mutation_id")
        record = {f.python_name: None for f in payload.__strawberry_definition__.fields if f.python_name not in kept}
        client_mutation_id = getattr(given, "client_mutation_id", None)
        if not isinstance(client_mutation_id, str) or len(client_mutation_id) > arrival.CLIENT_MUTATION_ID:
            client_mutation_id = None  # never echo what was refused
        return payload(**record, user_errors=errors, client_mutation_id=client_mutation_id)

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        errors = list(problems(kwargs.get("input")))
        return self._refused(errors, kwargs.get("input")) if errors else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        errors = list(problems(kwargs.get("input")))
        if errors:
            return self._refused(errors, kwargs.get("input"))
        return await next_(source, info, **kwargs)


def with_input_limits(mutation_type: type) -> type:
    """Every mutation of the type gets its input checked (once, at import)."""
    for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(e, InputLimits) for e in field.extensions):
            field.extensions.append(InputLimits())
    return mutation_type
