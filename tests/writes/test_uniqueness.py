"""Uniqueness in the engine, on canonical keys: one person per address, one
organisation per name in a country, however the value is typed and however
many callers race for it; identity never uses the canonical key."""

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from datastore import canonical, demo, edits, organisations, people, unique_keys, writes
from datastore.client import Database
from datastore.importer import ImportRejected, ImportStopped, import_files
from datastore.indexes import ensure_indexes
from datastore.records.changes import Actor
from datastore.records.vocabulary import ChangeAction, Role
from memberdir.auth import Authenticator
from memberdir.settings import Settings
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy, fresh_database

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
CHIDI = Viewer(role=Role.MEMBER, person_id="per_chidi", credential="oidc:chidi")
ERRORS = "userErrors { field message code }"
CREATE_PERSON = f"mutation($input: CreatePersonInput!) {{ createPerson(input: $input) {{ person {{ id }} {ERRORS} }} }}"
UPDATE_PERSON = f"mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ person {{ id version }} {ERRORS} }} }}"
CREATE_ORGANISATION = f"""mutation($input: CreateOrganisationInput!) {{
  createOrganisation(input: $input) {{ organisation {{ id }} {ERRORS} }} }}"""
UPDATE_ORGANISATION = f"""mutation($input: UpdateOrganisationInput!) {{
  updateOrganisation(input: $input) {{ organisation {{ id version }} {ERRORS} }} }}"""

CYRILLIC_A = "\u0430"


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def typings(local: str, domain: str) -> dict[str, str]:
    """One address as it can be typed (local part and domain with an 'a' each): each is the same person's."""
    return {
        "upper case": f"{local}@{domain}".upper(),
        "full width": f"{_full_width(local)}@{_full_width(domain)}",
        "trailing dot": f"{local}@{domain}.",
        "zero-width space": f"{local[:2]}\u200b{local[2:]}@{domain}",
        "soft hyphen": f"{local[:2]}\u00ad{local[2:]}@{domain}",
        "byte order mark": f"\ufeff{local}@{domain}",
        "Cyrillic а in a Latin local part": f"{local.replace('a', CYRILLIC_A, 1)}@{domain}",
        "Cyrillic а in a Latin domain": f"{local}@{domain.replace('a', CYRILLIC_A, 1)}",
    }


ADDRESS = "lea.roy@umontreal.example"
VARIANTS = typings("lea.roy", "umontreal.example")


# The key itself (pure)

@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_way_of_typing_an_address_has_its_key(variant):
    assert canonical.email_key(variant) == canonical.email_key(ADDRESS) == ADDRESS


@pytest.mark.parametrize(("one", "other"), [
    ("rnary@x.example", "mary@x.example"),      # 'rn' and 'm' look alike, but are both real addresses
    ("l1@x.example", "ll@x.example"),           # so are 'l' and '1'
    ("b0b@x.example", "bob@x.example"),
    ("\u0430\u043b\u0438\u0441\u0430@x.example", "alisa@x.example"),  # all Cyrillic: one script, not reduced
    ("alice@x.example", "alice@y.example"),
])
def test_distinct_addresses_in_one_script_keep_distinct_keys(one, other):
    assert canonical.email_key(one) != canonical.email_key(other)


def test_confusables_are_reduced_only_where_scripts_mix():
    assert canonical.mixes_scripts("p\u0430ypal") and not canonical.mixes_scripts("paypal")
    assert not canonical.mixes_scripts("\u0430\u043b\u0438\u0441\u0430") and not canonical.mixes_scripts("l1-0")
    assert canonical.email_key("p\u0430yp\u0430l@x.example") == "paypal@x.example"
    assert not canonical.mixes_scripts("東京たワー")  # Han, Hiragana and Katakana are written together


def test_a_slug_is_its_own_key_and_organisation_names_are_keyed_per_country():
    assert canonical.slug_key("helix-genomics") == "helix-genomics"
    same = canonical.organisation_name_key("GB", "Helix Genomics")
    assert canonical.organisation_name_key("gb", "HELIX  Génomics") == same
    assert canonical.organisation_name_key("GB", "Hel\u200bix Genomics") == same
    assert canonical.organisation_name_key("GB", "H\u0435lix Genomics") == same  # Cyrillic е
    assert canonical.organisation_name_key("FR", "Helix Genomics") != same


def test_the_demo_directory_has_no_two_records_on_one_key():
    data = demo.generate(1)
    keys = [people.email_key(p) for p in data.people]
    assert len(set(keys)) == len(keys)
    names = [canonical.organisation_name_key(o.country_code, o.name) for o in data.organisations]
    assert len(set(names)) == len(names)


# Mutations

@pytest.fixture
async def run(engine, schema):
    async with directory_copy(engine, "test_uniqueness") as db:
        yield Run(schema, db)


def _person(email: str, given: str = "Lea") -> dict:
    return {"givenName": given, "familyName": "Roy", "email": email, "affiliation": "org_montreal"}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
async def test_staff_cannot_create_a_second_person_with_a_variant_of_an_address(run, variant):
    first = await run.as_viewer(STAFF)(CREATE_PERSON, input=_person(ADDRESS))
    assert first["createPerson"]["userErrors"] == []
    second = await run.as_viewer(STAFF)(CREATE_PERSON, input=_person(variant, "Léa"))
    assert [(e["field"], e["code"]) for e in second["createPerson"]["userErrors"]] == [(["input", "email"], "CONFLICT")]
    assert second["createPerson"]["person"] is None
    assert await run.db.people.count_documents({"email_key": ADDRESS}) == 1


async def test_an_update_to_a_variant_of_another_persons_address_is_refused(run):
    variant = "TOM@HELIX.EXAMPLE."
    data = await run.as_viewer(STAFF)(UPDATE_PERSON, input={"id": "per_chidi", "expectedVersion": 1,
                                                           "patch": {"email": variant}})
    assert [(e["field"], e["code"]) for e in data["updatePerson"]["userErrors"]] == [
        (["input", "patch", "email"], "CONFLICT")]
    own = await run.as_viewer(STAFF)(UPDATE_PERSON, input={"id": "per_tom", "expectedVersion": 1,
                                                          "patch": {"email": variant}, "reason": "typed again"})
    assert own["updatePerson"]["userErrors"] == []  # the same person's own address, typed another way


async def test_the_engine_refuses_a_second_address_the_resolvers_read_did_not_see(run):
    """Past every read: a write of a colliding document is refused by the unique
    index, and the record it was for still takes the next change."""
    [chidi] = await people.by_ids(run.db, ["per_chidi"])
    taken = replace(chidi, email="T\u043em@helix.example")  # Cyrillic о, mixed in
    write = edits.write_of("people", chidi, taken, ChangeAction.UPDATE)
    with pytest.raises(writes.Rejected):
        await writes.commit(run.db, write, expected_version=chidi.version, actor=Actor(role="staff"))
    [still] = await people.by_ids(run.db, ["per_chidi"])
    assert still == chidi
    fine = edits.write_of("people", chidi, replace(chidi, email="chidi.okafor@lagos.example"), ChangeAction.UPDATE)
    committed = await writes.commit(run.db, fine, expected_version=chidi.version, actor=Actor(role="staff"))
    assert committed.change.version == chidi.version + 1
    new = replace(chidi, id="per_other", email="CHIDI.OKAFOR@lagos.example", version=1)
    with pytest.raises(writes.Rejected):
        await writes.commit(run.db, edits.write_of("people", None, new, ChangeAction.CREATE), expected_version=None,
                            actor=Actor(role="staff"))
    assert await people.by_ids(run.db, ["per_other"]) == []
    assert await unique_keys.violations(run.db) == []


ROUNDS = 10


async def test_concurrent_creates_with_one_address_have_exactly_one_winner(run):
    """As staff, every variant at once, ten rounds: exactly one person each time."""
    staff = run.as_viewer(STAFF)
    for round_ in range(ROUNDS):
        tries = [f"racer{round_}@umontreal.example", *typings(f"racer{round_}", "umontreal.example").values()]
        assert len({canonical.email_key(t) for t in tries}) == 1, tries
        answers = await asyncio.gather(*(staff(CREATE_PERSON, input=_person(t)) for t in tries))
        made = [a["createPerson"]["person"] for a in answers if a["createPerson"]["person"]]
        refused = [e["code"] for a in answers for e in a["createPerson"]["userErrors"]]
        assert len(made) == 1 and refused == ["CONFLICT"] * (len(tries) - 1), (round_, answers)
        key = canonical.email_key(tries[0])
        assert [d["_id"] async for d in run.db.people.find({"email_key": key})] == [made[0]["id"]]
    assert await unique_keys.violations(run.db) == []


# Organisation names and applications

async def test_an_application_in_the_name_of_an_existing_organisation_is_refused(run):
    [helix] = await organisations.by_ids(run.db, ["org_helix"])
    for name in (helix.name, helix.name.upper(), helix.name.replace("e", "\u0435", 1), f" {helix.name}\u200b"):
        data = await run.as_viewer(ZOE)(CREATE_ORGANISATION, input={
            "slug": "helix-again", "name": name, "kind": "CORPORATION", "country": helix.country_code})
        assert [(e["field"], e["code"]) for e in data["createOrganisation"]["userErrors"]] == [
            (["input", "name"], "CONFLICT")], name
    assert await run.db.organisations.count_documents({"slug": "helix-again"}) == 0
    assert await run.db.contacts.count_documents({"person_id": "per_zoe", "role": "PRIMARY"}) == 0
    elsewhere = await run.as_viewer(ZOE)(CREATE_ORGANISATION, input={
        "slug": "helix-elsewhere", "name": helix.name, "kind": "CORPORATION",
        "country": "FR" if helix.country_code != "FR" else "DE"})
    assert elsewhere["createOrganisation"]["userErrors"] == []  # names are unique per country


async def test_a_slug_typed_another_way_is_never_a_second_record(run):
    [helix] = await organisations.by_ids(run.db, ["org_helix"])
    typed = [helix.slug, helix.slug.upper(), _full_width(helix.slug), f"{helix.slug}\u200b",
             helix.slug.replace("-", "\u2010"), helix.slug.replace("e", "\u0435", 1)]
    for i, slug in enumerate(typed):
        data = await run.as_viewer(STAFF)(CREATE_ORGANISATION, input={
            "slug": slug, "name": f"Other {i}", "kind": "CORPORATION", "country": "FR"})
        [error] = data["createOrganisation"]["userErrors"]
        assert error["field"] == ["input", "slug"] and error["code"] in {"CONFLICT", "INVALID"}, slug
    assert await run.db.organisations.count_documents({"name": {"$regex": "^Other"}}) == 0


async def test_renaming_an_organisation_to_another_ones_name_is_refused(run):
    [helix] = await organisations.by_ids(run.db, ["org_helix"])
    made = await run.as_viewer(STAFF)(CREATE_ORGANISATION, input={
        "slug": "helix-rival", "name": "Helix Rival", "kind": "CORPORATION", "country": helix.country_code})
    rival = made["createOrganisation"]["organisation"]["id"]
    data = await run.as_viewer(STAFF)(UPDATE_ORGANISATION, input={
        "id": rival, "expectedVersion": 1, "patch": {"name": helix.name.lower()}})
    assert [(e["field"], e["code"]) for e in data["updateOrganisation"]["userErrors"]] == [
        (["input", "patch", "name"], "CONFLICT")]
    renamed = await run.as_viewer(STAFF)(UPDATE_ORGANISATION, input={
        "id": rival, "expectedVersion": 1, "patch": {"name": "Helix Rival Ltd"}})
    assert renamed["updateOrganisation"]["userErrors"] == []


async def test_concurrent_applications_in_one_name_have_exactly_one_winner(run):
    names = ["Racing Genomics", "RACING GENOMICS", "Racing  Génomics", "R\u0430cing Genomics", "Racing Genomics\u200b"]
    for round_ in range(ROUNDS):
        viewers = [STAFF, ZOE, CHIDI, STAFF, ZOE]
        answers = await asyncio.gather(*(
            run.as_viewer(viewer)(CREATE_ORGANISATION, input={
                "slug": f"racing-{round_}-{i}", "name": f"{name} {round_}", "kind": "CORPORATION", "country": "CH"})
            for i, (viewer, name) in enumerate(zip(viewers, names))))
        made = [a["createOrganisation"]["organisation"] for a in answers if a["createOrganisation"]["organisation"]]
        assert len(made) == 1, (round_, answers)
        # No Primary left behind for an organisation that never came to be.
        primaries = {d["organisation_id"] async for d in run.db.contacts.find({"role": "PRIMARY"})}
        assert {o.id for o in await organisations.by_ids(run.db, primaries)} == primaries
    assert await unique_keys.violations(run.db) == []


# The import

def _ndjson(path: Path, *people_: dict) -> Path:
    path.write_text("".join(json.dumps({"type": "person", **p}) + "\n" for p in people_))
    return path


def _record(person_id: str, email: str) -> dict:
    return {"id": person_id, "givenName": "Lea", "familyName": "Roy", "email": email}


async def test_an_import_with_two_people_on_one_address_is_refused_naming_the_line(run, tmp_path):
    path = _ndjson(tmp_path / "two.ndjson", _record("per_lea_a", ADDRESS), _record("per_lea_b", VARIANTS["full width"]))
    with pytest.raises(ImportRejected) as refused:
        await import_files(run.db, [path])
    [problem] = refused.value.problems
    assert problem.where.endswith("/two.ndjson:2") and problem.field == "email" and "two.ndjson:1" in problem.message
    assert await run.db.people.count_documents({"_id": {"$in": ["per_lea_a", "per_lea_b"]}}) == 0


async def test_an_import_of_an_address_already_in_the_directory_is_refused_naming_the_line(run, tmp_path):
    path = _ndjson(tmp_path / "one.ndjson", _record("per_lea", "zoe@mueller.example"),
                   _record("per_tom2", "T\u043em@HELIX.example."))
    with pytest.raises(ImportRejected) as refused:
        await import_files(run.db, [path])
    assert sorted((p.where.rsplit("/", 1)[1], p.field) for p in refused.value.problems) == [
        ("one.ndjson:1", "email"), ("one.ndjson:2", "email")]
    assert all("zoe" not in p.message and "per_" not in p.message for p in refused.value.problems)


async def test_concurrent_imports_of_one_address_have_exactly_one_winner(run, tmp_path):
    for round_ in range(ROUNDS):
        tries = [f"importer{round_}@umontreal.example", *typings(f"importer{round_}", "umontreal.example").values()]
        paths = [_ndjson(tmp_path / f"r{round_}-{i}.ndjson", _record(f"per_import_{round_}_{i}", address))
                 for i, address in enumerate(tries[:5])]
        outcomes = await asyncio.gather(*(import_files(run.db, [p]) for p in paths), return_exceptions=True)
        written = [o for o in outcomes if not isinstance(o, BaseException)]
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        assert len(written) == 1 and all(isinstance(f, (ImportRejected, ImportStopped)) for f in failed), outcomes
        key = canonical.email_key(tries[0])
        assert await run.db.people.count_documents({"email_key": key}) == 1
    assert await unique_keys.violations(run.db) == []


# Start-up over records stored before the keys

async def test_start_up_keys_stored_people_and_keeps_earlier_duplicates_apart(engine):
    db = await fresh_database(engine, "test_uniqueness_start_up")
    try:
        for name, models in (("people", ["email_key_unique"]), ("organisations", ["name_key_unique"])):
            for index in models:
                await getattr(db, name).drop_index(index)
        old = [
            {"_id": "per_a", "given_name": "A", "family_name": "One", "email": "same@x.example"},
            {"_id": "per_b", "given_name": "B", "family_name": "Two", "email": "SAME@x.example."},
            {"_id": "per_c", "given_name": "C", "family_name": "Three", "email": None},
            {"_id": "per_d", "given_name": "D", "family_name": "Four", "email": None},
        ]
        await db.people.insert_many(old)
        await db.meta.delete_many({})
        apart = await unique_keys.prepare(db)
        assert apart == [unique_keys.Shared("people", "per_a", ("per_b",))]
        keys = {d["_id"]: d["email_key"] async for d in db.people.find()}
        assert keys["per_a"] == "same@x.example" and keys["per_b"].startswith(unique_keys.DUPLICATE_PREFIX)
        assert keys["per_c"] != keys["per_d"]
        names = {i["name"] async for i in await db.people.list_indexes()}
        assert "email_key_unique" in names
        assert await unique_keys.violations(db) == []
        with pytest.raises(Exception, match="(?i)duplicate"):
            await db.people.insert_one({"_id": "per_e", "email": "same@x.example", "email_key": "same@x.example"})
        assert await unique_keys.prepare(db) == []  # once current, nothing to do
    finally:
        await db.drop()
        await db.close()


async def test_a_person_kept_apart_at_start_up_is_told_why_when_next_saved(run):
    """Two people stored with one address before the keys existed: the second is kept
    apart, and any save of it names the address, until staff change it."""
    await run.db.people.update_one({"_id": "per_chidi"}, {"$set": {"email": "Tom@helix.example",
                                                                   "email_key": f"{unique_keys.DUPLICATE_PREFIX}per_chidi"}})
    data = await run.as_viewer(STAFF)(UPDATE_PERSON, input={"id": "per_chidi", "expectedVersion": 1,
                                                           "patch": {"familyName": "Okafor-Eze"}})
    assert [(e["field"], e["code"]) for e in data["updatePerson"]["userErrors"]] == [
        (["input", "patch", "email"], "CONFLICT")]
    fixed = await run.as_viewer(STAFF)(UPDATE_PERSON, input={"id": "per_chidi", "expectedVersion": 1,
                                                            "patch": {"email": "chidi@lagos.example"},
                                                            "reason": "kept apart at start-up"})
    assert fixed["updatePerson"]["userErrors"] == [] and fixed["updatePerson"]["person"]["version"] == 2
    assert await unique_keys.violations(run.db) == []


# Identity never uses the canonical key

class _Database:
    def __init__(self, db: Database):
        self.db = db

    def get(self) -> Database:
        return self.db


async def test_an_account_for_a_look_alike_address_never_signs_in_as_the_real_one(run):
    authenticator = Authenticator(Settings(), _Database(run.db))

    async def person_of(email: Any) -> str | None:
        return await authenticator._person_of(run.db, {"email": email, "email_verified": True, "sub": "s"})

    assert await person_of("tom@helix.example") == "per_tom"
    for look_alike in ("t\u043em@helix.example", "TOM@helix.example", "tom@helix.example.", "to\u200bm@helix.example"):
        assert await person_of(look_alike) is None, look_alike
        assert await people.by_email(run.db, look_alike) is None
