"""The directory's records written out in the import format (README, "Import
files"), so `memberdir restore` (through the importer) brings them back: a
backup, and the way to move a directory to another engine.

One NDJSON line per record, each with its `type`; groups before people and
the records that point at others after what they point at, sorted by id, so
two dumps of the same directory are the same file.
"""

from collections.abc import AsyncIterator, Callable
from datetime import date

from datastore import contacts, groups, organisations, people, rosters
from datastore.client import Database
from datastore.contacts import RoleContact
from datastore.documents import WHOLE_RESULT
from datastore.groups import Group
from datastore.organisations import Organisation
from datastore.people import Person
from datastore.rosters import RosterEntry


def _text(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _without_empty(fields: dict) -> dict:
    """Leave out what the importer defaults anyway (None), to keep lines short."""
    return {name: value for name, value in fields.items() if value is not None}


def organisation_record(o: Organisation) -> dict:
    return _without_empty({
        "type": "organisation", "id": o.id, "slug": o.slug, "name": o.name, "kind": o.kind.value,
        "country": o.country_code, "status": o.status.value,
        "sectors": [s.value for s in o.sectors], "designations": [d.value for d in o.designations],
        "city": o.city, "website": o.website, "rorId": o.ror_id,
        "joinedOn": _text(o.joined_on), "lastReviewedOn": _text(o.last_reviewed_on),
    })


def group_record(g: Group) -> dict:
    return _without_empty({
        "type": "group", "id": g.id, "slug": g.slug, "name": g.name, "kind": g.kind.value,
        "active": g.active, "description": g.description, "parent": g.parent_id,
    })


def person_record(p: Person) -> dict:
    return _without_empty({
        "type": "person", "id": p.id, "givenName": p.given_name, "familyName": p.family_name,
        "email": p.email, "orcid": p.orcid, "country": p.country_code, "affiliation": p.affiliation_id,
        "contactVisibility": p.contact_visibility.value,
    })


def contact_record(c: RoleContact) -> dict:
    return _without_empty({
        "type": "contact", "organisation": c.organisation_id, "person": c.person_id,
        "role": c.role.value, "workingGroup": c.group_id,
    })


def roster_record(r: RosterEntry) -> dict:
    return _without_empty({
        "type": "roster", "group": r.group_id, "person": r.person_id, "role": r.role.value,
        "since": _text(r.since), "until": _text(r.until),
    })


# (collection, document -> record, record -> import line), in writing order.
SECTIONS: tuple[tuple[str, Callable[[dict], object], Callable], ...] = (
    ("organisations", organisations.from_document, organisation_record),
    ("groups", groups.from_document, group_record),
    ("people", people.from_document, person_record),
    ("contacts", contacts.from_document, contact_record),
    ("roster", rosters.from_document, roster_record),
)


async def records(db: Database) -> AsyncIterator[dict]:
    """Every directory record as an import line (a dict), section by section."""
    for collection, from_document, to_line in SECTIONS:
        cursor = getattr(db, collection).find({}, sort=[("_id", 1)], batch_size=WHOLE_RESULT)
        async for document in cursor:
            yield to_line(from_document(document))
