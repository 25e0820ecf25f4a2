"""Federation's `_entities`, with representations checked first.

Strawberry looks a representation's `__typename` up unchecked, so a gateway or
client sending an unknown type or no `id` got a masked internal error. Here
each bad representation is a BAD_USER_INPUT error at its own index, and the
good ones around it still resolve. Keys besides `__typename` and the key field
are ignored: a router sends the fields another subgraph `@requires` along with
the key, and the directory looks its records up by `id` alone.
"""

from typing import Any

import strawberry
from strawberry import Info
from strawberry.federation.schema import FederationAny

from resolvers import arguments
from resolvers.errors import BadArgument


class DirectorySchema(strawberry.federation.Schema):
    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        entity_types = sorted(
            name for name, type_ in self.schema_converter.type_map.items()
            if hasattr(getattr(type_.definition, "origin", None), "resolve_reference")
        )
        problems = {
            index: problem
            for index, representation in enumerate(representations)
            if (problem := _problem_of(index, representation, entity_types))
        }
        good = [
            {"__typename": r["__typename"], "id": r["id"]}
            for index, r in enumerate(representations)
            if index not in problems
        ]
        resolved = iter(super().entities_resolver(info, good))
        return [problems.get(index) or next(resolved) for index in range(len(representations))]


def _problem_of(index: int, representation: Any, entity_types: list[str]) -> BadArgument | None:
    def problem(text: str) -> BadArgument:
        return BadArgument("representations", f"[{index}] {text}")

    if not isinstance(representation, dict):
        return problem("must be an object with __typename and id")
    type_name = representation.get("__typename")
    if type_name not in entity_types:
        shown = repr(type_name)[:40]
        return problem(f"__typename {shown} is not an entity here; expected one of {', '.join(entity_types)}")
    entity_id = representation.get("id")
    if not isinstance(entity_id, str) or not entity_id:
        return problem("needs an id (a string)")
    if len(entity_id) > arguments.MAX_ID_LENGTH:
        return problem(f"an id has at most {arguments.MAX_ID_LENGTH} characters")
    return None
