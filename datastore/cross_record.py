"""The rules that span records, stated over the database: each problem found, as text.

For tests and the property test: after any sequence of changes, `problems`
is empty. The mechanisms that keep each rule are elsewhere (named below).
"""

from collections import Counter

from datastore import group_tree
from datastore.client import Database
from datastore.records.changes import ChangeState
from datastore.records.vocabulary import ChangeAction, ContactRole, IndividualMembershipStatus, MembershipStatus

SINGLE_HOLDER = (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER)


async def role_contact_problems(db: Database, *, without_primary: frozenset[str] = frozenset()) -> list[str]:
    """An ACTIVE organisation has exactly one Primary (none only where listed in
    `without_primary`, e.g. its Primary was erased) and at most one Administrator and
    Signer. Kept by the organisation's claim: every role contact is written as an
    effect of a change of its organisation (resolvers.mutations.contacts, the import)."""
    active = [o["_id"] async for o in db.organisations.find({"status": MembershipStatus.ACTIVE.value},
                                                             projection=["_id"])]
    held: Counter = Counter()
    async for contact in db.contacts.find({"organisation_id": {"$in": active}},
                                          projection=["organisation_id", "role"]):
        held[(contact["organisation_id"], contact["role"])] += 1
    problems = []
    for organisation in active:
        for role in SINGLE_HOLDER:
            count = held[(organisation, role.value)]
            least = 0 if role is not ContactRole.PRIMARY or organisation in without_primary else 1
            if not least <= count <= 1:
                problems.append(f"{organisation} has {count} {role.value} contacts")
    return problems


async def removed_member_problems(db: Database) -> list[str]:
    """No tenure of a person whose individual membership is REMOVED was added after the
    removal (by the audit log: the addition's change claimed after the removal's). Kept by
    resolvers.mutations.rosters, checking within the addition's claim (datastore.individuals).
    A change's `at` is taken just before its claim: for changes made one after another
    (the property test's steps) the order is exact; two sent at once may read in either order."""
    removed = [p["_id"] async for p in db.people.find(
        {"individual_membership.status": IndividualMembershipStatus.REMOVED.value}, projection=["_id"])]
    found = []
    for person_id in removed:
        removals = [c["at"] async for c in db.changes.find(
            {"owner_id": person_id, "state": ChangeState.APPLIED.value}, projection=["at", "fields"])
            if any(f.get("field") == "individualMembership.status"
                   and f.get("after") == IndividualMembershipStatus.REMOVED.value for f in c.get("fields") or ())]
        if not removals:
            continue
        entries = [e["_id"] async for e in db.roster.find({"person_id": person_id}, projection=["_id"])]
        async for added in db.changes.find({"record_id": {"$in": entries}, "state": ChangeState.APPLIED.value,
                                            "action": ChangeAction.CREATE.value}, projection=["at", "record_id"]):
            if added["at"] > max(removals):
                found.append(f"{added['record_id']} of {person_id} was added after their membership was removed")
    return found


async def problems(db: Database, *, without_primary: frozenset[str] = frozenset()) -> list[str]:
    """Every rule spanning records that the database breaks (none, always)."""
    found = [f"groups in a cycle: {' -> '.join(cycle)}" for cycle in await group_tree.cycles(db)]
    found += await role_contact_problems(db, without_primary=without_primary)
    return found + await removed_member_problems(db)
