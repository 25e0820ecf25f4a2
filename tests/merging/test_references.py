"""The table of who refers to a person or an organisation (datastore.merging.REFERENCES) is complete:
every field of every collection that holds such an id is in it, or named in NOT_MOVED with a reason.
A collection added later (notifications, invitations...) fails here until it is classified."""

import re

import pytest

from datastore import merging, people
from datastore.records.changes import Actor
from datastore.records.people import Person
from datastore.records.vocabulary import RecordType, Role
from memberdir import api_keys
from tests.conftest import directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

_PREFIXES = {"per_": RecordType.PERSON, "org_": RecordType.ORGANISATION}


def _paths(value, path: str = ""):
    """(dotted path, string) of every string in a document, through lists and subdocuments."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for inner in value:
            yield from _paths(inner, path)
    elif isinstance(value, str):
        yield path, value


def _classified(collection: str, path: str, refers_to: RecordType) -> bool:
    if collection in merging.NOT_MOVED or f"{collection}.{path}" in merging.NOT_MOVED:
        return True
    if path == "_id" and collection == merging.SECTION[refers_to]:
        return True  # the record itself
    return any(r.collection == collection and r.field == path and r.refers_to is refers_to
               for r in merging.REFERENCES)


async def test_every_field_holding_a_person_or_organisation_id_is_classified(engine):
    async with directory_copy(engine, "merge_references") as db:
        # Something in every collection the directory writes: a key, a merge (redirect, audit), candidates.
        await api_keys.issue(db, "a key", Role.MEMBER, person_id="per_ana")
        await people.upsert(db, [Person(id="per_ana_twin", given_name="Ana", family_name="Lopes",
                                        affiliation_id="org_montreal", country_code="CA")])
        await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1, merge_version=1,
                            actor=Actor("staff", key_id="key_staff"))
        from datastore import duplicates

        await duplicates.rebuild(db, RecordType.PERSON)
        unclassified = set()
        database = db.client[db.name]
        for name in await database.list_collection_names():
            async for document in database[name].find({}):
                for path, value in _paths(document):
                    for prefix, refers_to in _PREFIXES.items():
                        # A bare id (a change's id, "per_x@2", names a change, not the person).
                        bare = re.fullmatch(r"[a-z]{3}_[A-Za-z0-9_-]+", value)
                        if bare and value.startswith(prefix) and not _classified(name, path, refers_to):
                            unclassified.add(f"{name}.{path} ({refers_to.value})")
        assert unclassified == set(), (
            "fields holding person or organisation ids that datastore/merging.py neither moves (REFERENCES) "
            f"nor names in NOT_MOVED: {sorted(unclassified)}"
        )
