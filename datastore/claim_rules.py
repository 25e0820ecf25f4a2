"""The rules spanning records, for a claimed change completed by another process.

A writer checks its change once claimed (datastore.writes' `checked`: the group
tree, datastore.group_tree; no tenure for a REMOVED member,
datastore.individuals). A writer cut off between its claim and the end of that
check never finished it, so whoever completes its change (recovery after the
lease, a retry) checks it again here, from the change's plan alone. Only a
change none of whose plan was written yet can be refused: one written in part
is completed (it was written before any change that could see it refused).
"""

from datastore import group_tree, individuals
from datastore.client import Database
from datastore.records.changes import Change


async def broken(db: Database, change: Change) -> str | None:
    """The rule completing `change` would break, as text; None when it breaks none."""
    plan = change.plan or {}
    if plan.get("collection") != "groups":
        return None
    document = plan.get("document") or {}
    parent = document.get("parent_id")
    if parent:
        stored = await db.groups.find_one({"_id": document["_id"]}, projection=["parent_id"])
        moved = stored is not None and stored.get("parent_id") != parent
        if moved and await group_tree.would_cycle(db, document["_id"], parent, without_change=change.id):
            return f"{parent} would make {document['_id']} its own ancestor"
    for effect in plan.get("effects") or ():
        added = effect.get("document") or {}
        if effect.get("collection") == "roster" and added.get("version") == 1:
            if await db.roster.find_one({"_id": effect["id"]}, projection=["_id"]):
                return None  # written in part: completed
            if await individuals.removed_or_being_removed(db, added["person_id"]):
                return f"{added['person_id']}'s individual membership is REMOVED"
    return None
