"""Roster entries: a person's role in a group, from `since` until `until`."""

import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from datastore import dates
from datastore.client import Database
from datastore.documents import STREAM_BATCH, count_matching, find_in, replace_many
from datastore.keyset import SortKey
from datastore.vocabulary import RosterRole

# Chairs first, then by seniority on the group.
SORT = [("role_rank", 1), ("since", 1), ("_id", 1)]


class RosterOrder(Enum):
    ROLE_ASC = "role"  # chairs first, then by seniority on the group
    UPDATED_ASC = "updated"  # least recently changed first


@dataclass(frozen=True, slots=True)
class RosterEntry:
    group_id: str
    person_id: str
    role: RosterRole
    since: date
    until: date | None = None
    version: int = 1
    updated_at: datetime | None = None

    @property
    def id(self) -> str:
        """Derived from what the tenure is, so importing it twice is one entry."""
        natural = "|".join((self.group_id, self.person_id, self.role.value, self.since.isoformat()))
        return "ros_" + hashlib.sha256(natural.encode()).hexdigest()[:20]

    @property
    def sort_key(self) -> SortKey:
        return (self.role.rank, self.since.isoformat(), self.id)

    @property
    def updated_key(self) -> SortKey:
        """Least recently changed first."""
        return (dates.instant_key(self.updated_at), self.id)

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


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
    # A roster is read whole (2,818 tenures at scale 10): no helper calls per field.
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


def _of_groups(group_ids: Iterable[str], active_on: date | None) -> dict:
    query: dict = {"group_id": {"$in": list(group_ids)}}
    if active_on is not None:
        # Dates are stored as ISO text, which sorts as the dates do.
        day = dates.to_text(active_on)
        query["since"] = {"$lte": day}
        query["$or"] = [{"until": None}, {"until": {"$gte": day}}]
    return query


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
