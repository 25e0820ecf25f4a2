"""POST /match/affiliations.csv: a round trip through a real CSV reader, the
limits on what is sent, and the rate budget it is charged to."""

import csv
import io

import pytest

from memberdir.settings import Settings
from resolvers.matching import MAX_ROWS
from tests.matching_helpers import client_of

pytestmark = pytest.mark.database  # run on every engine (make test)

CSV = {"Content-Type": "text/csv"}


def rows_of(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


async def test_rows_come_back_in_order_with_their_best_organisation(client, keys):
    sent = io.StringIO()
    writer = csv.writer(sent)
    texts = ["Allele Genomics Inc., Toronto, Canada", "", "Dept. of Genetics, Københavns Universitet",
             "Independent researcher", "=HYPERLINK(\"x\")", "Zürich Data Commons"]
    writer.writerows([["affiliation"], *([t] for t in texts)])
    response = await client.post("/match/affiliations.csv", content=sent.getvalue().encode(),
                                 headers={**CSV, **keys["anonymous"]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = rows_of(response.text)
    assert [r["affiliation"] for r in rows] == [*texts[:4], "'=HYPERLINK(\"x\")", texts[5]]
    assert (rows[0]["organisationId"], rows[0]["chosen"], rows[0]["matchingType"]) == ("org_allele_ca", "true", "PHRASE")
    assert rows[0]["organisationName"] == "Allele Genomics" and 0.9 <= float(rows[0]["score"]) <= 1
    assert rows[1]["organisationId"] == "" and rows[3]["chosen"] in ("", "false")
    assert (rows[2]["organisationId"], rows[2]["chosen"]) == ("org_copenhagen", "true")
    assert rows[5]["organisationId"] != "org_zurich"  # an applicant: never to anonymous callers


async def test_the_same_rows_for_staff_include_applicants(client, keys):
    response = await client.post("/match/affiliations.csv", content="Zürich Data Commons\n".encode(),
                                 headers={**CSV, **keys["staff"]})
    assert rows_of(response.text)[0]["organisationId"] == "org_zurich"


async def test_more_rows_than_allowed_are_refused_before_any_work(client, keys):
    body = "\n".join(["Allele Genomics"] * (MAX_ROWS + 1)).encode()
    response = await client.post("/match/affiliations.csv", content=body, headers=CSV)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert str(MAX_ROWS) in error["message"] and error["extensions"]["row"] == MAX_ROWS + 1


@pytest.mark.parametrize(("body", "row", "words"), [
    (b"affiliation\nAllele Genomics\nUniv. of Copenhagen, Denmark\n", 3, "2 columns"),
    (b'ok\n"an unterminated quote\n', 2, "not valid CSV"),
    (b"\xff\xfe not utf-8", None, "UTF-8"),
    (("x" * 1001).encode(), 1, "at most 1000"),
])
async def test_malformed_csv_is_a_400_naming_the_row(client, body, row, words):
    response = await client.post("/match/affiliations.csv", content=body, headers=CSV)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert words in error["message"] and error["extensions"].get("row") == row


async def test_a_body_that_is_not_csv_is_refused(client):
    response = await client.post("/match/affiliations.csv", json={"text": "Allele Genomics"})
    assert response.status_code == 415


async def test_each_row_is_charged_to_the_callers_rate_budget(matching_db, keys):
    async with client_of(matching_db, Settings(rate_limit_points_per_minute=10)) as client:
        first = await client.post("/match/affiliations.csv", content=b"a\nb\nc\nd\ne\nf\n",
                                  headers={**CSV, **keys["member"]})
        assert first.status_code == 200 and first.headers["RateLimit-Remaining"] == "4"
        refused = await client.post("/match/affiliations.csv", content=b"a\nb\nc\nd\ne\n",
                                    headers={**CSV, **keys["member"]})
        assert refused.status_code == 429
        # The same budget as /graphql: what is left is what a query can still spend.
        query = await client.post("/graphql", json={"query": "{ rateLimit { remaining } }"}, headers=keys["member"])
        assert query.json()["data"]["rateLimit"]["remaining"] <= 4
