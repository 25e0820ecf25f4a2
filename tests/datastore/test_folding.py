"""Search folds what people type the way names were folded when stored, and
stored names are re-folded after an upgrade without touching their records."""

import unicodedata

import pytest

from datastore import derived
from datastore.importer import import_files
from datastore.text import fold
from tests.conftest import DATA, Run, fresh_database

ORGANISATIONS = "query($q: String!) { organisations(filter: {search: $q}, first: 50) { nodes { id } } }"
PEOPLE = "query($q: String!) { people(filter: {search: $q}, first: 50) { nodes { id } } }"


@pytest.fixture(scope="module")
async def folding_db(ferretdb):
    db = await fresh_database(ferretdb, "test_folding")
    await import_files(db, [DATA / "folding.json"])
    yield db
    await db.close()


@pytest.fixture(scope="module")
def run_folding(schema, folding_db) -> Run:
    return Run(schema, folding_db)


async def _organisations(run: Run, text: str) -> set[str]:
    return {n["id"] for n in (await run(ORGANISATIONS, q=text))["organisations"]["nodes"]}


async def _people(run: Run, text: str) -> set[str]:
    return {n["id"] for n in (await run(PEOPLE, q=text))["people"]["nodes"]}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("kobenhavns", "org_ku"),
        ("lodz", "org_lodz"),
        ("strasse", "org_strasse"),
        ("sao paulo", "org_saopaulo"),
        ("ｍｏｎｔｒｅａｌ", "org_montreal"),  # fullwidth letters
        (unicodedata.normalize("NFD", "Montréal"), "org_montreal"),  # a decomposed accent
        ("thorshofn genome oeuvre", "org_reykjavik"),  # þ, ö and œ
        ("東京大学", "org_tokyo"),  # typed in its own script
        ("ゲノム", "org_tokyo"),
        ("Московский", "org_moscow"),
        ("moskovskiy", "org_moscow"),  # and in Latin letters
    ],
)
async def test_organisation_search_finds_what_people_type(run_folding, typed, found):
    assert await _organisations(run_folding, typed) == {found}


@pytest.mark.parametrize(
    ("typed", "found"),
    [("soren", "per_soren"), ("norgaard", "per_soren"), ("dorde aebeltoft", "per_dorde"),
     ("lukasz wasowski", "per_lukasz"), ("田中", "per_yuki")],
)
async def test_people_search_finds_what_people_type(run_folding, typed, found):
    assert await _people(run_folding, typed) == {found}


async def test_soren_finds_every_soren_of_the_demo(run_demo, demo_db):
    expected = await demo_db.people.count_documents({"given_name": "Søren"})
    assert expected > 10
    data = await run_demo("{ people(filter: {search: \"soren\"}, first: 0) { totalCount } }")
    assert data["people"]["totalCount"] >= expected


async def test_sao_paulo_finds_the_sao_paulo_organisations_of_the_demo(run_demo, demo_db):
    expected = {d["_id"] async for d in demo_db.organisations.find({"name": {"$regex": "São Paulo"}})}
    assert expected
    data = await run_demo("{ organisations(filter: {search: \"sao paulo\"}, first: 100) { nodes { id } } }")
    assert {n["id"] for n in data["organisations"]["nodes"]} == expected


async def test_text_that_folds_to_nothing_finds_nothing(run_folding):
    assert await _organisations(run_folding, "\u0301") == set()  # a lone combining accent


def _old_fold(text: str) -> str:
    """The fold before transliteration: accents stripped, 'ø' and 'ł' left as they were."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


async def test_an_upgrade_refolds_stored_names_and_leaves_records_alone(folding_db, run_folding):
    # Make the database look as an older release left it.
    async for document in folding_db.people.find({}):
        await folding_db.people.update_one({"_id": document["_id"]}, {"$set": {
            "name_folded": _old_fold(f"{document['given_name']} {document['family_name']}"),
            "sort_name": _old_fold(f"{document['family_name']} {document['given_name']}"),
            "version": 7,
        }})
    async for document in folding_db.organisations.find({}):
        await folding_db.organisations.update_one(
            {"_id": document["_id"]}, {"$set": {"name_folded": _old_fold(document["name"])},
                                       "$unset": {"next_review_due": "", "review_due_key": ""}})
    await folding_db.meta.replace_one({"_id": "derived_fields"}, {"version": "older"}, upsert=True)
    assert await _people(run_folding, "soren") == set()
    before = {d["_id"]: d async for d in folding_db.people.find({})}
    collections_before = set(await folding_db.client[folding_db.name].list_collection_names())

    assert await derived.refresh(folding_db) == 4 + 8  # every person and every organisation

    assert await _people(run_folding, "soren") == {"per_soren"}
    assert await _organisations(run_folding, "lodz") == {"org_lodz"}
    after = {d["_id"]: d async for d in folding_db.people.find({})}
    for key, document in after.items():
        assert document["sort_name"] == fold(f"{document['family_name']} {document['given_name']}")
        unchanged = {f: v for f, v in before[key].items() if f not in ("name_folded", "sort_name")}
        assert {f: document[f] for f in unchanged} == unchanged  # version 7 and updated_at included
    assert set(await folding_db.client[folding_db.name].list_collection_names()) == collections_before
    review = await folding_db.organisations.find_one({"_id": "org_ku"})
    assert review["next_review_due"] == "2017-03-01"
    assert await derived.refresh(folding_db) == 0  # already current: nothing read or written
