"""Checking that an erasure is complete: the whole database, every collection, searched."""

from collections.abc import Iterable
from datetime import UTC, datetime

from datastore import api_keys, contacts, erasure, people, rosters
from datastore.client import Database
from datastore.needs_primary import organisations_needing_primary
from datastore.records.changes import ChangeState
from datastore.records.contacts import RoleContact
from datastore.records.vocabulary import ChangeAction, ContactRole, MembershipStatus


async def erased_values_found(db: Database, values: Iterable[str]) -> list[str]:
    """Where any of `values` (an erased person's full name, given and family names, e-mail,
    ORCID) still stands in the database, as "<value> in <collection>/<_id>": every document
    of every collection, as raw BSON read as text, searched for each value as whole
    case-folded tokens ("Ana" is found in "asked ANA", not in "Banana"). Empty when complete."""
    return await erasure.found_anywhere(db, values)


async def erasure_problems(db: Database, person_id: str, values: Iterable[str]) -> list[str]:
    """What breaks "erasure means gone" for one erased person: a value still stored, a role
    contact held, a tenure open after today, a subscription, an API key not revoked."""
    problems = await erased_values_found(db, values)
    [person] = await people.by_ids(db, [person_id])
    if not person.erased:
        problems.append(f"{person_id} is not marked erased")
    if person.communications:
        problems.append(f"{person_id} still subscribes to {list(person.communications)}")
    problems += [f"{person_id} still holds {c.role.value} of {c.organisation_id}"
                 for c in await contacts.by_people(db, [person_id])]
    # A tenure that had not begun ends on its first day: the shortest a tenure can be.
    problems += [f"{person_id} still holds tenure {e.id} until {e.until}"
                 for e in await rosters.by_people(db, [person_id])
                 if e.until is None or e.until > max(datetime.now(UTC).date(), e.since)]
    problems += [f"API key {k.id} of {person_id} is not revoked"
                 for k in await api_keys.every(db) if k.person_id == person_id and not k.revoked]
    return problems


async def primary_problems(db: Database) -> list[str]:
    """What breaks "an ACTIVE organisation has exactly one Primary, except after its Primary
    is erased: then none until staff assign one, and it is in organisationsNeedingPrimary"."""
    # The Primary contacts each erasure removed (its notices name them).
    removed_by_erasure = set()
    async for change in db.changes.find({"action": ChangeAction.ERASE.value, "state": ChangeState.APPLIED.value},
                                      projection=["owner_id", "notices"]):
        noticed = {n["record_id"] for n in change.get("notices") or () if n["action"] == ChangeAction.REMOVE.value}
        removed_by_erasure |= {(contact_id, change["owner_id"]) for contact_id in noticed}
    primaries: dict[str, int] = {}
    async for contact in db.contacts.find({"role": ContactRole.PRIMARY.value}):
        primaries[contact["organisation_id"]] = primaries.get(contact["organisation_id"], 0) + 1
    queue = {o.id for o in await organisations_needing_primary(db, 1_000_000)}
    problems = []
    async for organisation in db.organisations.find({"status": MembershipStatus.ACTIVE.value}, projection=["_id"]):
        organisation_id = organisation["_id"]
        held = primaries.get(organisation_id, 0)
        if held > 1:
            problems.append(f"{organisation_id} has {held} Primaries")
        elif held == 0:
            erased = any(contact_id == RoleContact(organisation_id, person_id, ContactRole.PRIMARY).id
                         for contact_id, person_id in removed_by_erasure)
            if not erased:
                problems.append(f"{organisation_id} has no Primary, and no erasure removed one")
            if organisation_id not in queue:
                problems.append(f"{organisation_id} has no Primary and is not in organisationsNeedingPrimary")
    return problems
