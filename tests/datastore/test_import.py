"""`import`: check everything first, write nothing on any problem, then write what changes."""

import hashlib
import json
from pathlib import Path

import pytest

from datastore.client import Database, connect
from datastore.dataset import COLLECTIONS
from datastore.importer import ImportRejected, import_files
from datastore.indexes import ensure_indexes

pytestmark = pytest.mark.database  # run on every engine (make test)

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
async def empty(engine, request) -> Database:
    # Parametrised test names hold any character; a database name may not.
    db = connect(engine.uri, "test_import_" + hashlib.sha256(request.node.name.encode()).hexdigest()[:16])
    await db.drop()
    await ensure_indexes(db)
    yield db
    await db.drop()
    await db.close()


async def snapshot(db: Database, *, without: tuple[str, ...] = ()) -> dict:
    """Every directory record by collection, leaving out the fields named in `without`."""
    return {
        name: sorted([{k: v for k, v in d.items() if k not in without} async for d in getattr(db, name).find()],
                     key=lambda d: d["_id"])
        for name in COLLECTIONS
    }


def as_ndjson(tmp_path: Path) -> Path:
    document = json.loads((DATA / "directory.json").read_text())
    singular = {"organisations": "organisation", "people": "person", "contacts": "contact", "groups": "group", "roster": "roster"}
    lines = [json.dumps({"type": singular[section], **record}) for section, records in document.items() for record in records]
    path = tmp_path / "directory.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_import_twice_changes_nothing(empty):
    imported = await import_files(empty, [DATA / "directory.json"])
    assert imported.written == 58
    assert imported.records.counts() == {"organisations": 8, "people": 10, "contacts": 16, "groups": 7, "roster": 17}
    first = await snapshot(empty)
    assert (await import_files(empty, [DATA / "directory.json"])).written == 0
    assert await snapshot(empty) == first


async def test_json_and_ndjson_import_the_same(empty, engine, tmp_path):
    await import_files(empty, [DATA / "directory.json"])
    other = connect(engine.uri, "test_import_ndjson")
    await other.drop()
    await import_files(other, [as_ndjson(tmp_path)])
    # The same records at the same versions; only the time of writing differs.
    when = ("updated_at", "updated_key")  # the time of the import, and its sortable text
    assert await snapshot(other, without=when) == await snapshot(empty, without=when)
    await other.drop()
    await other.close()


async def test_reimport_updates_a_changed_record(empty, tmp_path):
    await import_files(empty, [DATA / "directory.json"])
    changed = tmp_path / "changed.ndjson"
    changed.write_text(json.dumps({"type": "organisation", "id": "org_lagos", "slug": "lagos-rare-disease-foundation",
                                   "name": "Lagos Rare Disease Alliance", "kind": "NOT_FOR_PROFIT", "country": "NG", "status": "LAPSED"}) + "\n")
    await import_files(empty, [changed])
    document = await empty.organisations.find_one({"_id": "org_lagos"})
    assert document["name"] == "Lagos Rare Disease Alliance" and document["status"] == "LAPSED"
    assert document["sectors"] == ["PATIENT_ADVOCACY"] and document["joined_on"] == "2020-01-20"  # not in the file: kept
    assert await empty.organisations.count_documents({}) == 8


def write_ndjson(tmp_path: Path, *records: dict | str) -> Path:
    path = tmp_path / "bad.ndjson"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


GOOD_ORG = {"type": "organisation", "id": "org_new", "slug": "new-org", "name": "New Org", "kind": "ACADEMIC", "country": "FR", "status": "ACTIVE"}


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("{not json", "bad.ndjson:2: not valid JSON"),
        ({"type": "planet", "id": "x"}, "bad.ndjson:2: type: unknown record type"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "country": "XX"}, "bad.ndjson:2: country:"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "kind": "CLUB"}, "bad.ndjson:2: kind:"),
        ({**GOOD_ORG, "id": "nope", "slug": "b"}, "bad.ndjson:2: id: must look like org_"),
        ({**GOOD_ORG, "id": "org_b", "slug": "B C"}, "bad.ndjson:2: slug:"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "joinedOn": "2020-13-01"}, "bad.ndjson:2: joinedOn:"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "timeZone": "Mars/Olympus"}, "bad.ndjson:2: timeZone:"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "colour": "red"}, "bad.ndjson:2: colour: Extra inputs are not permitted"),
        ({**GOOD_ORG, "id": "org_b", "slug": "b", "name": ""}, "bad.ndjson:2: name:"),
        ({**GOOD_ORG}, "bad.ndjson:2: id: org_new already given at"),
        ({"type": "person", "id": "per_x", "givenName": "X", "familyName": "Y", "email": "not-an-email"}, "bad.ndjson:2: email:"),
        ({"type": "contact", "organisation": "org_new", "person": "per_ana", "role": "COMMUNICATIONS"}, "workingGroup is required"),
        ({"type": "roster", "group": "grp_clinical", "person": "per_ana", "role": "MEMBER", "since": "2020-01-01", "until": "2019-01-01"}, "until is before since"),
        ({"type": "contact", "organisation": "org_new", "person": "per_ghost", "role": "PRIMARY"}, "person: no person per_ghost in the files or the database"),
        ({"type": "person", "id": "per_x", "givenName": "X", "familyName": "Y", "affiliation": "org_ghost"}, "affiliation: no organisation org_ghost"),
        ({**GOOD_ORG, "id": "org_b", "slug": "new-org"}, "'new-org' is given to more than one record"),
        ({**GOOD_ORG, "id": "org_b", "slug": "helix-genomics"}, "'helix-genomics' already belongs to org_helix"),
    ],
)
async def test_a_bad_record_is_reported_and_nothing_is_written(empty, tmp_path, bad, expected):
    await import_files(empty, [DATA / "directory.json"])
    before = await snapshot(empty)
    path = write_ndjson(tmp_path, GOOD_ORG, bad)
    with pytest.raises(ImportRejected) as rejected:
        await import_files(empty, [path])
    assert expected in str(rejected.value), str(rejected.value)
    assert "nothing was imported" in str(rejected.value)
    assert await snapshot(empty) == before


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("[1, 2]", "x.json", "expected an object with lists under"),
        ('{"organisations": {"id": 1}}', "x.json", "organisations: expected a list of records"),
        ('{"organisations": [], "planets": []}', "x.json", "planets: unknown record type"),
        ('{"organisations": [{"id": "org_q"}]}', "x.json", "x.json: organisations[0]: slug: Field required"),
        ("{", "x.json", "x.json:1: not valid JSON"),
        ("id,name\n", "x.csv", "unknown file type"),
    ],
)
async def test_malformed_files(empty, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ImportRejected) as rejected:
        await import_files(empty, [path])
    assert expected in str(rejected.value), str(rejected.value)
    assert await snapshot(empty) == {name: [] for name in COLLECTIONS}


async def test_missing_file(empty, tmp_path):
    with pytest.raises(ImportRejected, match="no such file"):
        await import_files(empty, [tmp_path / "absent.json"])
