"""`memberdir dump` writes the directory's whole state; `memberdir restore`
loads it into an empty directory as it was: every stored document, and so
every answer, for every caller (README, "Backups")."""

import dataclasses
import io
import json
from pathlib import Path

import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from datastore import derived
from datastore.client import _COLLECTIONS, connect
from datastore.dump import DUMPED, LEFT_OUT, VERSION, UnknownCollections, decode, dump, encode, unclassified
from datastore.engines import MongoDB
from datastore.indexes import INDEXES, ensure_indexes
from datastore.records.vocabulary import Role
from datastore.restore import RestoreFailed, RestoreRefused, check_header, read_header, restore
from memberdir import api_keys
from memberdir.cli import app
from resolvers.viewer import Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy, fresh_database
from tests.dump_helpers import answers, restored_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ERRORS = "userErrors { field message code }"


def _env(engine, name: str) -> dict[str, str]:
    return {"MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": name}


def _drop(engine, *names: str) -> None:
    with MongoClient(engine.uri) as client:
        for name in names:
            client.drop_database(name)


async def _version(run: Run, kind: str, id: str) -> int:
    return (await run.as_viewer(STAFF)(f'{{ node(id: "{id}") {{ ... on {kind} {{ version }} }} }}'))["node"]["version"]


INPUTS = {  # mutation -> its input type, where the two are not named alike
    "RecordMembershipReview": "RecordReviewInput", "RecordRemovalNotice": "RemovalNoticeInput",
}


async def _mutate(run: Run, mutation: str, kind: str, id: str, viewer: Viewer = STAFF, **fields) -> None:
    name = mutation[0].lower() + mutation[1:]
    key = {"Organisation": "organisationId", "Person": "personId", "WorkingGroup": "groupId"}[kind]
    input = {key: id, "expectedVersion": await _version(run, kind, id), **fields}
    if mutation == "UpdatePerson":
        input["id"] = input.pop("personId")
    data = await run.as_viewer(viewer)(
        f"mutation($input: {INPUTS.get(mutation, mutation + 'Input')}!) {{ {name}(input: $input) {{ {ERRORS} }} }}",
        input=input)
    assert data[name]["userErrors"] == [], (mutation, data)


async def a_few_changes(run: Run) -> None:
    """Mutations of different kinds, each leaving what the import format cannot hold."""
    # Status changes with their history: a review lapses org_helix, org_victoria cancels.
    await _mutate(run, "RecordMembershipReview", "Organisation", "org_helix", outcome="LAPSED",
                  reason="no answer to the review")
    await _mutate(run, "CancelMembership", "Organisation", "org_victoria", reason="merged")
    # A removal notice.
    await _mutate(run, "RecordRemovalNotice", "Organisation", "org_lagos", reason="criteria no longer met")
    # An individual membership: applied by the person, approved by staff.
    await _mutate(run, "ApplyForIndividualMembership", "Person", "per_zoe", ZOE, reason="rare disease data",
                  acceptedAgreements=ACCEPTED_AGREEMENTS)
    await _mutate(run, "DecideIndividualMembership", "Person", "per_zoe", decision="APPROVE", reason="welcome")
    await _mutate(run, "ApplyForIndividualMembership", "Person", "per_sam", reason="variant curation",
                  acceptedAgreements=ACCEPTED_AGREEMENTS)
    # Personal subscriptions.
    await _mutate(run, "SetCommunications", "Person", "per_ana", ANA, workingGroupIds=["grp_forum", "grp_steering"])
    # An ordinary edit and a roster entry.
    await _mutate(run, "UpdatePerson", "Person", "per_jean", patch={"orcid": "0000-0002-1825-0097"},
                  reason="ORCID given")
    await _mutate(run, "AddRosterEntry", "WorkingGroup", "grp_forum", personId="per_zoe", role="MEMBER")


async def _dumped(db, **options) -> tuple[str, object]:
    out = io.StringIO()
    report = await dump(db, out, **options)
    return out.getvalue(), report


async def _restored(engine, text: str, tmp_path: Path, name: str):
    path = tmp_path / f"{name}.ndjson"
    path.write_text(text, encoding="utf-8")
    header = read_header(path)
    check_header(path, header)
    db = await fresh_database(engine, name)
    try:
        return db, await restore(db, path, header)
    except Exception:
        await db.close()
        raise


def _state(engine, name: str) -> dict[str, list[dict]]:
    """Every stored document but the meta documents a restore makes anew, by collection."""
    made_anew = DUMPED["meta"].left_out_ids
    with MongoClient(engine.uri, tz_aware=True) as client:
        return {
            c: [d for d in client[name][c].find({}, sort=[("_id", 1)]) if not str(d["_id"]).startswith(made_anew)]
            for c in client[name].list_collection_names()
        }


async def test_a_restored_directory_answers_every_caller_as_before(engine, schema, tmp_path):
    async with directory_copy(engine, "test_dump_source") as db:
        run = Run(schema, db)
        await a_few_changes(run)
        await api_keys.issue(db, "sync", Role.MEMBER)
        before = await answers(db)
        text, report = await _dumped(db, include=["--include-api-keys"])
        source = _state(engine, "test_dump_source")
        # Every collection the mutations wrote is named in datastore/dump.py.
        assert unclassified(await db.client[db.name].list_collection_names()) == set()
    restored, loaded = await _restored(engine, text, tmp_path, "test_dump_restored")
    try:
        assert await answers(restored) == before
        # Every stored document came back, derived fields recomputed alike.
        assert _state(engine, "test_dump_restored") == source
    finally:
        await restored.close()
        _drop(engine, "test_dump_source", "test_dump_restored")

    assert loaded.counts == report.counts
    assert loaded.counts["changes"] == 9 and loaded.counts["api_keys"] == 1
    staff = before["staff"]
    # What the bullet saw lost is there, and answered alike after.
    [people] = staff["people"]
    by_id = {p["id"]: p for p in people["data"]["people"]["nodes"]}
    assert [c["status"] for c in by_id["per_zoe"]["individualMembership"]["history"]] == ["APPLICANT", "ACTIVE"]
    assert [g["id"] for g in by_id["per_ana"]["communications"]] == ["grp_data", "grp_forum", "grp_steering"]
    [orgs] = staff["organisations"]
    memberships = {o["id"]: o["membership"] for o in orgs["data"]["organisations"]["nodes"]}
    assert memberships["org_lagos"]["removalNoticeOn"] is not None
    assert memberships["org_helix"]["history"][-1]["status"] == "LAPSED"
    assert memberships["org_victoria"]["history"][-1]["status"] == "CANCELLED"
    assert sum(p["joined"] for p in staff["trends"]["data"]["individualMembershipTrend"]) == 1
    assert staff["auditLog"][0]["data"]["auditLog"]["totalCount"] == 9
    assert len(staff["changes"][0]["data"]["changes"]["nodes"]) == 10  # the roster entry and its group


async def test_the_demo_directory_keeps_its_trends(engine, demo_db, schema, tmp_path):
    """The bullet: after dump and restore the 2024 trend read all zeros."""
    query = """{ membershipTrend(interval: YEAR, from: "2024-01-01", to: "2024-12-31") { joined left activeAtEnd }
                 individualMembershipTrend(interval: YEAR, from: "2020-01-01", to: "2025-12-31") { joined left activeAtEnd }
                 people(first: 100) { nodes { id communications { id } individualMembership { status history { on } } } } }"""
    staff = Viewer(role=Role.STAFF)
    before = await Run(schema, demo_db).as_viewer(staff)(query)
    text, report = await _dumped(demo_db)
    restored, loaded = await _restored(engine, text, tmp_path, "test_dump_demo")
    try:
        assert await Run(schema, restored).as_viewer(staff)(query) == before
    finally:
        await restored.close()
        _drop(engine, "test_dump_demo")
    [year] = before["membershipTrend"]
    assert year["joined"] and year["left"] and year["activeAtEnd"]
    assert any(p["joined"] for p in before["individualMembershipTrend"])
    assert loaded.counts == report.counts


def test_every_collection_is_dumped_or_left_out_on_purpose():
    """A collection added to the database handle or the indexes must be named in datastore/dump.py."""
    assert unclassified(_COLLECTIONS) == set()
    assert unclassified(INDEXES) == set()
    assert not set(DUMPED) & set(LEFT_OUT)
    # Derived fields are recomputed, never dumped: each belongs to a dumped collection.
    assert {d.collection for d in derived.DERIVED} <= set(DUMPED)


async def test_a_database_holding_an_unnamed_collection_is_not_dumped(engine):
    db = await fresh_database(engine, "test_dump_unnamed")
    try:
        await db.client[db.name]["ballots"].insert_one({"_id": "bal_1"})
        with pytest.raises(UnknownCollections, match="ballots"):
            await dump(db, io.StringIO())
        # The collections a served directory writes are all named.
        assert unclassified(await db.client[db.name].list_collection_names()) == {"ballots"}
    finally:
        await db.drop()
        await db.close()


def test_dump_then_restore_through_the_commands(engine, tmp_path):
    _drop(engine, "test_dump_from", "test_dump_to")
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=_env(engine, "test_dump_from")).exit_code == 0
    dumped = tmp_path / "directory.ndjson"
    result = runner.invoke(app, ["dump", str(dumped)], env=_env(engine, "test_dump_from"))
    assert result.exit_code == 0, result.output
    assert "8 organisations" in result.output and "api_keys" in result.output  # api_keys: left out
    lines = [json.loads(line) for line in dumped.read_text().splitlines()]
    assert lines[0]["format"] == "memberdir-dump" and lines[0]["version"] == VERSION
    assert "api_keys" not in lines[0]["collections"]
    assert lines[-1]["end"] is True

    result = runner.invoke(app, ["restore", str(dumped)], env=_env(engine, "test_dump_to"))
    assert result.exit_code == 0, result.output
    # Counts per collection, and the credentials to issue again.
    assert "Restored: 8 organisations, 7 groups, 10 people, 16 contacts, 17 roster, 0 invitations, 58 changes, 0 calls, 0 notifications, 0 bounces, 0 webhook_endpoints, 0 meta" in result.output
    assert "API keys: not in this dump" in result.output and "sessions: never dumped" in result.output
    assert _state(engine, "test_dump_to") == _state(engine, "test_dump_from")

    # A second dump of the restored directory is the same file but for its time.
    again = tmp_path / "again.ndjson"
    assert runner.invoke(app, ["dump", str(again)], env=_env(engine, "test_dump_to")).exit_code == 0
    assert again.read_text().splitlines()[1:] == dumped.read_text().splitlines()[1:]
    _drop(engine, "test_dump_from", "test_dump_to")


def test_restore_refuses_a_directory_that_holds_records(engine, tmp_path):
    _drop(engine, "test_restore_full")
    env = _env(engine, "test_restore_full")
    assert runner.invoke(app, ["import", str(DATA / "directory.json")], env=env).exit_code == 0
    dumped = tmp_path / "dump.ndjson"
    assert runner.invoke(app, ["dump", str(dumped)], env=env).exit_code == 0
    result = runner.invoke(app, ["restore", str(dumped)], env=env)
    assert result.exit_code == 1
    assert "already holds records" in result.output
    _drop(engine, "test_restore_full")


def test_restore_refuses_an_unknown_version_and_a_cut_off_dump(engine, tmp_path):
    _drop(engine, "test_restore_refused")
    env = _env(engine, "test_restore_refused")
    header = {"format": "memberdir-dump", "version": 99, "collections": ["organisations"]}
    newer = tmp_path / "newer.ndjson"
    newer.write_text(json.dumps(header) + "\n" + json.dumps({"end": True, "counts": {}}) + "\n")
    result = runner.invoke(app, ["restore", str(newer)], env=env)
    assert result.exit_code == 1
    assert "dump format version 99 is unknown" in result.output and f"restores version {VERSION}" in result.output

    cut = tmp_path / "cut.ndjson"
    cut.write_text(json.dumps({**header, "version": VERSION}) + "\n"
                   + json.dumps({"collection": "organisations", "document": {"_id": "org_x"}}) + "\n")
    result = runner.invoke(app, ["restore", str(cut)], env=env)
    assert result.exit_code == 1 and "no end line" in result.output
    with pytest.raises(RestoreRefused, match="does not know: ballots"):
        check_header(cut, {**header, "version": VERSION, "collections": ["ballots"]})
    with MongoClient(engine.uri) as client:  # nothing was written
        assert client["test_restore_refused"]["organisations"].count_documents({}) == 0
    _drop(engine, "test_restore_refused")


def test_files_in_the_import_format_still_restore_through_the_importer(engine):
    _drop(engine, "test_restore_import")
    result = runner.invoke(app, ["restore", str(DATA / "directory.json")], env=_env(engine, "test_restore_import"))
    assert result.exit_code == 0, result.output
    assert "Restored: 8 organisations" in result.output
    _drop(engine, "test_restore_import")


async def test_api_keys_come_back_only_when_asked_and_then_still_work(engine, tmp_path):
    db = await fresh_database(engine, "test_dump_keys")
    issued = await api_keys.issue(db, "sync", Role.STAFF)
    without, _ = await _dumped(db)
    with_keys, _ = await _dumped(db, include=["--include-api-keys"])
    await db.drop()
    await db.close()
    assert issued.record.hash not in without and issued.record.hash in with_keys
    assert issued.secret_key not in with_keys
    restored, loaded = await _restored(engine, with_keys, tmp_path, "test_dump_keys_to")
    try:
        assert (await api_keys.verify(restored, issued.secret_key)).id == issued.record.id
        assert any("API keys: 1 restored" in line for line in loaded.credentials)
    finally:
        await restored.drop()
        await restored.close()


async def test_the_helper_for_other_tests_gives_an_equal_copy(engine, schema):
    async with directory_copy(engine, "test_dump_helper") as db:
        await a_few_changes(Run(schema, db))
        async with restored_copy(db, "test_dump_helper_copy") as copy:
            assert await answers(copy) == await answers(db)
        await db.drop()


async def test_secret_fields_are_dumped_only_when_asked(engine, tmp_path, monkeypatch):
    """None exist yet: a webhook's signing secret, say, on groups."""
    monkeypatch.setitem(DUMPED, "groups", dataclasses.replace(DUMPED["groups"], secret_fields=("signing_secret",)))
    async with directory_copy(engine, "test_dump_secrets") as db:
        await db.groups.update_one({"_id": "grp_forum"}, {"$set": {"signing_secret": "s3cr3t-value"}})
        without, _ = await _dumped(db)
        with_secrets, _ = await _dumped(db, secrets=True)
        await db.drop()
    assert "s3cr3t-value" not in without and "s3cr3t-value" in with_secrets
    restored, loaded = await _restored(engine, without, tmp_path, "test_dump_secrets_to")
    try:
        assert any("groups.signing_secret" in line and "--include-secrets" in line for line in loaded.credentials)
    finally:
        await restored.drop()
        await restored.close()


async def test_a_dump_missing_a_line_is_reported_as_damaged(engine, tmp_path):
    async with directory_copy(engine, "test_dump_damaged") as db:
        text, _ = await _dumped(db)
        await db.drop()
    lines = text.splitlines(keepends=True)
    damaged = "".join(lines[:3] + lines[4:])  # one organisation fewer than the end line counts
    with pytest.raises(RestoreFailed, match="the end line counts"):
        await _restored(engine, damaged, tmp_path, "test_dump_damaged_to")
    _drop(engine, "test_dump_damaged_to")


@pytest.mark.parametrize("after", [True, False], ids=["indexes built after (MongoDB)", "indexes kept (embedded)"])
async def test_a_restored_directory_has_every_index(engine, tmp_path, after):
    async with directory_copy(engine, "test_dump_indexes") as db:
        text, _ = await _dumped(db)
        await db.drop()
    path = tmp_path / "dump.ndjson"
    path.write_text(text, encoding="utf-8")
    target = connect(engine.uri, "test_dump_indexes_to", traits=MongoDB(indexes_after_load=after))
    await target.drop()
    await ensure_indexes(target)
    try:
        restored = await restore(target, path, read_header(path))
        assert restored.counts["organisations"] == 8
        for name, models in INDEXES.items():
            found = {index["name"] async for index in await target.client[target.name][name].list_indexes()}
            assert {m.document["name"] for m in models} <= found, name
    finally:
        await target.drop()
        await target.close()


def test_the_dump_command_refuses_a_database_holding_an_unnamed_collection(engine, tmp_path):
    _drop(engine, "test_dump_unnamed_cli")
    with MongoClient(engine.uri) as client:
        client["test_dump_unnamed_cli"]["webhooks"].insert_one({"_id": "wh_1"})
    result = runner.invoke(app, ["dump", str(tmp_path / "dump.ndjson")], env=_env(engine, "test_dump_unnamed_cli"))
    assert result.exit_code == 1
    assert "webhooks" in result.output and "neither dumps nor leaves out" in result.output
    _drop(engine, "test_dump_unnamed_cli")


def test_embedded_documents_keep_their_field_order():
    """MongoDB compares an embedded document field by field, in order: a dump must not reorder them."""
    document = {"_id": "x", "b": 1, "actor": {"role": "staff", "person_id": None, "key_id": "k"}}
    assert list(decode(encode(document))["actor"]) == ["role", "person_id", "key_id"]
    assert list(decode(encode(document))) == ["_id", "b", "actor"]
