"""Engine strategies (datastore/engines): the domain modules name no engine,
the plain strategy is what production runs, and the others read the same
rows as it does."""

import re
from pathlib import Path

import pytest
from pymongo import monitoring
from pymongo.errors import DuplicateKeyError, OperationFailure

from datastore import engines, organisations
from datastore.client import connect
from datastore.documents import MORE_OF_ONE_READ
from datastore.engines import FerretDB, MongoDB, SecantusDB
from datastore.organisations import OrganisationFilter
from datastore.records.organisations import OrganisationOrder
from datastore.records.vocabulary import Continent, MembershipStatus

pytestmark = pytest.mark.database  # run on every engine (make test)

DATASTORE = Path(__file__).parents[2] / "datastore"
# Engine knowledge: an engine's name, or the traits a strategy is picked by.
ENGINE_WORDS = re.compile(r"secantus|ferret|ServerTraits|traits_of|windows", re.IGNORECASE)
# Packages of datastore/ that are not domain modules.
NOT_DOMAIN = {"engines": "the engine strategies themselves", "records": "domain records, with no queries"}
# Words a module may use, and why.
ALLOWED = {"client.py": ({"ServerTraits"}, "the connection carries the engine's traits to the strategies; it reads none")}


def test_no_domain_module_of_the_datastore_names_an_engine_or_reads_its_traits():
    found = []
    for path in sorted(DATASTORE.rglob("*.py")):
        relative = path.relative_to(DATASTORE)
        if relative.parts[0] in NOT_DOMAIN:
            continue
        allowed = ALLOWED.get(relative.as_posix(), (set(), ""))[0]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            words = {m.group(0) for m in ENGINE_WORDS.finditer(line)} - allowed
            if words:
                found.append(f"datastore/{relative.as_posix()}:{number}: {sorted(words)}: {line.strip()}")
    assert not found, "engine knowledge belongs in datastore/engines/:\n" + "\n".join(found)


class Finds(monitoring.CommandListener):
    """Every find and count sent, whole."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in {"find", "count"}:
            self.sent.append(dict(event.command))

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


@pytest.fixture
async def read_as(engine, demo_db):
    """The demo database read through a client with the given strategy, and what it sent."""
    opened = []

    def read_as(traits):
        finds = Finds()
        db = connect(engine.uri, demo_db.name, listeners=[finds], traits=traits)
        opened.append(db)
        return db, finds

    yield read_as
    for db in opened:
        await db.close()


async def test_the_plain_strategy_reads_a_page_in_one_find_through_the_index_the_domain_names(read_as):
    db, finds = read_as(MongoDB())
    where = OrganisationFilter(continents=(Continent.AFRICA,), statuses=(MembershipStatus.ACTIVE,))
    order = OrganisationOrder.NAME_ASC
    for _ in range(2):  # no memory of pages read before
        page = await organisations.page(db, where, order, None, 5)
        assert len(page) == 5
        assert [(c["limit"], c.get("hint"), c["filter"]) for c in finds.sent] == [(5, "by_continent", where.to_query())]
        finds.sent.clear()
    assert await organisations.count(db, where) > 5
    assert [(c["query"], c.get("hint")) for c in finds.sent] == [(where.to_query(), "by_continent")]


async def test_page_windows_read_a_page_in_parts_that_the_plain_strategy_reads_in_one(read_as):
    plain, _ = read_as(MongoDB())
    windowed, finds = read_as(SecantusDB())
    order = OrganisationOrder.NAME_ASC
    first = await organisations.page(plain, OrganisationFilter(), order, None, 20)
    after = organisations.order_key(order, first[-1])
    assert await organisations.page(windowed, OrganisationFilter(), order, after, 20) == (
        await organisations.page(plain, OrganisationFilter(), order, after, 20)
    )
    assert len(finds.sent) > 1  # the ties of the cursor's key, then windows of names
    assert [c.get("comment") for c in finds.sent[1:]] == [MORE_OF_ONE_READ] * (len(finds.sent) - 1)


async def test_a_long_in_list_read_in_batches_finds_what_one_find_does(read_as, demo_db):
    ids = [d["_id"] async for d in demo_db.organisations.find({}, projection=["_id"])]
    assert len(ids) > 7
    sort = [("name_folded", 1), ("_id", 1)]
    plain, _ = read_as(MongoDB())
    batched, finds = read_as(SecantusDB(in_batch=3))
    found = await engines.find_in(batched.organisations, "_id", ids, sort=sort)
    assert found == await engines.find_in(plain.organisations, "_id", ids, sort=sort)
    assert len(found) == len(ids)
    assert len(finds.sent) == -(-len(ids) // 3)  # sent together: the later ones marked parts of one read
    assert [c.get("comment") for c in finds.sent].count(MORE_OF_ONE_READ) == len(finds.sent) - 1


def test_only_ferretdbs_strategy_takes_sqlites_words_for_a_unique_key_taken():
    sqlite = OperationFailure("UNIQUE constraint failed: people.email_key", code=1)
    duplicate = DuplicateKeyError("E11000 duplicate key error", code=11000)
    assert FerretDB().unique_key_taken(sqlite) and FerretDB().unique_key_taken(duplicate)
    assert not MongoDB().unique_key_taken(sqlite) and MongoDB().unique_key_taken(duplicate)
    assert not SecantusDB().unique_key_taken(sqlite)


def test_each_embedded_engine_names_its_strategy():
    from memberdir.embedded.ferretdb import EmbeddedFerretDB
    from memberdir.embedded.secantusdb import EmbeddedSecantusDB
    from memberdir.embedded.secantusdb_rs import EmbeddedSecantusDBRust

    assert isinstance(EmbeddedFerretDB.traits, FerretDB)
    assert isinstance(EmbeddedSecantusDB.traits, SecantusDB) and EmbeddedSecantusDB.traits.in_batch
    assert isinstance(EmbeddedSecantusDBRust.traits, SecantusDB) and not EmbeddedSecantusDBRust.traits.in_batch
