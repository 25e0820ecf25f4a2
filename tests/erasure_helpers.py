"""Checking that an erasure is complete: the whole database, every collection, searched."""

from collections.abc import Iterable
from datetime import UTC, datetime

from datastore import contacts, erasure, keys, people, rosters
from datastore.client import Database


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
                 for k in await keys.every(db) if k.person_id == person_id and not k.revoked]
    return problems
