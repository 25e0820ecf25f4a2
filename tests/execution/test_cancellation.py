"""Cancelled work leaves the database usable, and every request gets one answer.

Work in flight is cancelled by the execution deadline, by the planned
executor when a level fails (it then runs the operation with graphql-core),
and by graphql-core when a sibling field fails; a client may also go away
mid-request (uvicorn then cancels nothing, and the work must still end well).
After each, on both executors, the connection pool has every checkout ended
and every connection checked in again (its counters back at zero),
the request was answered (once, as well-formed JSON), and the process still
answers a database query at once: each of those waits is bounded by a few
seconds, as a liveness check, never as a measure of speed.
"""

import asyncio
import gc
from collections.abc import AsyncIterator, Callable

import orjson
import pytest
from httpx import ASGITransport, AsyncClient

from datastore.client import Database, DirectoryClient
from datastore.pool_use import IDLE, pool_in_use
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings
from resolvers.context import Context
from resolvers.loaders import LoadCancelled, Loaders
from resolvers.viewer import ANONYMOUS, Viewer
from memberdir.execution import build_schema
from strawberry.extensions import SchemaExtension
from edge_helpers import live_server
from tests.conftest import directory_copy

# Work cut short must end its clean-up: a coroutine closed while its clean-up
# still had to await is reported by Python as unraisable ("coroutine ignored
# GeneratorExit"), which here fails the test.
pytestmark = [pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
              pytest.mark.database]  # database: run on every engine (make test)

EXECUTORS = {"planned": build_schema(), "graphql-core": build_schema(planned=False)}
STAFF = Viewer(role=Role.STAFF, person_id="per_ana")
LIVENESS_SECONDS = 10  # a bound on "answers at once" for a loaded two-core machine, not a speed

# A field that fails at once (a bad cursor) beside fields still reading: the
# planned run meets the error while the others wait on the pool's checkout.
FAILS_BESIDE_READS = """{ workingGroups(first: 10) { history(first: 5) { totalCount }
    roster(after: "nonsense") { totalCount } } }"""
# The failing field's sibling waits on a DataLoader load (Helix's contacts)
# that another field shares: graphql-core cancels the sibling when the error
# reaches their parent.
FAILS_BESIDE_A_SHARED_LOAD = """{ organisations { nodes { slug contacts { id } } }
    organisation(slug: "helix-genomics") { contacts { id } people(after: "nonsense") { totalCount } } }"""
# Reads side by side, waiting for the pool's two connections: a short
# deadline lands while some wait in its checkout.
READS_SIDE_BY_SIDE = """{ workingGroups(first: 10) { history(first: 5) { totalCount } roster(first: 5) { totalCount } } }"""
# Enough reads, one level after another, for a short deadline to land mid-way.
MANY_READS = """{ organisations(first: 100) { nodes { slug contacts { id person { name affiliation { slug } } }
    people(first: 20) { totalCount nodes { name groups { role group { slug } } } } } }
    workingGroups(first: 10) { roster(first: 50) { totalCount nodes { person { name } } } history(first: 5) { totalCount } } }"""
ORDINARY = '{ organisation(id: "org_lagos") { name } }'
ORDINARY_ANSWER = {"organisation": {"name": "Lagos Rare Disease Foundation"}}


@pytest.fixture(scope="module")
async def directory_name(engine) -> AsyncIterator[str]:
    async with directory_copy(engine, "test_cancellation") as db:
        yield db.name


@pytest.fixture
async def clients(engine, directory_name) -> AsyncIterator[Callable[[], Database]]:
    """Makes clients of the directory with a small pool, each starting with
    no connection, so resolvers do wait in its checkout, some while the pool
    makes connections."""
    made: list[Database] = []

    def new_client() -> Database:
        client = DirectoryClient(
            engine.uri, traits=engine.traits, maxPoolSize=2, serverSelectionTimeoutMS=5000, tz_aware=True
        )
        made.append(Database(client, directory_name))
        return made[-1]

    yield new_client
    # A wedged pool (what these tests catch) must not hang the rest of the suite.
    await asyncio.wait([asyncio.ensure_future(db.close()) for db in made], timeout=LIVENESS_SECONDS)


@pytest.fixture
def watched(clients) -> Database:
    return clients()


async def within(awaitable, failure: str):
    """The awaitable's result, or the test fails after LIVENESS_SECONDS. Not
    asyncio.wait_for: that waits for the cancelled work to end, which on a
    wedged pool (a lock never given back) it never does."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=LIVENESS_SECONDS)
    if not done:
        task.cancel()
        pytest.fail(failure)
    return task.result()


async def _settled(db: Database) -> None:
    """Waits until the pool has nothing in use: a read the request no longer
    waits for (a DataLoader's batch, a task of its own) ends on its own."""
    while pool_in_use(db) != IDLE:
        await asyncio.sleep(0.01)


async def assert_database_usable(db: Database) -> None:
    """The pool has nothing left in use, and a query answers at once."""
    gc.collect()  # work dropped half done is finalized now, within the test (pytestmark)
    await within(_settled(db), f"the pool was left with {pool_in_use(db)} in use")
    result = await within(
        _execute(EXECUTORS["planned"], ORDINARY, db), "an ordinary query got no answer: the database access is wedged"
    )
    assert result.errors is None and result.data == ORDINARY_ANSWER
    await within(_settled(db), f"the pool was left with {pool_in_use(db)} in use")


def _execute(schema, query: str, db: Database, viewer: Viewer = ANONYMOUS):
    return schema.execute(query, context_value=Context.for_request(db, viewer=viewer))


async def _answered(schema, query: str, db: Database, viewer: Viewer = ANONYMOUS):
    return await within(_execute(schema, query, db, viewer), "a query that fails at once got no answer")


def _codes(errors) -> list[tuple[str | None, tuple]]:
    return [(e.extensions.get("code"), tuple(e.path or ())) for e in errors or ()]


async def test_a_waiter_cancelled_leaves_a_shared_load_to_the_others(watched):
    db = watched
    loader = Loaders(db).organisation

    async def wait_for_lagos():
        return await loader.load("org_lagos")

    cancelled, waiting = asyncio.create_task(wait_for_lagos()), asyncio.create_task(wait_for_lagos())
    await asyncio.sleep(0)  # both now wait on the one future of the key
    cancelled.cancel()
    lagos = await within(waiting, "the load was never settled")
    assert lagos.name == "Lagos Rare Disease Foundation"
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert (await loader.load("org_lagos")).name == "Lagos Rare Disease Foundation"  # the cached value
    await assert_database_usable(db)


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_a_field_failing_beside_reads_answers_its_error_and_leaves_the_pool_usable(watched, executor):
    db = watched
    for _ in range(3):
        result = await _answered(EXECUTORS[executor], FAILS_BESIDE_READS, db, STAFF)
        assert _codes(result.errors) and {code for code, _ in _codes(result.errors)} == {"BAD_USER_INPUT"}
        assert all(path[-1] == "roster" for _, path in _codes(result.errors))
        await assert_database_usable(db)


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_a_sibling_cancelled_by_graphql_core_leaves_shared_loads_to_the_others(watched, executor):
    db = watched
    for _ in range(30):
        result = await _answered(EXECUTORS[executor], FAILS_BESIDE_A_SHARED_LOAD, db)
        assert _codes(result.errors) == [("BAD_USER_INPUT", ("organisation", "people"))]
        helix = next(n for n in result.data["organisations"]["nodes"] if n["slug"] == "helix-genomics")
        assert helix["contacts"]
    await assert_database_usable(db)


def _one_json_answer(response) -> dict:
    """The body is one JSON document and nothing after it (no stray error page)."""
    assert response.status_code == 200, response.text
    return orjson.loads(response.content)


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_a_request_cut_by_the_deadline_mid_read_leaves_the_pool_usable(clients, executor):
    cut = 0
    for seconds in [n / 1000 for n in range(1, 40, 2)]:
        db = clients()
        await db.ping()  # the server found and one connection made: the query makes the second
        settings = Settings(execution_deadline_seconds=seconds)
        app = create_app(settings, database=db, planned=executor == "planned")
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            for query in (READS_SIDE_BY_SIDE, MANY_READS):
                staff = await _staff(db)
                response = await within(
                    client.post("/graphql", json={"query": query}, headers=staff), f"no answer with a {seconds} s deadline"
                )
                answer = _one_json_answer(response)
                if "errors" in answer:
                    assert [e["extensions"]["code"] for e in answer["errors"]] == ["DEADLINE_EXCEEDED"], answer
                    cut += 1
                else:
                    assert answer["data"]
        await assert_database_usable(db)
    assert cut, "no request was cut: the deadlines were too long to test anything"


async def _staff(db: Database, keys: dict = {}) -> dict[str, str]:  # noqa: B006 - one key per database
    if db.name not in keys:
        keys[db.name] = (await api_keys.issue(db, "cancellation tests", Role.STAFF, "per_ana")).secret_key
    return {"X-API-Key": keys[db.name]}


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_each_request_gets_one_well_formed_answer_over_http(watched, executor):
    db = watched
    app = create_app(Settings(), database=db, planned=executor == "planned")
    async with live_server(app) as url, AsyncClient(base_url=url, timeout=LIVENESS_SECONDS) as client:
        for _ in range(10):
            staff = await client.post("/graphql", json={"query": FAILS_BESIDE_READS}, headers=await _staff(db))
            shared = await client.post("/graphql", json={"query": FAILS_BESIDE_A_SHARED_LOAD})
            for response in (staff, shared):
                answer = _one_json_answer(response)
                assert {e["extensions"]["code"] for e in answer["errors"]} == {"BAD_USER_INPUT"}, answer
        await assert_database_usable(db)
        ordinary = await client.post("/graphql", json={"query": ORDINARY})
        assert _one_json_answer(ordinary)["data"] == ORDINARY_ANSWER


@pytest.mark.parametrize("executor", EXECUTORS)
async def test_a_client_going_away_mid_request_leaves_the_pool_usable(watched, executor):
    db = watched
    app = create_app(Settings(), database=db, planned=executor == "planned")
    headers = await _staff(db)
    async with live_server(app) as url:
        port = int(url.rsplit(":", 1)[1])
        for query in (FAILS_BESIDE_READS, MANY_READS, FAILS_BESIDE_A_SHARED_LOAD) * 3:
            body = orjson.dumps({"query": query})
            request = (
                f"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                f"x-api-key: {headers['X-API-Key']}\r\ncontent-length: {len(body)}\r\n\r\n"
            ).encode() + body
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            await asyncio.sleep(0.005)  # the request is under way
            writer.transport.abort()  # gone, without a goodbye
            await assert_database_usable(db)
        async with AsyncClient(base_url=url, timeout=LIVENESS_SECONDS) as client:
            ordinary = await client.post("/graphql", json={"query": ORDINARY})
            assert _one_json_answer(ordinary)["data"] == ORDINARY_ANSWER


async def test_a_batch_whose_read_is_cancelled_settles_its_waiters_with_an_error(watched):
    db = watched
    loader = Loaders(db).organisation
    waiting = asyncio.ensure_future(loader.load("org_lagos"))
    while loader.batch is None or loader.batch._dispatch_task is None:
        await asyncio.sleep(0)  # the batch's task is made
    loader.batch._dispatch_task.cancel()
    with pytest.raises(LoadCancelled):
        await within(waiting, "the waiters of a cancelled read were never settled")
    again = await within(loader.load("org_lagos"), "a key whose read was cancelled was never read again")
    assert again.name == "Lagos Rare Disease Foundation"
    await assert_database_usable(db)


class ReadThatNeverEnds(SchemaExtension):
    """Test-only: `organisations` waits, as on a read the engine never answers,
    until the test releases it, and its cancellation does not end it sooner."""

    released: asyncio.Event

    def resolve(self, _next, root, info, *args, **kwargs):
        if info.field_name == "organisations":
            return self._never_ends()
        return _next(root, info, *args, **kwargs)

    async def _never_ends(self) -> None:
        while not self.released.is_set():
            try:
                await self.released.wait()
            except asyncio.CancelledError:
                continue


async def test_the_deadline_answers_even_when_the_cancelled_work_cannot_end(watched):
    db = watched
    ReadThatNeverEnds.released = asyncio.Event()
    app = create_app(Settings(execution_deadline_seconds=0.2), database=db, extensions=(ReadThatNeverEnds,))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            response = await within(
                client.post("/graphql", json={"query": "{ organisations { totalCount } }"}),
                "the deadline passed and the request got no answer",
            )
            assert [e["extensions"]["code"] for e in _one_json_answer(response)["errors"]] == ["DEADLINE_EXCEEDED"]
            ordinary = await within(client.post("/graphql", json={"query": ORDINARY}), "no answer after the deadline")
            assert _one_json_answer(ordinary)["data"] == ORDINARY_ANSWER
    finally:
        ReadThatNeverEnds.released.set()
    await assert_database_usable(db)
