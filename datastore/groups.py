"""Working groups, committees, forums and the rest: lookups (the record: datastore.records.groups)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datastore.client import Database
from datastore.documents import WHOLE_RESULT, find_in, replace_many
from datastore.records.groups import Group
from datastore.records.vocabulary import GroupKind
from datastore.text import search_condition, searchable_name

_SORT = [("name_folded", 1), ("_id", 1)]


@dataclass(frozen=True, slots=True)
class GroupFilter:
    kinds: tuple[GroupKind, ...] = ()
    active: bool | None = None
    search: str | None = None

    def to_query(self) -> dict:
        query: dict = search_condition(self.search) if self.search else {}  # first: see search_condition
        if self.kinds:
            query["kind"] = {"$in": [k.value for k in self.kinds]}
        if self.active is not None:
            query["active"] = self.active
        return query


def to_document(group: Group) -> dict:
    return {
        "_id": group.id,
        "slug": group.slug,
        "name": group.name,
        **searchable_name(group.name),
        "kind": group.kind.value,
        "description": group.description,
        "active": group.active,
        "parent_id": group.parent_id,
        "version": group.version,
        "updated_at": group.updated_at,
    }


def from_document(document: dict) -> Group:
    return Group(
        id=document["_id"],
        slug=document["slug"],
        name=document["name"],
        kind=GroupKind[document["kind"]],
        description=document.get("description"),
        active=bool(document.get("active")),
        parent_id=document.get("parent_id"),
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Group]:
    return [from_document(d) for d in await find_in(db.groups, "_id", ids)]


async def by_slug(db: Database, slug: str) -> Group | None:
    document = await db.groups.find_one({"slug": slug})
    return from_document(document) if document else None


async def by_parents(db: Database, parent_ids: Iterable[str]) -> list[Group]:
    return [from_document(d) for d in await find_in(db.groups, "parent_id", parent_ids, _SORT)]


async def matching(db: Database, where: GroupFilter) -> list[Group]:
    """All groups matching `where`, by name. The alliance has tens, not thousands."""
    cursor = db.groups.find(where.to_query(), sort=_SORT, batch_size=WHOLE_RESULT)
    return [from_document(d) for d in await cursor.to_list()]


async def upsert(db: Database, groups: Sequence[Group]) -> int:
    return await replace_many(db.groups, [to_document(g) for g in groups])
