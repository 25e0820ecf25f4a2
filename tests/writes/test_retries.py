"""Retries: a clientMutationId is the same call, answered as it ended, or a clear CONFLICT.

Through the schema, on the real engine. The id is claimed by a unique key
(caller and id) with a digest of the mutation's name and input, so two copies
sent at once apply once and both get the one answer; another call with a used
id is refused with CONFLICT; a refusal is replayed as the refusal; a retry of
a change still in flight never answers with the old values; a write, once
started, is carried to its end even when its request is cancelled.
"""

import asyncio
from datetime import timedelta

import pytest

from datastore import changes, faults, organisations, writes
from datastore.records.vocabulary import Role
from datastore.write_invariants import audit_problems
from memberdir import api_keys
from memberdir import app as app_module
from memberdir.settings import Settings
from resolvers.mutations import committing
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy
from tests.security_helpers import client_for

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
PRIYA = Viewer(role=Role.MEMBER, person_id="per_priya", credential="oidc:priya")  # Primary of org_helix
ERRORS = "userErrors { field message code }"
CREATE = f"""mutation($input: CreatePersonInput!) {{
  createPerson(input: $input) {{ person {{ id version }} {ERRORS} clientMutationId }} }}"""
UPDATE = f"""mutation($input: UpdateOrganisationInput!) {{
  updateOrganisation(input: $input) {{ organisation {{ id version city }} {ERRORS} }} }}"""
REMOVE = f"""mutation($input: RemoveMembershipInput!) {{
  removeMembership(input: $input) {{ organisation {{ version membership {{ status }} }} {ERRORS} }} }}"""


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_retries") as db:
        yield Run(schema, db, STAFF)
    faults.configure(None)


async def _version(run: Run, organisation_id: str = "org_helix") -> int:
    return (await organisations.by_ids(run.db, [organisation_id]))[0].version


def _codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_one_client_mutation_id_sent_twice_at_once_creates_one_person(run):
    for round_ in range(10):
        given = {"givenName": "Twin", "familyName": f"Round{round_}", "email": f"twin{round_}@example.org",
                 "clientMutationId": f"twin-{round_}"}
        first, second = await asyncio.gather(run(CREATE, input=given), run(CREATE, input=given))
        assert first == second, round_  # one answer, given to both
        assert first["createPerson"]["userErrors"] == [] and first["createPerson"]["person"]["version"] == 1
        made = await run.db.people.count_documents({"family_name": f"Round{round_}"})
        assert made == 1, round_
    assert await audit_problems(run.db, lease=timedelta(0)) == []


async def test_a_retry_of_the_same_call_is_answered_as_it_was_and_applies_once(run):
    version = await _version(run)
    given = {"id": "org_helix", "expectedVersion": version, "patch": {"city": "Hinxton"}, "clientMutationId": "u-1"}
    first = (await run(UPDATE, input=given))["updateOrganisation"]
    await run(UPDATE, input={"id": "org_helix", "expectedVersion": version + 1, "patch": {"city": "Oxford"}})
    again = (await run(UPDATE, input=given))["updateOrganisation"]
    assert first["userErrors"] == again["userErrors"] == []
    # Answered with the record as it is now; the retry made no second change.
    assert again["organisation"]["version"] == version + 2 and again["organisation"]["city"] == "Oxford"
    assert await _version(run) == version + 2
    applied = await run.db.changes.count_documents({"client_key": changes.client_key("key_staff", "u-1"), "state": "applied"})
    assert applied == 1


async def test_a_used_id_on_another_mutation_is_a_conflict_not_an_internal_error(run):
    version = await _version(run)
    await run(UPDATE, input={"id": "org_helix", "expectedVersion": version, "patch": {"city": "Hinxton"},
                             "clientMutationId": "shared"})
    other_record = await run(CREATE, input={"givenName": "Ada", "familyName": "Other", "clientMutationId": "shared"})
    payload = other_record["createPerson"]
    assert payload["person"] is None and _codes(payload) == ["CONFLICT"]
    assert payload["userErrors"][0]["field"] == ["input", "clientMutationId"]
    assert "used for another call" in payload["userErrors"][0]["message"]
    assert await run.db.people.count_documents({"family_name": "Other"}) == 0
    # The same mutation with another input is another call too.
    changed_input = await run(UPDATE, input={"id": "org_helix", "expectedVersion": version,
                                             "patch": {"city": "Oxford"}, "clientMutationId": "shared"})
    assert _codes(changed_input["updateOrganisation"]) == ["CONFLICT"]
    assert (await organisations.by_ids(run.db, ["org_helix"]))[0].city == "Hinxton"


async def test_a_primarys_reused_id_on_remove_membership_does_not_look_like_success(run):
    """The reported case: an id the Primary used on updateOrganisation, re-sent on removeMembership."""
    primary = run.as_viewer(PRIYA)
    version = await _version(run)
    updated = await primary(UPDATE, input={"id": "org_helix", "expectedVersion": version,
                                           "patch": {"city": "Hinxton"}, "clientMutationId": "p-1"})
    assert updated["updateOrganisation"]["userErrors"] == []
    reused = (await primary(REMOVE, input={"organisationId": "org_helix", "expectedVersion": version + 1,
                                           "reason": "x", "clientMutationId": "p-1"}))["removeMembership"]
    assert _codes(reused) == ["CONFLICT"] and reused["organisation"] is None


async def test_a_refused_call_replayed_is_refused_again(run):
    primary = run.as_viewer(PRIYA)
    given = {"organisationId": "org_helix", "expectedVersion": await _version(run), "reason": "x",
             "clientMutationId": "p-2"}
    refused = (await primary(REMOVE, input=given))["removeMembership"]
    assert _codes(refused) == ["FORBIDDEN"]
    for _ in range(2):
        replayed = (await primary(REMOVE, input=given))["removeMembership"]
        assert replayed == refused
    assert await _version(run) == given["expectedVersion"]  # nothing changed


async def test_a_retry_while_the_change_is_in_flight_never_answers_with_the_old_values(run, monkeypatch):
    monkeypatch.setattr(committing, "RETRY_WAIT_SECONDS", 0.3)
    version = await _version(run)
    given = {"id": "org_helix", "expectedVersion": version, "patch": {"city": "Hinxton"}, "clientMutationId": "k-1"}
    faults.configure("after_claim=raise")  # the first try's process dies right after its claim
    try:
        cut_off = await run.schema.execute(UPDATE, variable_values={"input": given}, context_value=run._context())
    finally:
        faults.configure(None)
    assert cut_off.errors
    in_flight = (await run(UPDATE, input=given))["updateOrganisation"]
    assert in_flight["organisation"] is None and _codes(in_flight) == ["CONFLICT"]
    assert "still being applied" in in_flight["userErrors"][0]["message"]
    assert await writes.recover(run.db, lease=timedelta(0)) == 1
    settled = (await run(UPDATE, input=given))["updateOrganisation"]
    assert settled["userErrors"] == [] and settled["organisation"]["city"] == "Hinxton"
    assert settled["organisation"]["version"] == version + 1


async def test_a_cancelled_request_does_not_cancel_its_write(run, monkeypatch):
    """Cancelled between claim and apply (as the deadline or a client going away does):
    the change is carried to its end, and a retry answers with it."""
    claimed, release = asyncio.Event(), asyncio.Event()
    original = writes.apply

    async def held(db, change):
        claimed.set()
        await release.wait()
        return await original(db, change)

    monkeypatch.setattr(writes, "apply", held)
    version = await _version(run)
    given = {"id": "org_helix", "expectedVersion": version, "patch": {"city": "Sawston"}, "clientMutationId": "c-1"}
    context = run._context()
    request = asyncio.create_task(run.schema.execute(UPDATE, variable_values={"input": given}, context_value=context))
    await claimed.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    release.set()
    [ended] = await committing.writes_ended(context)
    assert ended == {"record": "org_helix", "version": version + 1, "state": "APPLIED"}
    assert (await organisations.by_ids(run.db, ["org_helix"]))[0].city == "Sawston"
    monkeypatch.setattr(writes, "apply", original)
    retried = (await run(UPDATE, input=given))["updateOrganisation"]
    assert retried["userErrors"] == [] and retried["organisation"]["version"] == version + 1
    assert await audit_problems(run.db, lease=timedelta(0)) == []


async def test_the_deadline_answer_says_how_a_started_write_ended(run, monkeypatch):
    """The FerretDB report: DEADLINE_EXCEEDED "was cancelled" for changes applied anyway.
    A write held past the deadline is carried to its end, and the answer says so."""
    key = await api_keys.issue(run.db, "deadline test", Role.STAFF, None)
    fired = asyncio.Event()
    noted = app_module.note_refusal

    def note(limit: str) -> None:
        if limit == "deadline":
            fired.set()
        noted(limit)

    original = writes.apply

    async def held_past_the_deadline(db, change):
        await fired.wait()
        return await original(db, change)

    monkeypatch.setattr(app_module, "note_refusal", note)
    monkeypatch.setattr(writes, "apply", held_past_the_deadline)
    version = await _version(run)
    given = {"id": "org_helix", "expectedVersion": version, "patch": {"city": "Duxford"}, "clientMutationId": "d-1"}
    async with client_for(run.db, Settings(execution_deadline_seconds=0.5)) as client:
        response = await client.post("/graphql", json={"query": UPDATE, "variables": {"input": given}},
                                     headers={"X-API-Key": key.secret_key})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "DEADLINE_EXCEEDED"
    assert error["extensions"]["writes"] == [{"record": "org_helix", "version": version + 1, "state": "APPLIED"}]
    assert "1 of 1 applied" in error["message"]
    assert (await organisations.by_ids(run.db, ["org_helix"]))[0].city == "Duxford"
