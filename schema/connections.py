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


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


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
    def of(cls, page: Page[Record], node: Callable[[Record], Node]):
        return cls(
            edges=[Edge(cursor=c, node=node(r)) for c, r in zip(page.cursors, page.items)],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            count=page.count,
        )
