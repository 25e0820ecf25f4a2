"""Limits on input apply to input: checked as a value arrives (a mutation's input, an
import file's record), never against what is stored, so no record is ever locked."""

import json
from pathlib import Path

import pytest

from datastore import changes, organisations, people
from datastore.importer import ImportRejected, import_files
from datastore.records import arrival
from datastore.records.people import Person
from datastore.records.vocabulary import IndividualMembershipStatus, Role
from resolvers.viewer import Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")

ERRORS = "userErrors { field message code }"
PERSON = f"person {{ id version givenName individualMembership {{ status }} }} {ERRORS} clientMutationId"
UPDATE_PERSON = f"mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ {PERSON} }} }}"
APPLY = f"mutation($input: ApplyForIndividualMembershipInput!) {{ applyForIndividualMembership(input: $input) {{ {PERSON} }} }}"
CANCEL = f"mutation($input: CancelIndividualMembershipInput!) {{ cancelIndividualMembership(input: $input) {{ {PERSON} }} }}"
SUBSCRIBE = f"mutation($input: SetCommunicationsInput!) {{ setCommunications(input: $input) {{ {PERSON} }} }}"
UPDATE_ORGANISATION = (f"mutation($input: UpdateOrganisationInput!) {{ updateOrganisation(input: $input) "
                       f"{{ organisation {{ id version city }} {ERRORS} clientMutationId }} }}")
CREATE_GROUP = (f"mutation($input: CreateWorkingGroupInput!) {{ createWorkingGroup(input: $input) "
                f"{{ workingGroup {{ id }} {ERRORS} clientMutationId }} }}")


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_input_limits") as db:
        yield Run(schema, db)


async def _person(run: Run, person_id: str) -> Person:
    return (await people.by_ids(run.db, [person_id]))[0]


async def _audit_count(run: Run) -> int:
    return await run.db.changes.count_documents({})


async def _rename(run: Run, viewer: Viewer, person_id: str, name: str) -> dict:
    current = await _person(run, person_id)
    data = await run.as_viewer(viewer)(UPDATE_PERSON, input={"id": person_id, "expectedVersion": current.version,
                                                             "patch": {"givenName": name}})
    return data["updatePerson"]


async def test_a_long_application_reason_never_locks_the_person(run):
    """The issue's first example: a 600-character reason, then every edit failed."""
    person = await _person(run, "per_zoe")
    applied = await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": person.version,
                                                     "acceptedAgreements": ACCEPTED_AGREEMENTS,
                                                     "reason": "r" * 600})
    assert applied["applyForIndividualMembership"]["userErrors"] == []
    assert (await _rename(run, ZOE, "per_zoe", "Zoé"))["userErrors"] == []
    assert (await _rename(run, STAFF, "per_zoe", "Zoë"))["userErrors"] == []
    assert (await _person(run, "per_zoe")).given_name == "Zoë"


async def test_a_history_of_any_length_or_reason_size_stays_editable(run):
    """199 apply/cancel cycles made 398 status changes, over the old limit of 200; and a
    reason longer than any limit, as records written before limits on input may hold."""
    statuses = [IndividualMembershipStatus.APPLICANT, IndividualMembershipStatus.CANCELLED]
    history = [{"status": statuses[i % 2].value, "on": "2024-01-01", "reason": "x" * 5000 if i == 0 else None}
               for i in range(398)]
    await run.db.people.update_one({"_id": "per_zoe"}, {"$set": {"individual_membership": {
        "status": "CANCELLED", "since": "2024-01-01", "history": history}}})
    person = await _person(run, "per_zoe")
    again = await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": person.version,
                                                   "acceptedAgreements": ACCEPTED_AGREEMENTS})
    assert again["applyForIndividualMembership"]["userErrors"] == []
    assert (await _rename(run, ZOE, "per_zoe", "Zoé"))["userErrors"] == []
    assert (await _rename(run, STAFF, "per_zoe", "Zoë"))["userErrors"] == []
    stored = await _person(run, "per_zoe")
    assert len(stored.individual_membership.history) == 399 and stored.given_name == "Zoë"
    # An organisation whose history holds a reason over the limit: staff still edit it.
    document = await run.db.organisations.find_one({"_id": "org_montreal"})
    history = [{**change, "reason": "y" * 5000} for change in document["history"]]
    await run.db.organisations.update_one({"_id": "org_montreal"}, {"$set": {"history": history}})
    organisation = (await organisations.by_ids(run.db, ["org_montreal"]))[0]
    changed = await run.as_viewer(STAFF)(UPDATE_ORGANISATION, input={
        "id": "org_montreal", "expectedVersion": organisation.version, "patch": {"city": "Laval"}})
    assert changed["updateOrganisation"]["userErrors"] == []


async def test_many_apply_and_cancel_cycles_stay_editable(run):
    """Cycles through the API itself: each appends two status changes."""
    for _ in range(3):
        for mutation in (APPLY, CANCEL):
            person = await _person(run, "per_zoe")
            given = {"acceptedAgreements": ACCEPTED_AGREEMENTS} if mutation is APPLY else {}
            data = await run.as_viewer(ZOE)(mutation, input={"personId": "per_zoe", **given,
                                                             "expectedVersion": person.version, "reason": "again"})
            assert next(iter(data.values()))["userErrors"] == []
    assert (await _rename(run, STAFF, "per_zoe", "Zoë"))["userErrors"] == []


@pytest.mark.parametrize(("extra", "path", "most"), [
    ({"reason": "r" * 900_000}, ["input", "reason"], arrival.TEXT),
    ({"clientMutationId": "c" * 900_000}, ["input", "clientMutationId"], arrival.CLIENT_MUTATION_ID),
    ({"reason": "r" * (arrival.TEXT + 1)}, ["input", "reason"], arrival.TEXT),
    ({"clientMutationId": "c" * (arrival.CLIENT_MUTATION_ID + 1)}, ["input", "clientMutationId"],
     arrival.CLIENT_MUTATION_ID),
], ids=["huge reason", "huge clientMutationId", "reason one over", "clientMutationId one over"])
async def test_huge_reasons_and_client_mutation_ids_are_refused_and_nothing_stored(run, extra, path, most):
    before = await _audit_count(run)
    person = await _person(run, "per_zoe")
    data = await run.as_viewer(STAFF)(UPDATE_PERSON, input={
        "id": "per_zoe", "expectedVersion": person.version, "patch": {"givenName": "Z"}, **extra})
    payload = data["updatePerson"]
    assert payload["person"] is None and payload["clientMutationId"] is None
    [error] = payload["userErrors"]
    assert error["field"] == path and error["code"] == "INVALID" and f"at most {most} characters" in error["message"]
    assert await _audit_count(run) == before
    assert await _person(run, "per_zoe") == person


async def test_values_at_the_limit_are_accepted(run):
    person = await _person(run, "per_zoe")
    data = await run.as_viewer(STAFF)(UPDATE_PERSON, input={
        "id": "per_zoe", "expectedVersion": person.version, "patch": {"givenName": "Z"},
        "reason": "r" * arrival.TEXT, "clientMutationId": "c" * arrival.CLIENT_MUTATION_ID})
    assert data["updatePerson"]["userErrors"] == []
    assert data["updatePerson"]["clientMutationId"] == "c" * arrival.CLIENT_MUTATION_ID


async def test_names_urls_descriptions_and_lists_are_bounded_each_naming_its_path(run):
    before = await _audit_count(run)
    organisation = (await organisations.by_ids(run.db, ["org_montreal"]))[0]
    data = await run.as_viewer(STAFF)(UPDATE_ORGANISATION, input={
        "id": "org_montreal", "expectedVersion": organisation.version,
        "patch": {"name": "n" * (arrival.NAME + 1), "website": "https://" + "w" * arrival.URL}})
    assert {(tuple(e["field"]), e["code"]) for e in data["updateOrganisation"]["userErrors"]} == {
        (("input", "patch", "name"), "INVALID"), (("input", "patch", "website"), "INVALID")}
    group = await run.as_viewer(STAFF)(CREATE_GROUP, input={
        "slug": "long", "name": "Long", "kind": "TASK_TEAM", "description": "d" * (arrival.TEXT + 1)})
    assert [e["field"] for e in group["createWorkingGroup"]["userErrors"]] == [["input", "description"]]
    person = await _person(run, "per_zoe")
    many = await run.as_viewer(ZOE)(SUBSCRIBE, input={"personId": "per_zoe", "expectedVersion": person.version,
                                                      "workingGroupIds": ["grp_data"] * (arrival.ITEMS + 1)})
    [error] = many["setCommunications"]["userErrors"]
    assert error["field"] == ["input", "workingGroupIds"] and "at most 100 items" in error["message"]
    long_id = await run.as_viewer(ZOE)(SUBSCRIBE, input={"personId": "per_zoe", "expectedVersion": person.version,
                                                         "workingGroupIds": ["grp_" + "x" * 100]})
    assert [e["field"] for e in long_id["setCommunications"]["userErrors"]] == [["input", "workingGroupIds", "0"]]
    unknown = await run.as_viewer(STAFF)(UPDATE_PERSON, input={"id": "per_" + "x" * arrival.ID, "expectedVersion": 1,
                                                               "patch": {}})
    assert [(e["field"], e["code"]) for e in unknown["updatePerson"]["userErrors"]] == [(["input", "id"], "INVALID")]
    assert await _audit_count(run) == before


# The import: limits on what a file gives, never on what is stored.

def _ndjson(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "limits.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


async def test_the_import_refuses_values_over_a_limit_naming_the_line(run, tmp_path):
    long_reason = {"type": "organisation", "id": "org_new", "slug": "new-org", "name": "New", "kind": "ACADEMIC",
                   "country": "FR", "status": "APPLICANT",
                   "history": [{"status": "APPLICANT", "on": "2024-01-01", "reason": "r" * (arrival.TEXT + 1)}]}
    long_name = {"type": "person", "id": "per_zoe", "givenName": "z" * (arrival.NAME + 1)}
    before = await _audit_count(run)
    with pytest.raises(ImportRejected) as rejected:
        await import_files(run.db, [_ndjson(tmp_path, long_reason, long_name)])
    message = str(rejected.value)
    assert "limits.ndjson:1: history.0.reason: at most 1000 characters" in message, message
    assert "limits.ndjson:2: givenName: at most 300 characters" in message, message
    assert await _audit_count(run) == before


async def test_the_import_changes_a_record_whose_stored_history_is_over_any_limit(run, tmp_path):
    history = [{"status": s, "on": "2024-01-01", "reason": "x" * 5000} for s in ["APPLICANT", "CANCELLED"] * 150]
    await run.db.people.update_one({"_id": "per_zoe"}, {"$set": {"individual_membership": {
        "status": "CANCELLED", "since": "2024-01-01", "history": history}}})
    imported = await import_files(run.db, [_ndjson(tmp_path, {"type": "person", "id": "per_zoe", "givenName": "Zoé"})])
    assert imported.written == 1
    stored = await _person(run, "per_zoe")
    assert stored.given_name == "Zoé" and len(stored.individual_membership.history) == 300
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id="per_zoe"), None, 1)
    assert logged.action.value == "IMPORT"


async def test_a_history_the_system_appended_out_of_date_order_stays_editable(run):
    """A status change is appended on its day; an earlier entry dated later (a file's, a
    clock's) must not lock the record: rules between fields apply when one of them arrives."""
    await run.db.people.update_one({"_id": "per_zoe"}, {"$set": {"individual_membership": {
        "status": "APPLICANT", "since": "2030-01-01",
        "history": [{"status": "APPLICANT", "on": "2030-01-01", "reason": None}]}}})
    cancelled = await run.as_viewer(ZOE)(CANCEL, input={"personId": "per_zoe",
                                                        "expectedVersion": (await _person(run, "per_zoe")).version})
    assert cancelled["cancelIndividualMembership"]["userErrors"] == []
    assert (await _rename(run, STAFF, "per_zoe", "Zoë"))["userErrors"] == []
    assert (await _person(run, "per_zoe")).given_name == "Zoë"
