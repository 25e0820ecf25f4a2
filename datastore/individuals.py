"""Individual membership as other records' rules see it: a REMOVED member joins no roster.

A roster addition checks this before its claim and again after it
(datastore.writes' `checked`), counting a removal still in flight: of a removal
and an addition made at the same time, either the addition sees the removal
and is refused, or the removal was claimed after the addition's check, so the
tenure was added before the person was removed.
"""

from datastore.client import Database
from datastore.records.changes import ChangeState
from datastore.records.vocabulary import IndividualMembershipStatus

_REMOVED = IndividualMembershipStatus.REMOVED.value


async def removed_or_being_removed(db: Database, person_id: str) -> bool:
    """Claims are read before the record: one applied in between is in the record."""
    in_flight = db.changes.find({"state": ChangeState.CLAIMED.value, "owner_id": person_id},
                                projection=["plan.document.individual_membership"])
    async for change in in_flight:
        membership = ((change.get("plan") or {}).get("document") or {}).get("individual_membership") or {}
        if membership.get("status") == _REMOVED:
            return True
    person = await db.people.find_one({"_id": person_id}, projection=["individual_membership"])
    return ((person or {}).get("individual_membership") or {}).get("status") == _REMOVED
