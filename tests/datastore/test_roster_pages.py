"""A roster page read alone (rosters.page and count_window) holds exactly
what the same page cut from the whole roster holds (RosterPage.cut): same
tenures, same order, same count, for both orders, every filter, cursor and
size. Which of the two a request uses is the loader's choice
(loaders.roster_page): the page alone for one group, the whole roster
when the request reads it anyway."""

import random
from datetime import date

import pytest
from pymongo import monitoring

from datastore import groups, rosters
from datastore.client import connect
from datastore.documents import MORE_OF_ONE_READ
from datastore.engines import MongoDB
from datastore.generations import KEPT
from datastore.records.rosters import RosterEntry, RosterOrder
from datastore.records.vocabulary import RosterRole
from datastore.rosters import RosterPage
from memberdir.embedded import ENGINES
from memberdir.settings import Settings
from tests.conftest import Run

pytestmark = pytest.mark.database  # run on every engine (make test)

FILTERS = [
    {},
    {"roles": frozenset({RosterRole.MEMBER, RosterRole.OBSERVER})},
    {"roles": frozenset({RosterRole.CHAIR})},
    {"active_on": date(2024, 1, 1)},
    {"roles": frozenset({RosterRole.MEMBER}), "active_on": date(2019, 6, 1)},
    {"updated_since": "2026-11-01T00:00:00.000Z"},  # the demo's every tenure: inclusive
    {"updated_since": "2026-11-01T00:00:00.001Z"},  # none
]


def _ways_of_reading() -> list[str]:
    """As the session's engine is best read (by stretches of page windows, for
    SecantusDB) and plainly (MongoDB's strategy); an engine that reads pages as
    MongoDB does (FerretDB) only once."""
    traits = ENGINES[Settings().engine].traits
    plain = type(traits).read_page is MongoDB.read_page
    return ["in one read"] if plain else ["as the engine takes it", "in one read"]


@pytest.fixture(params=_ways_of_reading())
async def demo_reads(request, engine, demo_db):
    traits = engine.traits if request.param == "as the engine takes it" else MongoDB()
    db = connect(engine.uri, demo_db.name, traits=traits)
    yield db
    await db.close()


async def test_a_page_read_alone_is_the_page_cut_from_the_whole_roster(demo_reads):
    # Bounded: FerretDB 1.24 reads the whole roster collection for each (about a second).
    db = demo_reads
    rng = random.Random(7)
    group = await groups.by_slug(db, "clinical-work-stream")
    assert group is not None
    whole = await rosters.by_groups(db, [group.id])
    assert len(whole) > 100
    for order in RosterOrder:
        for filters in FILTERS:
            page = RosterPage(group.id, limit=7, order=order, **filters)
            cut, total = page.cut(whole)
            assert await rosters.count_page(db, page) == total, (order, filters)
            assert await rosters.read_page_of(db, page) == cut, (order, filters)
        every = RosterPage(group.id, limit=len(whole), order=order).cut(whole)[0]
        for entry in rng.sample(every, 2):
            for size in (1, 101):
                page = RosterPage(group.id, limit=size, order=order, after=order_key(order, entry))
                assert await rosters.read_page_of(db, page) == page.cut(whole)[0], (order, entry, size)


def order_key(order: RosterOrder, entry: RosterEntry) -> tuple:
    return RosterPage(entry.group_id, limit=1, order=order).key_of(entry)


class Reads(monitoring.CommandListener):
    """The roster's reads: (command, limit); the later parts of one read
    (by stretches and page windows, datastore/engines/secantusdb.py) left out."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int | None]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name, command = event.command_name, event.command
        if name in {"find", "count"} and command[name] == "roster" and command.get("comment") != MORE_OF_ONE_READ:
            self.sent.append((name, command.get("limit")))

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture
async def reads(engine, demo_db, schema):
    listener = Reads()
    db = connect(engine.uri, demo_db.name, listeners=[listener], traits=engine.traits)
    yield Run(schema, db), listener
    await db.close()


async def test_a_page_of_one_roster_reads_that_page_and_with_its_chairs_the_whole_roster(reads):
    run, listener = reads
    KEPT.clear()
    roster = "roster(first: 20, activeOn: \"2024-01-01\") { totalCount nodes { role since person { id } } }"
    alone = await run(f'{{ workingGroup(slug: "clinical-work-stream") {{ {roster} }} }}')
    # The roster's length (longer than the page: read by page), the page, the page's count.
    assert listener.sent == [("count", None), ("find", 21), ("count", None)]

    listener.sent.clear()
    with_chairs = await run(f'{{ workingGroup(slug: "clinical-work-stream") {{ chairs {{ id }} {roster} }} }}')
    assert listener.sent == [("find", None)]

    assert with_chairs["workingGroup"]["roster"] == alone["workingGroup"]["roster"]
    assert len(alone["workingGroup"]["roster"]["nodes"]) == 20
    assert alone["workingGroup"]["roster"]["totalCount"] > 20


async def test_a_roster_that_fits_in_the_page_is_read_whole_in_one_find(reads):
    run, listener = reads
    KEPT.clear()
    query = '{ workingGroup(slug: "clinical-work-stream") { roster(first: 500) { totalCount nodes { role since } } } }'
    first = await run(query)
    assert listener.sent == [("count", None), ("find", None)]  # its length, then the whole roster
    listener.sent.clear()
    again = await run(query)
    assert listener.sent == [("find", None)]  # the length kept; the count cut from the roster
    roster = again["workingGroup"]["roster"]
    assert again == first and 100 < roster["totalCount"] == len(roster["nodes"]) < 500
