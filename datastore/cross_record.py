"""The rules that span records, stated over the database: each problem found, as text.

For tests and the property test: after any sequence of changes, `problems`
is empty. The mechanisms that keep each rule are elsewhere (named below).
"""

from collections import Counter

from datastore import group_tree
from datastore.client import Database
from datastore.vocabulary import ContactRole, MembershipStatus

SINGLE_HOLDER = (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER)


async def role_contact_problems(db: Database, *, without_primary: frozenset[str] = frozenset()) -> list[str]:
    """An ACTIVE organisation has exactly one Primary (none only where listed in
    `without_primary`, e.g. its Primary was erased) and at most one Administrator and
    Signer. Kept by the organisation's claim: every role contact is written as an
    effect of a change of its organisation (resolvers.edits.contacts, the import)."""
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


async def problems(db: Database, *, without_primary: frozenset[str] = frozenset()) -> list[str]:
    """Every rule spanning records that the database breaks (none, always)."""
    found = [f"groups in a cycle: {' -> '.join(cycle)}" for cycle in await group_tree.cycles(db)]
    return found + await role_contact_problems(db, without_primary=without_primary)
