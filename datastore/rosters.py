"""Roster entries as stored: pages of one group's roster (RosterPage) and counts (the record: datastore.records.rosters)."""

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from datastore.client import Database
from datastore.documents import STREAM_BATCH, count_matching, find_in, one_of, replace_many
from datastore.engines import read_page
from datastore.generations import Generation
from datastore.keyset import Sort, SortKey
from datastore.records import dates
from datastore.records.rosters import RosterEntry, RosterOrder
from datastore.records.vocabulary import RosterRole

# Chairs first, then by seniority on the group.
SORT = [("role_rank", 1), ("since", 1), ("_id", 1)]
# Least recently changed first (RosterEntry.updated_key).
UPDATED_SORT = [("updated_key", 1), ("_id", 1)]


@dataclass(frozen=True, slots=True)
class RosterPage:
    """Up to `limit` of a group's tenures after the key `after` in `order`: of
    `roles` (every role when empty), held on `active_on` and changed at or
    after the instant key `updated_since`, when those are given."""

    group_id: str
    limit: int
    order: RosterOrder = RosterOrder.ROLE_ASC
    roles: frozenset[RosterRole] = frozenset()
    active_on: date | None = None
    updated_since: str | None = None
    after: SortKey | None = None

    @property
    def sort(self) -> Sort:
        return SORT if self.order is RosterOrder.ROLE_ASC else UPDATED_SORT

    def key_of(self, entry: RosterEntry) -> SortKey:
        return entry.sort_key if self.order is RosterOrder.ROLE_ASC else entry.updated_key

    @property
    def counted(self) -> "RosterPage":
        """The tenures of the whole list this page is one of, from the first:
        what its count counts, so every page of one list shares one count."""
        return replace(self, limit=0, order=RosterOrder.ROLE_ASC, after=None)

    def query(self) -> dict:
        """The filter of the tenures of the whole list (`after` aside)."""
        query: dict = {"group_id": self.group_id}
        if self.roles:
            query |= one_of("role", sorted(role.value for role in self.roles))
        if self.active_on is not None:
            query |= _held_on(self.active_on)
        if self.updated_since is not None:
            query["updated_key"] = {"$gte": self.updated_since}
        return query

    def cut(self, roster: list[RosterEntry]) -> tuple[list[RosterEntry], int]:
        """The page of a whole roster read in roster order, and how many of
        the roster it pages through."""
        admitted = [
            e for e in roster
            if (not self.roles or e.role in self.roles)
            and (self.active_on is None or e.active_on(self.active_on))
            and (self.updated_since is None or e.updated_key[0] >= self.updated_since)
        ]
        if self.order is not RosterOrder.ROLE_ASC:
            # A roster is read in roster order already (SORT, the order of
            # sort_key): sorting 2,818 tenures again by a key hashing each id took 8 ms.
            admitted.sort(key=self.key_of)
        after = self.after
        rest = admitted if after is None else [e for e in admitted if self.key_of(e) > after]
        return rest[: self.limit], len(admitted)


def to_document(entry: RosterEntry) -> dict:
    return {
        "_id": entry.id,
        "group_id": entry.group_id,
        "person_id": entry.person_id,
        "role": entry.role.value,
        "role_rank": entry.role.rank,
        "since": dates.to_text(entry.since),
        "until": dates.to_text(entry.until),
        "version": entry.version,
        "updated_at": entry.updated_at,
        "updated_key": dates.instant_key(entry.updated_at),
    }


def from_document(document: dict) -> RosterEntry:
    # A roster may be read whole (2,818 tenures at scale 10): no helper calls per field.
    until = document.get("until")
    return RosterEntry(
        group_id=document["group_id"],
        person_id=document["person_id"],
        role=RosterRole[document["role"]],
        since=date.fromisoformat(document["since"]),
        until=date.fromisoformat(until) if until else None,
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[RosterEntry]:
    return [from_document(d) for d in await find_in(db.roster, "_id", ids)]


async def by_groups(db: Database, group_ids: Iterable[str]) -> list[RosterEntry]:
    """Every tenure on any of the groups, in roster order."""
    return [from_document(d) for d in await find_in(db.roster, "group_id", group_ids, SORT)]


async def read_page_of(db: Database, page: RosterPage) -> list[RosterEntry]:
    """The tenures in `page`, read alone: the group's index walked from the
    page's start, not the group's whole roster. Both roster indexes lead with
    the group, not the sort; in roster order the sort leads with the role's
    rank, which takes the ranks of the page's roles."""
    ranks = sorted(role.rank for role in page.roles or RosterRole) if page.order is RosterOrder.ROLE_ASC else None
    found = await read_page(db.roster, page.query(), page.sort, page.after, page.limit,
                            index_leads_with_sort=False, leading_values=ranks)
    return [from_document(d) for d in found]


async def count_page(db: Database, page: RosterPage) -> int:
    """How many tenures the whole list holds, `after` aside."""
    return await count_matching(db.roster, page.query())


async def kept_count(db: Database, generation: Generation, page: RosterPage) -> int:
    """count_page, kept while the roster stays as it is (datastore.generations):
    every page of one list shares the one count."""
    counted = page.counted
    return await generation.answer(["roster"], ("roster count", counted), partial(count_page, db, counted))


def _held_on(day: date) -> dict:
    # Dates are stored as ISO text, which sorts as the dates do.
    text = dates.to_text(day)
    return {"since": {"$lte": text}, "$or": [{"until": None}, {"until": {"$gte": text}}]}


def _of_groups(group_ids: Iterable[str], active_on: date | None) -> dict:
    query: dict = {"group_id": {"$in": list(group_ids)}}
    return query if active_on is None else query | _held_on(active_on)


async def stream(db: Database, group_ids: Iterable[str], active_on: date | None = None) -> AsyncIterator[RosterEntry]:
    """The tenures on the groups (held on `active_on`, when given), group by
    group in roster order, from one cursor read `STREAM_BATCH` at a time."""
    sort = [("group_id", 1), *SORT]
    async with db.roster.find(_of_groups(group_ids, active_on), sort=sort, batch_size=STREAM_BATCH) as cursor:
        async for document in cursor:
            yield from_document(document)


async def count(db: Database, group_ids: Iterable[str], active_on: date | None = None) -> int:
    return await count_matching(db.roster, _of_groups(group_ids, active_on))


async def by_people(db: Database, person_ids: Iterable[str]) -> list[RosterEntry]:
    return [from_document(d) for d in await find_in(db.roster, "person_id", person_ids, SORT)]


async def upsert(db: Database, entries: Sequence[RosterEntry]) -> int:
    return await replace_many(db.roster, [to_document(e) for e in entries])
