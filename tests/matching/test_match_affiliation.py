"""matchAffiliation: each way a string names an organisation, what is chosen,
and what a caller may be answered."""

import pytest

from tests.matching_helpers import MATCH, chosen, match

pytestmark = pytest.mark.database  # run on every engine (make test)


@pytest.mark.parametrize(("text", "expected"), [
    ("Université de Montréal", ("org_montreal", "EXACT")),
    ("universite de montreal", ("org_montreal", "EXACT")),
    ("Dept. of Genetics, Københavns Universitet", ("org_copenhagen", "PHRASE")),
    ("Department of Biology, Univ. of Copenhagen, Ole Maaløes Vej 5, 2200 København N, Denmark",
     ("org_copenhagen", "PHRASE")),
    ("Univ Montreal", ("org_montreal", "PHRASE")),
    ("UCPH, Copenhagen, Denmark", ("org_copenhagen", "ACRONYM")),
    ("Genomic Medicine Institute, Toronto", ("org_tigm", "COMMON_TERMS")),
    ("Toronto Institute of Genomic Medcine", ("org_tigm", "FUZZY")),
    ("see https://ror.org/035b05819 for the institution", ("org_copenhagen", "IDENTIFIER")),
    ("ROR 035b05819", ("org_copenhagen", "IDENTIFIER")),
    ("Allele Genomics Inc., Toronto, Canada", ("org_allele_ca", "PHRASE")),
    ("Allele Genomics Ltd, United Kingdom", ("org_allele_gb", "PHRASE")),
])
async def test_each_way_of_naming_an_organisation_is_found_and_chosen(client, keys, text, expected):
    assert chosen(await match(client, keys["anonymous"], text)) == expected


async def test_a_name_two_countries_share_is_not_chosen_without_the_country(client, keys):
    found = await match(client, keys["anonymous"], "Allele Genomics")
    assert chosen(found) is None
    assert {m["organisation"]["id"] for m in found[:2]} == {"org_allele_ca", "org_allele_gb"}


async def test_an_acronym_alone_is_a_candidate_never_chosen(client, keys):
    found = await match(client, keys["anonymous"], "UCPH")
    assert found[0]["organisation"]["id"] == "org_copenhagen" and found[0]["matchingType"] == "ACRONYM"
    assert chosen(found) is None


async def test_a_department_is_not_what_is_matched(client, keys):
    found = await match(client, keys["anonymous"], "Department of Genetics, Helsinki University Hospital")
    assert chosen(found) == ("org_helsinki", "PHRASE")
    assert found[0]["matchedText"] == "Helsinki University Hospital"


@pytest.mark.parametrize("text", [
    "Massachusetts Institute of Technology, Cambridge, MA, USA",
    "University of Oslo, Norway",
    "Allele Therapeutics, Boston",
    "https://ror.org/05a28rw58",
    "Independent researcher",
])
async def test_a_string_naming_no_member_gets_nothing_chosen(client, keys, text):
    assert chosen(await match(client, keys["staff"], text)) is None


@pytest.mark.parametrize(("text", "hidden"), [
    ("Zürich Data Commons", "org_zurich"),  # APPLICANT
    ("Hospital São Paulo Genomics", "org_saopaulo"),  # REMOVED
    ("Lagos Rare Disease Foundation", "org_lagos"),  # DECLINED
])
async def test_anonymous_callers_never_get_applicants_declined_or_removed_members(client, keys, text, hidden):
    assert hidden not in {m["organisation"]["id"] for m in await match(client, keys["anonymous"], text, 20)}
    assert chosen(await match(client, keys["member"], text)) == (hidden, "EXACT")
    assert chosen(await match(client, keys["staff"], text)) == (hidden, "EXACT")


async def test_scores_are_in_order_and_first_bounds_the_answer(client, keys):
    found = await match(client, keys["staff"], "Genomics", 2)
    assert len(found) <= 2
    assert all(0 <= m["score"] <= 1 for m in found)
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)


@pytest.mark.parametrize(("variables", "argument"), [
    ({"text": "x", "first": 21}, "first"),
    ({"text": "x", "first": 0}, "first"),
    ({"text": "x" * 1001}, "text"),
])
async def test_bad_arguments_are_refused_naming_them(client, keys, variables, argument):
    response = await client.post("/graphql", json={"query": MATCH, "variables": variables})
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["argument"] == argument, errors
