"""Pages read by page windows (datastore/engines/page_windows.py, SecantusDB's
strategy) are exactly the pages of one unbounded read (the plain strategy,
MongoDB's): same rows, same order, for every order, filter, cursor and size."""

import random
from datetime import date

import pytest

from datastore import keyset, organisations, people
from datastore.client import connect
from datastore.engines import MongoDB, SecantusDB, page_windows
from datastore.organisations import OrganisationFilter
from datastore.people import PersonFilter
from datastore.records.organisations import OrganisationOrder
from datastore.records.people import PersonOrder
from datastore.records.vocabulary import Continent, MembershipStatus

PEOPLE_FILTERS = [PersonFilter(), PersonFilter(continents=(Continent.EUROPE,)), PersonFilter(countries=("BR", "DE"))]
ORGANISATION_FILTERS = [
    OrganisationFilter(),
    OrganisationFilter(continents=(Continent.AFRICA,), statuses=(MembershipStatus.ACTIVE,)),
    OrganisationFilter(review_due_before=date(2026, 11, 1)),
]


@pytest.fixture(scope="module")
async def both(engine, demo_db):
    """The demo database through a client that reads by page windows and one that does not."""
    plain = connect(engine.uri, demo_db.name, traits=MongoDB())
    windowed = connect(engine.uri, demo_db.name, traits=SecantusDB())
    yield plain, windowed
    await plain.close()
    await windowed.close()


async def _compare(plain_page, windowed_page, keys, sizes=(1, 20, 101)):
    for key in [None, None, *keys]:  # the first page twice: without and with its reach
        for size in sizes:
            assert await windowed_page(key, size) == await plain_page(key, size), (key, size)


async def _sample_keys(collection, query: dict, sort, rng: random.Random) -> list[tuple]:
    """The sort keys of up to five rows, as cursors would carry them."""
    rows = await collection.find(query, sort=list(sort)).to_list()
    return [tuple(d[f] for f, _ in sort) for d in rng.sample(rows, min(5, len(rows)))]


async def test_people_pages_are_those_of_one_read(both):
    plain, windowed = both
    rng = random.Random(7)
    for order in PersonOrder:
        for where in PEOPLE_FILTERS:
            await _compare(
                lambda key, size: people.page(plain, where, key, size, order),
                lambda key, size: people.page(windowed, where, key, size, order),
                await _sample_keys(plain.people, where.to_query(), order.sort, rng),
            )


async def test_organisation_pages_are_those_of_one_read(both):
    plain, windowed = both
    rng = random.Random(7)
    for order in OrganisationOrder:
        for where in ORGANISATION_FILTERS:
            await _compare(
                lambda key, size: organisations.page(plain, where, order, key, size),
                lambda key, size: organisations.page(windowed, where, order, key, size),
                await _sample_keys(plain.organisations, where.to_query(), order.sort, rng),
            )


@pytest.mark.parametrize("key", ["", "a", "smith john", "z\U0010ffff", "\ud7ff", "2026-11-01T00:00:00.000Z"])
def test_ranges_are_contiguous_and_cover_the_rest(key):
    """Each range starts where the one before ended, the last is open, and
    every bound is a string BSON can carry."""
    up = list(page_windows._ranges(key, 1))
    assert up[0]["$gt"] == key and "$lt" not in up[-1]
    assert all(a["$lt"] == b["$gte"] > key for a, b in zip(up, up[1:]))
    down = list(page_windows._ranges(key, -1))
    assert down == [] if key == "" else (down[0]["$lt"] == key and down[-1]["$gte"] == "")
    assert all(a["$gte"] == b["$lt"] for a, b in zip(down, down[1:]))
    for bound in (v for r in up + down for v in r.values()):
        bound.encode()  # no lone surrogate


def test_a_next_page_filter_is_one_document_of_conditions_unless_they_share_a_field():
    query = {"status": {"$in": ["ACTIVE"]}, "$or": [{"country": "GB"}, {"continent": "EUROPE"}]}
    branch = {"name_folded": "acme", "_id": {"$gt": "org_1"}}
    assert keyset.both(query, branch) == {**query, **branch}
    assert keyset.both({}, branch) == branch and keyset.both(query, {}) == query
    sharing = {"_id": {"$gt": "org_0"}}
    assert keyset.both(sharing, branch) == {"$and": [sharing, branch]}
