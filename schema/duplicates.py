"""Duplicate candidates (staff): pairs of records that may be one, scored with reasons."""

import strawberry
from strawberry import Info

from datastore.records import vocabulary
from resolvers import duplicates
from schema.audit import RecordType
from schema.connections import PageInfo
from schema.node import Node, to_node
from resolvers.nodes import nodes


@strawberry.type(description="Records that may be one person or organisation, with a score in [0, 1] and why.")
class DuplicateCandidate:
    ids: strawberry.Private[tuple[str, ...]]
    score: float
    reasons: list[str]

    @strawberry.field
    async def records(self, info: Info) -> list[Node]:
        return [to_node(r) for r in await nodes(info.context, list(self.ids)) if r is not None]


@strawberry.type
class DuplicateCandidateEdge:
    cursor: str
    node: DuplicateCandidate


@strawberry.type
class DuplicateCandidateConnection:
    edges: list[DuplicateCandidateEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[DuplicateCandidate]:
        return [edge.node for edge in self.edges]


@strawberry.type
class DuplicateQueries:
    @strawberry.field(description="Staff: candidate duplicates of one kind (PERSON or ORGANISATION), highest "
                                  "score first; kept current after each write of a record.")
    async def duplicate_candidates(self, info: Info, record_type: RecordType, first: int | None = 20,
                                   after: str | None = None) -> DuplicateCandidateConnection:
        page = await duplicates.candidates(info.context, vocabulary.RecordType(record_type.value), first, after)
        edges = [DuplicateCandidateEdge(cursor=page.cursor_of(c), node=DuplicateCandidate(
            ids=c.ids, score=c.score, reasons=list(c.reasons))) for c in page.items]
        return DuplicateCandidateConnection(edges=edges, page_info=PageInfo(has_next_page=page.has_next,
                                                                            end_cursor=page.end_cursor))
