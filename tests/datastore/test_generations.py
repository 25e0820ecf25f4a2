"""Counts and statistics kept per generation (datastore.generations): read once,
never older than the records, on every engine."""

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from datastore import dataset, edits, generations, organisations, people, writes
from datastore.client import Database
from datastore.documents import count_matching
from datastore.generations import Generation, Kept
from datastore.records.changes import Actor
from datastore.records.vocabulary import ChangeAction, Role
from resolvers.viewer import Viewer
from tests.conftest import CommandRecorder, Run, fresh_database, load_directory

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Actor(role="staff", key_id="key_test")
COUNTS = """{
  organisations(first: 1, filter: {countries: ["FR"]}) { totalCount }
  people(first: 1) { totalCount }
  membershipStats(by: COUNTRY) { key count }
}"""


@pytest.fixture
async def recorder() -> CommandRecorder:
    return CommandRecorder()


@pytest.fixture
async def db(engine, recorder) -> Database:
    database = await fresh_database(engine, "test_generations", recorder)
    await load_directory(database)
    yield database
    await database.close()


@pytest.fixture
def run(schema, db) -> Run:
    return Run(schema, db)


async def _answers(run: Run) -> tuple[int, int, dict[str, int]]:
    data = await run(COUNTS)
    by_country = {bucket["key"]: bucket["count"] for bucket in data["membershipStats"]}
    return data["organisations"]["totalCount"], data["people"]["totalCount"], by_country


async def _truth(db: Database) -> tuple[int, int, dict[str, int]]:
    """The same answers counted straight from the records."""
    every = await db.organisations.find({}, projection=["country"]).to_list()
    by_country = dict(Counter(document["country"] for document in every))
    return by_country.get("FR", 0), await count_matching(db.people, {}), by_country


def _counting_commands(recorder: CommandRecorder) -> list[str]:
    return [c for c in recorder.commands if c.split()[0] in ("count", "aggregate")]


async def _move_to_france(db: Database, organisation_id: str) -> tuple[writes.Write, writes.Committed]:
    current = (await organisations.by_ids(db, [organisation_id]))[0]
    after = edits.merged("organisations", current, {"country": "FR"})
    write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
    return write, await writes.commit(db, write, expected_version=current.version, actor=STAFF)


async def test_a_second_request_counts_nothing_again(run, db, recorder):
    first = await _answers(run)
    assert first == await _truth(db)
    recorder.reset()
    assert await _answers(run) == first
    assert _counting_commands(recorder) == [], recorder.commands
    assert recorder.commands.count("find meta") == 1  # the generations, read once for the whole request


async def test_a_change_through_the_write_path_is_counted_by_the_next_request(run, db, recorder):
    before = await _answers(run)
    await _move_to_france(db, "org_helix")
    after = await _answers(run)
    assert after == await _truth(db)
    assert after[0] == before[0] + 1 and after[2].get("GB", 0) == before[2]["GB"] - 1


STATISTICS = """{
  membershipStats(by: CONTINENT, thenBy: STATUS) { key count breakdown { key count } }
  membershipTrend(interval: YEAR) { period joined left activeAtEnd leftBy { key count } }
}"""


async def test_kept_statistics_equal_those_computed_afresh_after_a_write(run, db):
    before = await run(STATISTICS)
    current = (await organisations.by_ids(db, ["org_helix"]))[0]
    after = edits.merged("organisations", current, {"status": "LAPSED", "country": "FR"})
    write = edits.write_of("organisations", current, after, ChangeAction.UPDATE)
    await writes.commit(db, write, expected_version=current.version, actor=STAFF)
    kept = await run(STATISTICS)
    generations.KEPT.clear()
    assert kept == await run(STATISTICS) != before


async def test_a_change_cut_off_before_it_was_applied_is_counted_once_recovered(run, db):
    current = (await organisations.by_ids(db, ["org_helix"]))[0]
    write, committed = await _move_to_france(db, "org_helix")
    # What a process killed after claiming leaves: the claim, with its plan, and the old record.
    await db.organisations.replace_one({"_id": current.id}, organisations.to_document(current))
    planned = {**write.document, "version": current.version + 1, "updated_at": committed.change.at}
    await db.changes.update_one(
        {"_id": committed.change.id}, {"$set": {"state": "claimed", "plan": writes._plan(write, planned)}}
    )
    await generations.advance(db, dataset.COLLECTIONS)  # as at a server's start: answers are kept from here on
    before = await _answers(run)
    assert before == await _truth(db)
    assert await writes.recover(db, lease=timedelta(0)) == 1
    assert await _answers(run) == await _truth(db) != before


async def test_nothing_is_kept_while_a_bulk_write_runs_or_after_one_was_cut_off(run, db, recorder):
    await generations.advance(db, dataset.COLLECTIONS, unsettled=True)  # a seed or restore that never reached its end
    assert set(await generations.current(db)) == set(dataset.COLLECTIONS)
    assert set((await generations.current(db)).values()) == {None}
    await _answers(run)
    recorder.reset()
    await _answers(run)
    assert len(_counting_commands(recorder)) == 3  # each answer counted again
    await generations.advance(db, dataset.COLLECTIONS, unsettled=False)  # the next start
    await _answers(run)
    recorder.reset()
    await _answers(run)
    assert _counting_commands(recorder) == []


async def test_a_bulk_write_is_counted_by_the_next_request(run, db):
    await generations.advance(db, dataset.COLLECTIONS)  # as at a server's start
    before = await _answers(run)
    helix = (await organisations.by_ids(db, ["org_helix"]))[0]
    await dataset.write(db, dataset.Dataset(organisations=[replace(helix, id="org_twin", slug="helix-twin",
                                                                   name="Helix Twin", country_code="FR")]))
    after = await _answers(run)
    assert after == await _truth(db)
    assert after[0] == before[0] + 1


async def test_a_request_that_wrote_reads_the_generations_again(db):
    generation = Generation(db, Kept())
    tokens = await generation.tokens()
    assert tokens["organisations"] is not None and await generation.tokens() == tokens
    await generations.advance(db, ["organisations"])
    assert await generation.tokens() == tokens  # one read per request...
    generation.forget()
    again = await generation.tokens()
    assert again["organisations"] not in (None, tokens["organisations"])  # ...until it writes
    assert again["people"] == tokens["people"]


async def test_a_write_to_people_keeps_what_was_counted_over_organisations(run, db, recorder):
    await generations.advance(db, dataset.COLLECTIONS)  # as at a server's start
    await _answers(run)
    person = (await people.by_ids(db, ["per_priya"]))[0]
    after = edits.merged("people", person, {"givenName": "Priyanka"})
    await writes.commit(db, edits.write_of("people", person, after, ChangeAction.UPDATE),
                        expected_version=person.version, actor=STAFF)
    recorder.reset()
    answers = await _answers(run)
    assert _counting_commands(recorder) == ["count people"], recorder.commands
    assert answers == await _truth(db)


ROSTER = """{ workingGroup(id: "grp_clinical") { version
  all: roster(first: 1) { totalCount } members: roster(first: 1, roles: [MEMBER]) { totalCount } } }"""
ADD = """mutation($input: AddRosterEntryInput!) { addRosterEntry(input: $input) { userErrors { message } } }"""


async def test_a_roster_count_is_kept_until_the_roster_changes(run, db, recorder):
    await generations.advance(db, dataset.COLLECTIONS)  # as at a server's start
    before = (await run(ROSTER))["workingGroup"]
    recorder.reset()
    assert (await run(ROSTER))["workingGroup"] == before
    assert _counting_commands(recorder) == [], recorder.commands
    staff = run.as_viewer(Viewer(role=Role.STAFF, credential="api-key:key_staff"))
    added = await staff(ADD, input={"groupId": "grp_clinical", "expectedVersion": before["version"],
                                    "personId": "per_zoe", "role": "MEMBER", "since": "2026-01-15"})
    assert added["addRosterEntry"]["userErrors"] == []
    after = (await run(ROSTER))["workingGroup"]
    assert after["all"]["totalCount"] == before["all"]["totalCount"] + 1
    assert after["members"]["totalCount"] == before["members"]["totalCount"] + 1


def test_kept_answers_are_bounded_in_rows_least_recently_used_first():
    kept = Kept(capacity=10)
    kept.put("t1", "a", [1] * 4)
    kept.put("t1", "b", [2] * 4)
    assert kept.get("t1", "a") == [1] * 4  # now the most recently used
    kept.put("t2", "c", [3] * 4)
    assert kept.get("t1", "b") is generations.ABSENT
    assert kept.get("t1", "a") == [1] * 4 and kept.get("t2", "c") == [3] * 4
    kept.put("t2", "too big", [0] * 11)
    assert kept.get("t2", "too big") is generations.ABSENT
    assert kept.get("t1", "a") == [1] * 4  # nothing dropped for an answer never kept


async def test_concurrent_readers_share_a_read_sent_after_they_asked(db, recorder):
    """generations.shared_current: callers that ask together share one read, and
    a caller never gets a read sent before it asked (it may predate a write)."""
    await generations.current(db)  # the client connected
    recorder.reset()
    together = await asyncio.gather(*(generations.shared_current(db) for _ in range(6)))
    # The first caller's read, and one shared by the five that asked once it was under way.
    assert recorder.commands.count("find meta") == 2
    assert all(tokens == together[0] for tokens in together)

    recorder.reset()
    early = asyncio.ensure_future(generations.shared_current(db))
    await asyncio.sleep(0)  # its read is sent
    await generations.advance(db, ["organisations"])  # a write acknowledged after that read was sent
    late = await generations.shared_current(db)
    await early
    assert recorder.commands.count("find meta") == 2  # the late caller did not take the early read's answer
    assert late["organisations"] == (await generations.current(db))["organisations"]
