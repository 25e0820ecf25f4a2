"""Searches read through one gram of their text (datastore/text.py) and find
exactly what a substring test of every folded name finds."""

import pytest

from datastore import derived
from datastore.text import fold, grams, rarest_gram, search_condition
from tests.conftest import Run, directory_copy

PEOPLE = "query($q: String!) { people(filter: {search: $q}, first: 100) { totalCount nodes { id } } }"
ORGANISATIONS = "query($q: String!) { organisations(filter: {search: $q}, first: 100) { totalCount nodes { id } } }"


@pytest.mark.parametrize(
    ("folded", "expected"),
    [
        ("", []),
        ("a", []),
        ("ab", []),
        ("abc", ["abc"]),
        ("aaaa", ["aaa"]),  # distinct
        ("zoe muller", [" mu", "e m", "ler", "lle", "mul", "oe ", "ull", "zoe"]),  # across the space
        (fold("東京"), ["don", "gji", "ing", "jin", "ngj", "ong"]),  # 'dongjing', after folding
    ],
)
def test_grams_are_the_distinct_three_character_substrings_in_order(folded, expected):
    assert grams(folded) == expected


def test_the_rarest_gram_is_chosen_and_is_one_of_the_texts():
    assert rarest_gram("silva") == "ilv"  # 'v' is rarer than 's', 'i' rarer than 'a'
    assert rarest_gram("jean") == "jea"
    assert rarest_gram("an ana") in grams("an ana")
    assert rarest_gram("abcabc") == "abc"  # a tie (abc, bca, cab), broken by sorted order


def test_a_search_looks_up_its_gram_first_then_matches_the_pattern():
    condition = search_condition("Silva")
    assert list(condition) == ["name_grams", "name_folded"]
    assert condition == {"name_grams": "ilv", "name_folded": {"$regex": "silva"}}


def test_short_text_is_the_pattern_alone_and_text_folding_to_nothing_matches_nothing():
    assert search_condition("Sø") == {"name_folded": {"$regex": "so"}}
    assert search_condition("\u0301") == {"name_folded": {"$in": []}}


async def _count_and_first_page(run: Run, query: str, text: str) -> tuple[int, set[str]]:
    data = next(iter((await run(query, q=text)).values()))
    return data["totalCount"], {n["id"] for n in data["nodes"]}


async def _found(run: Run, query: str, text: str) -> set[str]:
    count, page = await _count_and_first_page(run, query, text)
    assert count == len(page)  # all of them on the page
    return page


async def _substring_of(collection, text: str) -> set[str]:
    folded = fold(text)
    return {d["_id"] async for d in collection.find({}, projection={"name_folded": 1}) if folded in d["name_folded"]}


@pytest.mark.parametrize("text", ["silva", "Søren", "n s", "de la", "ana", "ga", "sen", "x", "school of", "ÉCOLE"])
async def test_people_and_organisations_found_are_those_whose_folded_name_contains_the_text(
    run_demo, demo_db, text
):
    for query, collection in ((PEOPLE, demo_db.people), (ORGANISATIONS, demo_db.organisations)):
        expected = await _substring_of(collection, text)
        count, page = await _count_and_first_page(run_demo, query, text)
        assert count == len(expected)
        assert page <= expected and len(page) == min(100, count)


@pytest.fixture
async def old_db(ferretdb):
    async with directory_copy(ferretdb, "test_search_grams") as db:
        yield db


async def test_records_stored_before_grams_are_found_after_the_upgrade(old_db, schema):
    run = Run(schema, old_db)
    # As an older release left them: no grams, and the derived fields' version of then.
    for collection in (old_db.people, old_db.organisations, old_db.groups):
        await collection.update_many({}, {"$unset": {"name_grams": ""}})
    await old_db.meta.replace_one({"_id": "derived_fields"}, {"version": "older"}, upsert=True)
    assert await _found(run, PEOPLE, "zoe muller") == set()

    await derived.refresh(old_db)

    assert await _found(run, PEOPLE, "zoe muller") == {"per_zoe"}
    montreal = await _substring_of(old_db.organisations, "montreal")
    assert montreal and await _found(run, ORGANISATIONS, "montréal") == montreal
    groups = await run('{ workingGroups(filter: {search: "task team"}) { id } }')
    assert {g["id"] for g in groups["workingGroups"]} == {"grp_phenopackets", "grp_variants"}
