"""`memberdir import` through the write path, run as a user would: partial
records, role contacts, --replace, --dry-run, re-import, resuming, audit entries."""

import asyncio
import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from datastore import changes, contacts, edits, organisations, people, writes
from datastore.client import Database
from datastore.import_checks import check
from datastore.import_reading import read
from datastore.importer import ImportStopped, import_files, write
from datastore.records.changes import Actor, Change, ChangeState
from datastore.records.vocabulary import ChangeAction, ContactRole, ContactVisibility, RecordType
from memberdir.cli import app
from memberdir.settings import PROJECT_ROOT
from tests.conftest import DATA, fresh_database

runner = CliRunner()
EVERYTHING = ("organisations", "people", "contacts", "groups", "roster", "changes")


@pytest.fixture
async def db(ferretdb, request) -> Database:
    name = "test_import_merge_" + hashlib.sha256(request.node.name.encode()).hexdigest()[:12]
    database = await fresh_database(ferretdb, name)
    yield database
    await database.drop()
    await database.close()


@pytest.fixture
async def directory_db(db) -> Database:
    """The hand-made directory, imported."""
    await import_files(db, [DATA / "directory.json"])
    return db


@pytest.fixture
def memberdir(ferretdb, db):
    """Runs `memberdir import ARGS…` on the test's database, in a thread (the CLI runs its own event loop)."""

    async def invoke(*args: str | Path) -> Result:
        env = {"MONGODB_URI": ferretdb.uri, "MEMBERDIR_DATABASE": db.name}
        return await asyncio.to_thread(runner.invoke, app, ["import", *map(str, args)], env=env)

    return invoke


def ndjson(tmp_path: Path, *records: dict, name: str = "changes.ndjson") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


async def everything(db: Database) -> dict:
    return {name: sorted([d async for d in getattr(db, name).find()], key=lambda d: d["_id"]) for name in EVERYTHING}


async def organisation(db: Database, org_id: str):
    return (await organisations.by_ids(db, [org_id]))[0]


async def person(db: Database, person_id: str):
    return (await people.by_ids(db, [person_id]))[0]


async def holders(db: Database, org_id: str, role: ContactRole) -> list[str]:
    return sorted(c.person_id for c in await contacts.by_organisations(db, [org_id]) if c.role is role)


HISTORY = [{"status": "APPLICANT", "on": "2014-03-01", "reason": "applied"},
           {"status": "ACTIVE", "on": "2014-05-01", "reason": "approved"}]


async def test_a_partial_organisation_changes_only_its_website(directory_db, memberdir, tmp_path):
    given_history = await memberdir(ndjson(tmp_path, {"type": "organisation", "id": "org_montreal", "history": HISTORY},
                                           name="history.ndjson"))
    assert given_history.exit_code == 0 and "(1 new or changed)" in given_history.output, given_history.output
    before = await organisation(directory_db, "org_montreal")
    assert before.city == "Montréal" and before.ror_id and before.sectors and before.joined_on and len(before.history) == 2

    result = await memberdir(ndjson(tmp_path, {"type": "organisation", "id": "org_montreal",
                                               "website": "https://www.umontreal.ca"}))
    assert result.exit_code == 0, result.output
    assert "(1 new or changed)" in result.output
    after = await organisation(directory_db, "org_montreal")
    assert after.website == "https://www.umontreal.ca" and after.version == before.version + 1
    # Everything else is as it was: city, ROR id, sectors, designations, dates, history.
    assert replace(after, website=before.website, version=before.version, updated_at=before.updated_at) == before
    entry = await changes.by_id(directory_db, changes.claim_id("org_montreal", after.version))
    assert [(f.field, f.before, f.after) for f in entry.fields] == [
        ("website", "https://umontreal.example", "https://www.umontreal.ca")]
    assert entry.action is ChangeAction.IMPORT and entry.actor == Actor(role="import", source="import:changes.ndjson")


async def test_a_partial_person_keeps_their_contact_details_and_affiliation(directory_db, memberdir, tmp_path):
    before = await person(directory_db, "per_ana")
    result = await memberdir(ndjson(tmp_path, {"type": "person", "id": "per_ana", "contactVisibility": "STAFF"}))
    assert result.exit_code == 0, result.output
    after = await person(directory_db, "per_ana")
    assert after.contact_visibility is ContactVisibility.STAFF
    assert (after.email, after.orcid, after.affiliation_id) == (before.email, before.orcid, before.affiliation_id)
    assert replace(after, contact_visibility=before.contact_visibility, version=before.version,
                   updated_at=before.updated_at) == before


async def test_individual_membership_and_communications_import(directory_db, memberdir, tmp_path):
    membership = {"status": "ACTIVE", "since": "2020-01-01",
                  "history": [{"status": "APPLICANT", "on": "2019-12-01"}, {"status": "ACTIVE", "on": "2020-01-01"}]}
    result = await memberdir(ndjson(tmp_path, {"type": "person", "id": "per_jean", "individualMembership": membership,
                                               "communications": ["grp_data"]}))
    assert result.exit_code == 0, result.output
    after = await person(directory_db, "per_jean")
    assert after.individual_membership.status.value == "ACTIVE" and len(after.individual_membership.history) == 2
    assert after.communications == ("grp_data",) and after.email == "jf.cote@umontreal.example"


async def test_a_new_administrator_replaces_the_old_one(directory_db, memberdir, tmp_path):
    assert await holders(directory_db, "org_montreal", ContactRole.ADMINISTRATOR) == ["per_jean"]
    version = (await organisation(directory_db, "org_montreal")).version
    result = await memberdir(ndjson(
        tmp_path,
        {"type": "contact", "organisation": "org_montreal", "person": "per_ana", "role": "ADMINISTRATOR"},
        {"type": "contact", "organisation": "org_montreal", "person": "per_jean", "role": "COMMUNICATIONS",
         "workingGroup": "grp_data"},
    ))
    assert result.exit_code == 0, result.output
    assert await holders(directory_db, "org_montreal", ContactRole.ADMINISTRATOR) == ["per_ana"]
    # A COMMUNICATIONS contact is added beside the group's others.
    communications = [(c.group_id, c.person_id) for c in await contacts.by_organisations(directory_db, ["org_montreal"])
                      if c.role is ContactRole.COMMUNICATIONS]
    assert sorted(communications) == [("grp_clinical", "per_jean"), ("grp_data", "per_ana"), ("grp_data", "per_jean")]
    # Each is a change of the organisation, logged as a role contact's.
    assert (await organisation(directory_db, "org_montreal")).version == version + 2
    handed_over = await changes.by_id(directory_db, changes.claim_id("org_montreal", version + 1))
    assert handed_over.record_type is RecordType.ROLE_CONTACT
    assert [(f.field, f.before, f.after) for f in handed_over.fields] == [("person", "per_jean", "per_ana")]


async def test_two_holders_of_one_role_in_the_files_are_refused(directory_db, memberdir, tmp_path):
    before = await everything(directory_db)
    path = ndjson(tmp_path,
                  {"type": "contact", "organisation": "org_helix", "person": "per_priya", "role": "SIGNER"},
                  {"type": "contact", "organisation": "org_helix", "person": "per_tom", "role": "SIGNER"})
    result = await memberdir(path)
    assert result.exit_code == 1
    assert f"{path}:2: role: a second SIGNER for org_helix (the first at {path}:1)" in result.output
    assert await everything(directory_db) == before


async def test_replace_replaces_whole_records(directory_db, memberdir, tmp_path):
    whole = {"type": "organisation", "id": "org_helix", "slug": "helix-genomics", "name": "Helix Genomics",
             "kind": "CORPORATION", "country": "GB", "status": "ACTIVE"}
    result = await memberdir("--replace", ndjson(tmp_path, whole))
    assert result.exit_code == 0, result.output
    assert "Replacing whole records" in result.output
    after = await organisation(directory_db, "org_helix")
    assert after.name == "Helix Genomics"
    assert (after.city, after.sectors, after.joined_on, after.last_reviewed_on) == (None, (), None, None)


async def test_replace_refuses_a_partial_record(directory_db, memberdir, tmp_path):
    path = ndjson(tmp_path, {"type": "organisation", "id": "org_helix", "website": "https://helix.example"})
    result = await memberdir("--replace", path)
    assert result.exit_code == 1
    assert f"{path}:1: slug: Field required" in result.output


async def test_dry_run_lists_exactly_the_changes_and_writes_nothing(directory_db, memberdir, tmp_path):
    path = ndjson(
        tmp_path,
        {"type": "organisation", "id": "org_montreal", "website": "https://www.umontreal.ca", "city": "Montréal"},
        {"type": "organisation", "id": "org_new", "slug": "new-org", "name": "New Org", "kind": "ACADEMIC",
         "country": "FR", "status": "APPLICANT"},
        {"type": "contact", "organisation": "org_montreal", "person": "per_ana", "role": "ADMINISTRATOR"},
        {"type": "contact", "organisation": "org_new", "person": "per_ana", "role": "PRIMARY"},
        {"type": "person", "id": "per_ana", "orcid": "0000-0002-1825-0097"},  # as it is: no change
        {"type": "organisation", "id": "org_helix", "history": HISTORY[1:]},
    )
    before = await everything(directory_db)
    result = await memberdir("--dry-run", path)
    assert result.exit_code == 0, result.output
    assert await everything(directory_db) == before
    lines = result.output.splitlines()
    assert [line for line in lines if not line.startswith(("organisation org_new (new):", "Dry run:"))] == [
        "organisation org_montreal: website 'https://umontreal.example' -> 'https://www.umontreal.ca'",
        """organisation org_helix: history [] -> [{"on": "2014-05-01", "reason": "approved", "status": "ACTIVE"}]""",
        "contact ADMINISTRATOR of org_montreal: person 'per_jean' -> 'per_ana'",
        "contact PRIMARY of org_new (new): organisation null -> 'org_new'",
        "contact PRIMARY of org_new (new): person null -> 'per_ana'",
        "contact PRIMARY of org_new (new): role null -> 'PRIMARY'",
    ]
    assert "organisation org_new (new): name null -> 'New Org'" in lines
    assert lines[-1].startswith("Dry run:") and "5 change(s) would be written (2 new), nothing was." in lines[-1]

    # The import itself then writes exactly those changes.
    written = await memberdir(path)
    assert "(5 new or changed)" in written.output, written.output
    logged = [d async for d in directory_db.changes.find({"actor.source": "import:changes.ndjson"})]
    assert {(d["record_id"], f["field"], f["after"]) for d in logged for f in d["fields"]} >= {
        ("org_montreal", "website", "https://www.umontreal.ca")}
    assert len(logged) == 5


async def test_importing_the_same_file_again_writes_nothing(directory_db, memberdir, tmp_path):
    path = ndjson(tmp_path, {"type": "organisation", "id": "org_helix", "website": "https://helix.example"},
                  {"type": "contact", "organisation": "org_helix", "person": "per_tom", "role": "ADMINISTRATOR"},
                  {"type": "roster", "group": "grp_clinical", "person": "per_ana", "role": "CHAIR",
                   "since": "2020-01-01", "until": "2025-12-31"})
    first = await memberdir(path)
    assert "(3 new or changed)" in first.output, first.output
    after_first = await everything(directory_db)
    again = await memberdir(path)
    assert again.exit_code == 0 and "(0 new or changed)" in again.output, again.output
    assert await everything(directory_db) == after_first  # no version bump, no audit entry


async def test_every_imported_change_has_one_audit_entry_from_the_import(db, memberdir):
    result = await memberdir(DATA / "directory.json")
    assert "(58 new or changed)" in result.output, result.output
    logged = [changes.from_document(d) async for d in db.changes.find()]
    assert len(logged) == 58
    assert {(c.state.value, c.action, c.actor) for c in logged} == {
        ("applied", ChangeAction.IMPORT, Actor(role="import", source="import:directory.json"))}
    assert sum(c.record_type is RecordType.ROLE_CONTACT for c in logged) == 16
    # Each record's version is the number of changes it went through: one entry per version.
    for section in ("organisations", "people", "groups", "roster"):
        async for document in getattr(db, section).find({}, projection=["version"]):
            versions = sorted(c.version for c in logged if c.owner_id == document["_id"])
            assert versions == list(range(1, document["version"] + 1)), document["_id"]


async def test_all_problems_are_reported_in_one_pass_with_where(directory_db, memberdir, tmp_path):
    before = await everything(directory_db)
    path = ndjson(
        tmp_path,
        {"type": "organisation", "id": "org_helix", "website": "not a website"},
        {"type": "person", "id": "per_new", "givenName": "New", "familyName": "Person", "affiliation": "org_ghost"},
        {"type": "organisation", "id": "org_helix", "city": "Hinxton"},
        {"type": "roster", "group": "grp_ghost", "person": "per_ana", "role": "MEMBER", "since": "2024-01-01"},
        {"type": "organisation", "id": "org_unknown", "website": "https://unknown.example"},
    )
    json_path = tmp_path / "more.json"
    json_path.write_text(json.dumps({"people": [{"id": "per_ana", "communications": ["grp_ghost"]}]}))
    result = await memberdir(path, json_path)
    assert result.exit_code == 1
    for expected in (
        f"{path}:1: website: String should match pattern",
        f"{path}:2: affiliation: no organisation org_ghost in the files or the database",
        f"{path}:3: id: org_helix already given at {path}:1",
        f"{path}:4: group: no group grp_ghost in the files or the database",
        f"{path}:5: slug: Field required",  # no such organisation yet, so a whole record is needed
        f"{json_path}: people[0]: communications: no group grp_ghost",
        "nothing was imported",
    ):
        assert expected in result.output, result.output
    assert await everything(directory_db) == before


async def test_a_record_changed_meanwhile_is_read_again_and_merged(directory_db, tmp_path):
    path = ndjson(tmp_path, {"type": "organisation", "id": "org_helix", "website": "https://helix.example"})
    raws, problems = read([path])
    checked = await check(directory_db, raws, problems, whole=False)
    # Between the import's check and its write, staff change the city.
    current = await organisation(directory_db, "org_helix")
    city = edits.write_of("organisations", current, edits.merged("organisations", current, {"city": "Hinxton"}),
                          ChangeAction.UPDATE)
    await writes.commit(directory_db, city, expected_version=current.version, actor=Actor(role="staff", key_id="k"))
    assert len(await write(directory_db, checked)) == 1
    after = await organisation(directory_db, "org_helix")
    assert (after.city, after.website, after.version) == ("Hinxton", "https://helix.example", current.version + 2)


class CutOff(Exception):
    """The import's process stopping between two records."""


async def test_an_interrupted_import_resumes_when_run_again(db, monkeypatch):
    commit = writes.commit
    calls = 0

    async def cut_off_after_20(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls > 20:
            raise CutOff
        return await commit(*args, **kwargs)

    monkeypatch.setattr(writes, "commit", cut_off_after_20)
    with pytest.raises(CutOff):
        await import_files(db, [DATA / "directory.json"])
    monkeypatch.setattr(writes, "commit", commit)
    assert await db.changes.count_documents({}) == 20
    resumed = await import_files(db, [DATA / "directory.json"])
    assert resumed.written == 58 - 20
    assert await db.changes.count_documents({"state": "applied"}) == 58
    assert (await import_files(db, [DATA / "directory.json"])).written == 0


async def test_an_erased_person_is_not_brought_back(directory_db, memberdir, tmp_path):
    # As erasure leaves the record: no address, so a key of its own (datastore/people.py).
    await directory_db.people.update_one({"_id": "per_tom"}, {"$set": {"erased": True, "email": None,
                                                                       "email_key": "no e-mail per_tom"}})
    before = await everything(directory_db)
    path = ndjson(tmp_path, {"type": "person", "id": "per_tom", "email": "tom@helix.example"})
    result = await memberdir(path)
    assert result.exit_code == 1
    assert f"{path}:1: id: per_tom was erased on request" in result.output
    assert await everything(directory_db) == before


def readme_import_examples() -> list[tuple[str, str]]:
    """The JSON and NDJSON examples of the README's "Import files" section, in order."""
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text[text.index("## Import files"):text.index("## Configuration")]
    return re.findall(r"```(json|ndjson)\n(.*?)```", section, flags=re.S)


async def test_the_readme_import_examples_do_what_it_says(db, memberdir, tmp_path):
    examples = readme_import_examples()
    assert [kind for kind, _ in examples] == ["json", "ndjson", "ndjson"]
    for number, (kind, text) in enumerate(examples):
        path = tmp_path / f"example{number}.{kind}"
        path.write_text(text)
        result = await memberdir(path)
        assert result.exit_code == 0, result.output
    organisation = (await organisations.by_ids(db, ["org_umontreal"]))[0]
    assert organisation.website == "https://www.umontreal.ca"
    assert organisation.city == "Montréal" and len(organisation.history) == 2 and organisation.ror_id
    ana = await person(db, "per_ana")
    assert ana.contact_visibility is ContactVisibility.PUBLIC and ana.email == "ana@example.org"
    assert ana.individual_membership.status.value == "ACTIVE" and ana.communications == ("grp_clinical",)
    ended = [d async for d in db.roster.find({"person_id": "per_ana"})]
    assert [(d["until"], d["version"]) for d in ended] == [("2025-12-31", 2)]


async def test_a_record_still_being_changed_stops_the_import_clearly(directory_db, memberdir, tmp_path):
    current = await organisation(directory_db, "org_helix")
    # Another writer's change, claimed a moment ago and not yet applied.
    version = current.version + 1
    claim = Change(changes.claim_id("org_helix", version), RecordType.ORGANISATION, "org_helix", version,
                           RecordType.ORGANISATION, "org_helix", ChangeAction.UPDATE, datetime.now(UTC),
                           Actor(role="staff", key_id="k"), ChangeState.CLAIMED)
    await directory_db.changes.insert_one(changes.to_document(claim))
    path = ndjson(tmp_path, {"type": "organisation", "id": "org_montreal", "city": "Laval"},
                  {"type": "organisation", "id": "org_helix", "city": "Hinxton"})
    result = await memberdir(path)
    assert result.exit_code == 1
    assert (f"{path}:2: organisation org_helix: another change to it is still being applied" in result.output
            and "Stopped there after 1 change(s); run the import again" in result.output), result.output
    assert (await organisation(directory_db, "org_montreal")).city == "Laval"  # written before it stopped stays
    assert (await organisation(directory_db, "org_helix")).city == "Cambridge"


async def test_a_slug_taken_meanwhile_stops_the_import_at_that_record(directory_db, tmp_path):
    path = ndjson(tmp_path, {"type": "group", "id": "grp_new", "slug": "new-group", "name": "New", "kind": "FORUM"})
    raws, problems = read([path])
    checked = await check(directory_db, raws, problems, whole=False)
    other = edits.merged("groups", None, {"id": "grp_other", "slug": "new-group", "name": "Other", "kind": "FORUM"})
    await writes.commit(directory_db, edits.write_of("groups", None, other, ChangeAction.CREATE),
                        expected_version=None, actor=Actor(role="staff", key_id="k"))
    with pytest.raises(ImportStopped, match=rf"{re.escape(str(path))}:1: group grp_new: .*run the import again"):
        await write(directory_db, checked)
    assert await directory_db.groups.count_documents({"_id": "grp_new"}) == 0
