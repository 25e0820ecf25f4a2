"""The group tree stays a tree: no group is its own ancestor, whatever runs at once.

A change of a group's parent is checked twice: before its claim (a plain
refusal for the caller), and after it (datastore.writes' `checked`), against
the parents the groups have *and* those that changes still in flight are
writing. Of two changes that would make a cycle together, the one that checks
last sees the other's claim, so at least one is refused; a claim cut off by a
crash still counts until it is completed or rejected. The same holds for any
number of changes making one cycle: the last of them to check sees every
other's claim.
"""

from collections import defaultdict

from datastore.client import Database
from datastore.records.changes import ChangeState


async def parents(db: Database, *, without_change: str | None = None) -> dict[str, set[str]]:
    """Every group's parents: the one it has, and those changes in flight are writing.
    Claims are read before records: a change applied between the two reads is in the
    records (it writes them before it is marked applied)."""
    found: dict[str, set[str]] = defaultdict(set)
    in_flight = db.changes.find({"state": ChangeState.CLAIMED.value, "plan.collection": "groups"},
                                projection=["plan.document._id", "plan.document.parent_id"])
    async for change in in_flight:
        if change["_id"] == without_change:
            continue
        document = (change.get("plan") or {}).get("document") or {}
        if document.get("parent_id"):
            found[document["_id"]].add(document["parent_id"])
    async for group in db.groups.find({"parent_id": {"$ne": None}}, projection=["parent_id"]):
        if group.get("parent_id"):
            found[group["_id"]].add(group["parent_id"])
    return found


def makes_cycle(tree: dict[str, set[str]], group_id: str, parent_id: str | None) -> bool:
    """Whether `group_id` under `parent_id` would be its own ancestor in `tree`."""
    seen: set[str] = set()
    waiting = [parent_id] if parent_id else []
    while waiting:
        at = waiting.pop()
        if at == group_id:
            return True
        if at in seen:
            continue
        seen.add(at)
        waiting.extend(tree.get(at, ()))
    return False


async def would_cycle(db: Database, group_id: str, parent_id: str | None, *, without_change: str | None = None) -> bool:
    return makes_cycle(await parents(db, without_change=without_change), group_id, parent_id)


async def cycles(db: Database) -> list[list[str]]:
    """The invariant, over the stored groups: each cycle found (none, always)."""
    parent_of = {g["_id"]: g.get("parent_id") async for g in db.groups.find({}, projection=["parent_id"])}
    found, done = [], set()
    for start in parent_of:
        path, at = [], start
        while at is not None and at not in done and at not in path:
            path.append(at)
            at = parent_of.get(at)
        if at in path:
            found.append(path[path.index(at):])
        done.update(path)
    return found
