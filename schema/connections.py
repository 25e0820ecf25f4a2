"""Relay-style connections, named after their node type (OrganisationConnection…)."""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from resolvers.pagination import Page

Node = TypeVar("Node")
Record = TypeVar("Record")


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
