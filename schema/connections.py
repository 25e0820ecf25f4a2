"""Relay-style connections, named after their node type (OrganisationConnection…)."""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField

from resolvers.pagination import Page

Node = TypeVar("Node")
Record = TypeVar("Record")


def total_count_asked(info: Any) -> bool:
    """Whether the connection being resolved has its `totalCount` selected,
    so its count can be read beside its page rather than after it. `info` is
    the planned executor's (memberdir.execution.planned: the names it selected) or
    Strawberry's (graphql-core's executor, the reference)."""
    selected = getattr(info, "selected", None)
    if selected is not None:
        return "totalCount" in selected
    return any(_selects(f.selections, "totalCount") for f in info.selected_fields)


def _selects(selections: list, name: str) -> bool:
    """`name` among `selections`, a fragment's own selections included."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _selects(selection.selections, name):
            return True
    return False


# Every subgraph with Relay connections has a PageInfo: shared, not owned.
@strawberry.federation.type(shareable=True)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def _cursor(root: "Edge") -> str:
    return root.page.cursor_of(root.row)


@strawberry.type
class Edge(Generic[Node]):
    # Worked out when asked for: most clients read `nodes` and `pageInfo` only.
    cursor: str = strawberry.field(resolver=_cursor)
    node: Node
    page: strawberry.Private[Page]
    row: strawberry.Private[object]


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="All rows matching the arguments, on every page.")
    async def total_count(self) -> int:
        # Counted only when asked for: a page alone costs one query.
        return await self.count()

    @classmethod
    def of(cls, page: Page[Record], node: Callable[[Record], Node], edge: type = Edge):
        return cls(
            edges=[edge(node=node(r), page=page, row=r) for r in page.items],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            count=page.count,
        )
