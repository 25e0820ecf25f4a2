"""People mutations through the schema: who may, what changes, what is logged, what stays private."""

import pytest

from datastore import changes, people
from datastore.records.changes import Change
from datastore.records.memberships import AgreementVersions
from datastore.records.people import Person
from datastore.records.vocabulary import Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy, fresh_database, load_directory

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# In tests/data/directory.json: Ana is Primary of org_montreal, Jean its Administrator;
# Priya is Primary of org_helix; Zoë is a member of no organisation.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
JEAN = Viewer(role=Role.MEMBER, person_id="per_jean", credential="oidc:jean")
PRIYA = Viewer(role=Role.MEMBER, person_id="per_priya", credential="oidc:priya")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
MEMBER_KEY = Viewer(role=Role.MEMBER, credential="api-key:k")

PERSON = "person { id version givenName familyName email orcid country { code } contactVisibility affiliation { id } }"
ERRORS = "userErrors { field message code }"
CREATE = f"mutation($input: CreatePersonInput!) {{ createPerson(input: $input) {{ {PERSON} {ERRORS} clientMutationId }} }}"
UPDATE = f"mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ {PERSON} {ERRORS} }} }}"


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_mutations_people") as db:
        yield Run(schema, db)


async def _person(run: Run, person_id: str) -> Person:
    return (await people.by_ids(run.db, [person_id]))[0]


async def _log(run: Run, record_id: str) -> list[Change]:
    return await changes.audit_page(run.db, changes.AuditFilter(record_id=record_id), None, 50)


# createPerson

NEW = {"givenName": "Lea", "familyName": "Roy", "email": "lea.roy@umontreal.example", "affiliation": "org_montreal"}


@pytest.mark.parametrize("viewer", [STAFF, ANA, JEAN], ids=["staff", "primary", "administrator"])
async def test_staff_and_the_organisations_primary_or_administrator_create_a_person(run, viewer):
    data = await run.as_viewer(viewer)(CREATE, input={**NEW, "reason": "joined the lab", "clientMutationId": "n1"})
    payload = data["createPerson"]
    assert payload["userErrors"] == [] and payload["clientMutationId"] == "n1"
    created = payload["person"]
    # No part of the name in the id: an id outlives an erasure of the person.
    assert created["id"].startswith("per_") and "learoy" not in created["id"] and created["version"] == 1
    assert created["affiliation"] == {"id": "org_montreal"} and created["familyName"] == "Roy"
    record = await _person(run, created["id"])
    assert record.contact_visibility.value == "MEMBERS"
    # Staff set the address; from a Primary or Administrator it is pending until its owner
    # follows the link sent to it (tests/notifications/test_verified_email.py).
    address = "lea.roy@umontreal.example"
    if viewer is STAFF:
        assert record.email == address and record.pending_email is None
    else:
        assert record.email is None and record.pending_email.address == address
    [entry] = await _log(run, created["id"])
    assert entry.action.value == "CREATE" and entry.actor.person_id == viewer.person_id
    assert entry.reason == "joined the lab"
    logged = "email" if viewer is STAFF else "pendingEmail"
    assert (logged, None, address, True) in [(f.field, f.before, f.after, f.private) for f in entry.fields]


@pytest.mark.parametrize(
    "viewer, given",
    [(ANONYMOUS, NEW), (ZOE, NEW), (PRIYA, NEW), (MEMBER_KEY, NEW),
     (ANA, {k: v for k, v in NEW.items() if k != "affiliation"})],
    ids=["anonymous", "unrelated person", "another organisation's primary", "member key", "primary, no affiliation"],
)
async def test_everyone_else_is_refused_a_new_person_and_nothing_is_created(run, viewer, given):
    count = await run.db.people.count_documents({})
    data = await run.as_viewer(viewer)(CREATE, input=given)
    assert [e["code"] for e in data["createPerson"]["userErrors"]] == ["FORBIDDEN"]
    assert data["createPerson"]["person"] is None
    assert await run.db.people.count_documents({}) == count


async def test_a_new_persons_contact_visibility_is_theirs_or_staffs_to_choose(run):
    refused = await run.as_viewer(ANA)(CREATE, input={**NEW, "contactVisibility": "PUBLIC"})
    assert refused["createPerson"]["userErrors"][0]["field"] == ["input", "contactVisibility"]
    assert refused["createPerson"]["userErrors"][0]["code"] == "FORBIDDEN"
    made = await run.as_viewer(STAFF)(CREATE, input={**NEW, "contactVisibility": "PUBLIC"})
    assert made["createPerson"]["person"]["contactVisibility"] == "PUBLIC"


async def test_an_email_in_use_is_a_conflict_that_never_names_its_holder(run):
    count = await run.db.people.count_documents({})
    data = await run.as_viewer(STAFF)(CREATE, input={**NEW, "email": "ana.lopes@umontreal.example"})
    [error] = data["createPerson"]["userErrors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "email"]
    assert not any(word in error["message"] for word in ("Ana", "Lopes", "per_ana", "umontreal"))
    assert await run.db.people.count_documents({}) == count


async def test_bad_fields_are_invalid_each_by_its_path(run):
    data = await run.as_viewer(STAFF)(CREATE, input={**NEW, "email": "not an address", "country": "XX",
                                                     "affiliation": None})
    errors = data["createPerson"]["userErrors"]
    assert {tuple(e["field"]) for e in errors} == {("input", "email"), ("input", "country")}
    assert {e["code"] for e in errors} == {"INVALID"}
    assert not any("not an address" in e["message"] for e in errors)


async def test_an_unknown_affiliation_is_not_found(run):
    data = await run.as_viewer(STAFF)(CREATE, input={**NEW, "affiliation": "org_nowhere"})
    assert data["createPerson"]["userErrors"] == [
        {"field": ["input", "affiliation"], "message": "No organisation with this id.", "code": "NOT_FOUND"}]


# updatePerson

@pytest.mark.parametrize("viewer", [ZOE, STAFF], ids=["the person", "staff"])
async def test_the_person_and_staff_change_a_profile_field_and_nothing_else(run, viewer):
    before = await _person(run, "per_zoe")
    data = await run.as_viewer(viewer)(UPDATE, input={"id": "per_zoe", "expectedVersion": before.version,
                                                      "patch": {"familyName": "Meier"}, "reason": "married"})
    payload = data["updatePerson"]
    assert payload["userErrors"] == []
    assert payload["person"]["familyName"] == "Meier" and payload["person"]["version"] == before.version + 1
    after = await _person(run, "per_zoe")
    assert (after.given_name, after.email, after.country_code, after.contact_visibility, after.affiliation_id) == (
        before.given_name, before.email, before.country_code, before.contact_visibility, before.affiliation_id)
    [entry] = await _log(run, "per_zoe")
    assert [(f.field, f.before, f.after) for f in entry.fields] == [("familyName", "Müller", "Meier")]
    assert entry.actor.role == ("self" if viewer is ZOE else "staff") and entry.reason == "married"


@pytest.mark.parametrize("viewer", [ANONYMOUS, ANA, PRIYA, MEMBER_KEY],
                         ids=["anonymous", "primary of their organisation", "unrelated person", "member key"])
async def test_everyone_else_is_refused_a_profile_change_and_nothing_changes(run, viewer):
    version = (await _person(run, "per_jean")).version
    data = await run.as_viewer(viewer)(UPDATE, input={"id": "per_jean", "expectedVersion": version,
                                                      "patch": {"givenName": "Jon"}})
    assert [e["code"] for e in data["updatePerson"]["userErrors"]] == ["FORBIDDEN"]
    assert data["updatePerson"]["person"] is None
    after = await _person(run, "per_jean")
    assert after.version == version and after.given_name == "Jean-François"


async def test_a_person_sets_their_visibility_to_public_and_then_anyone_sees_their_orcid(run):
    read = '{ person(id: "per_zoe") { orcid contactVisibility } }'
    version = (await _person(run, "per_zoe")).version
    own = await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version,
                                                  "patch": {"orcid": "0000-0002-1694-233X"}})
    assert own["updatePerson"]["person"]["orcid"] == "0000-0002-1694-233X"
    assert (await run(read))["person"] == {"orcid": None, "contactVisibility": None}
    public = await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version + 1,
                                                     "patch": {"contactVisibility": "PUBLIC"}})
    assert public["updatePerson"]["person"]["contactVisibility"] == "PUBLIC"
    assert (await run(read))["person"] == {"orcid": "0000-0002-1694-233X", "contactVisibility": None}


async def test_only_the_person_and_staff_see_or_set_contact_visibility(run):
    read = '{ person(id: "per_jean") { contactVisibility } }'
    assert (await run.as_viewer(JEAN)(read))["person"]["contactVisibility"] == "MEMBERS"
    assert (await run.as_viewer(STAFF)(read))["person"]["contactVisibility"] == "MEMBERS"
    assert (await run.as_viewer(ANA)(read))["person"]["contactVisibility"] is None
    version = (await _person(run, "per_jean")).version
    data = await run.as_viewer(ANA)(UPDATE, input={"id": "per_jean", "expectedVersion": version,
                                                   "patch": {"contactVisibility": "PUBLIC"}})
    assert data["updatePerson"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await _person(run, "per_jean")).contact_visibility.value == "MEMBERS"
    cleared = await run.as_viewer(JEAN)(UPDATE, input={"id": "per_jean", "expectedVersion": version,
                                                       "patch": {"contactVisibility": None}})
    assert cleared["updatePerson"]["userErrors"][0] == {
        "field": ["input", "patch", "contactVisibility"], "message": cleared["updatePerson"]["userErrors"][0]["message"],
        "code": "INVALID"}


async def test_a_person_may_leave_their_organisation_but_only_staff_set_another(run):
    # João holds no role (one who does is refused until they hand it over: tests/schema/test_privacy.py).
    JOAO = Viewer(role=Role.MEMBER, person_id="per_joao", credential="oidc:joao")
    version = (await _person(run, "per_joao")).version
    moved = await run.as_viewer(JOAO)(UPDATE, input={"id": "per_joao", "expectedVersion": version,
                                                     "patch": {"affiliation": "org_helix"}})
    assert moved["updatePerson"]["userErrors"] == [
        {"field": ["input", "patch", "affiliation"], "message": "You may not set a person's affiliation.",
         "code": "FORBIDDEN"}]
    left = await run.as_viewer(JOAO)(UPDATE, input={"id": "per_joao", "expectedVersion": version,
                                                    "patch": {"affiliation": None}})
    assert left["updatePerson"]["person"]["affiliation"] is None
    staff = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_joao", "expectedVersion": version + 1,
                                                      "patch": {"affiliation": "org_helix"}})
    assert staff["updatePerson"]["person"]["affiliation"] == {"id": "org_helix"}
    nowhere = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_joao", "expectedVersion": version + 2,
                                                        "patch": {"affiliation": "org_nowhere"}})
    assert nowhere["updatePerson"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_asking_for_someone_elses_email_is_answered_like_any_address_and_changes_nothing(run):
    """Whether the address is on file is told only to that address, by mail (test_verified_email.py)."""
    version = (await _person(run, "per_zoe")).version
    data = await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version,
                                                   "patch": {"email": "priya@helix.example"}})
    assert data["updatePerson"]["userErrors"] == []
    assert data["updatePerson"]["person"]["email"] == "zoe@mueller.example"
    assert "Priya" not in str(data)
    assert (await _person(run, "per_zoe")).email == "zoe@mueller.example"


async def test_a_stale_version_gets_the_current_person_as_the_caller_may_see_them(run):
    version = (await _person(run, "per_priya")).version
    first = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_priya", "expectedVersion": version,
                                                      "patch": {"country": "IE"}})
    assert first["updatePerson"]["userErrors"] == []
    second = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_priya", "expectedVersion": version,
                                                       "patch": {"country": "FR"}})
    payload = second["updatePerson"]
    assert [e["code"] for e in payload["userErrors"]] == ["STALE_VERSION"]
    assert payload["person"]["version"] == version + 1 and payload["person"]["country"] == {"code": "IE"}
    assert (await _person(run, "per_priya")).country_code == "IE"


async def test_a_stale_payload_hides_contact_details_from_a_caller_who_may_not_see_them(run):
    version = (await _person(run, "per_priya")).version
    await run.as_viewer(STAFF)(UPDATE, input={"id": "per_priya", "expectedVersion": version,
                                              "patch": {"orcid": "0000-0002-1825-0097"}})
    # Priya (visibility STAFF) edits with the old version: she sees her own record;
    # nobody else could have sent this, and FORBIDDEN comes before STALE_VERSION.
    data = await run.as_viewer(PRIYA)(UPDATE, input={"id": "per_priya", "expectedVersion": version,
                                                     "patch": {"country": "FR"}})
    assert data["updatePerson"]["person"]["email"] == "priya@helix.example"
    refused = await run.as_viewer(ZOE)(UPDATE, input={"id": "per_priya", "expectedVersion": version,
                                                      "patch": {"country": "FR"}})
    assert refused["updatePerson"]["person"] is None
    assert "priya@helix.example" not in str(refused)


async def test_changes_of_contact_details_are_logged_as_private(run):
    version = (await _person(run, "per_zoe")).version
    await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version,
                                            "patch": {"email": "zoe@new.example", "country": "DE"}})
    [entry] = await _log(run, "per_zoe")
    logged = {f.field: (f.before, f.after, f.private) for f in entry.fields}
    # The new address is pending until its link is followed (tests/notifications/test_verified_email.py).
    assert logged == {"pendingEmail": (None, "zoe@new.example", True), "country": ("CH", "DE", False)}


# setCommunications

SUBSCRIBE = ("mutation($input: SetCommunicationsInput!) { setCommunications(input: $input) { "
             "person { version communications { id } } " + ERRORS + " } }")


async def test_a_person_subscribes_and_sees_their_organisations_assignments_too(run):
    version = (await _person(run, "per_ana")).version
    data = await run.as_viewer(ANA)(SUBSCRIBE, input={"personId": "per_ana", "expectedVersion": version,
                                                      "workingGroupIds": ["grp_forum", "grp_steering"]})
    payload = data["setCommunications"]
    assert payload["userErrors"] == []
    # grp_data: Ana is org_montreal's COMMUNICATIONS contact for it.
    assert [g["id"] for g in payload["person"]["communications"]] == ["grp_data", "grp_forum", "grp_steering"]
    assert (await _person(run, "per_ana")).communications == ("grp_forum", "grp_steering")
    [entry] = await _log(run, "per_ana")
    assert [(f.field, f.before, f.after) for f in entry.fields] == [
        ("communications", "", "grp_forum, grp_steering")]


async def test_subscriptions_to_unknown_groups_are_not_found_and_others_may_not_subscribe_you(run):
    version = (await _person(run, "per_zoe")).version
    unknown = await run.as_viewer(ZOE)(SUBSCRIBE, input={"personId": "per_zoe", "expectedVersion": version,
                                                         "workingGroupIds": ["grp_forum", "grp_nowhere"]})
    assert unknown["setCommunications"]["userErrors"][0]["field"] == ["input", "workingGroupIds", "1"]
    assert unknown["setCommunications"]["userErrors"][0]["code"] == "NOT_FOUND"
    for viewer in (ANONYMOUS, ANA, MEMBER_KEY):
        refused = await run.as_viewer(viewer)(SUBSCRIBE, input={"personId": "per_zoe", "expectedVersion": version,
                                                                "workingGroupIds": ["grp_forum"]})
        assert refused["setCommunications"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await _person(run, "per_zoe")).version == version


async def test_communications_of_a_page_of_people_cost_one_command_per_loader(run, schema, ferretdb):
    from tests.conftest import CommandRecorder

    recorder = CommandRecorder()
    db = await fresh_database(ferretdb, "test_mutations_people_batching", recorder)
    await load_directory(db)
    recorder.reset()
    # As staff, who see everyone's communications (anonymous callers see none, with no command at all).
    data = await Run(schema, db).as_viewer(STAFF)("{ people(first: 20) { nodes { communications { name } } } }")
    assert len(data["people"]["nodes"]) == 10
    contacts = [c for c in recorder.commands if c.startswith("find contacts")]
    groups = [c for c in recorder.commands if c.startswith("find groups")]
    assert len(contacts) == 1 and len(groups) == 1
    await db.close()


# individual membership

MEMBERSHIP = "person { version individualMembership { status since history { status on reason } } }"
APPLY = ("mutation($input: ApplyForIndividualMembershipInput!) { applyForIndividualMembership(input: $input) { "
         + MEMBERSHIP + " " + ERRORS + " } }")
DECIDE = ("mutation($input: DecideIndividualMembershipInput!) { decideIndividualMembership(input: $input) { "
          + MEMBERSHIP + " " + ERRORS + " } }")
CANCEL = ("mutation($input: CancelIndividualMembershipInput!) { cancelIndividualMembership(input: $input) { "
          + MEMBERSHIP + " " + ERRORS + " } }")


async def test_apply_approve_and_cancel_keep_the_history(run):
    version = (await _person(run, "per_zoe")).version
    applied = await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": version,
                                                     "acceptedAgreements": ACCEPTED_AGREEMENTS,
                                                     "reason": "I work on rare disease data"})
    assert applied["applyForIndividualMembership"]["person"]["individualMembership"]["status"] == "APPLICANT"
    refused = await run.as_viewer(ZOE)(DECIDE, input={"personId": "per_zoe", "expectedVersion": version + 1,
                                                      "decision": "APPROVE"})
    assert refused["decideIndividualMembership"]["userErrors"][0]["code"] == "FORBIDDEN"
    approved = await run.as_viewer(STAFF)(DECIDE, input={"personId": "per_zoe", "expectedVersion": version + 1,
                                                         "decision": "APPROVE", "reason": "criteria met"})
    assert approved["decideIndividualMembership"]["person"]["individualMembership"]["status"] == "ACTIVE"
    cancelled = await run.as_viewer(ZOE)(CANCEL, input={"personId": "per_zoe", "expectedVersion": version + 2,
                                                        "reason": "moving on"})
    membership = cancelled["cancelIndividualMembership"]["person"]["individualMembership"]
    assert membership["status"] == "CANCELLED"
    assert [(c["status"], c["reason"]) for c in membership["history"]] == [
        ("APPLICANT", "I work on rare disease data"), ("ACTIVE", "criteria met"), ("CANCELLED", "moving on")]
    assert membership["since"] == membership["history"][-1]["on"]
    # Reasons are for the person and staff; others see the statuses and days only.
    seen = await run.as_viewer(ANA)('{ person(id: "per_zoe") { individualMembership { history { status reason } } } }')
    assert [c["reason"] for c in seen["person"]["individualMembership"]["history"]] == [None, None, None]
    log = await _log(run, "per_zoe")
    assert [(e.action.value, [(f.field, f.after) for f in e.fields]) for e in reversed(log)] == [
        ("STATUS", [("individualMembership.status", "APPLICANT")]),
        ("STATUS", [("individualMembership.status", "ACTIVE")]),
        ("STATUS", [("individualMembership.status", "CANCELLED")]),
    ]


AGREEMENTS = "acceptedAgreements { constitution memberAgreement }"
ACCEPTED = f"person {{ version individualMembership {{ status history {{ status {AGREEMENTS} }} }} }} {ERRORS}"
APPLY_ACCEPTING = ("mutation($input: ApplyForIndividualMembershipInput!) { applyForIndividualMembership(input: $input) { "
                   + ACCEPTED + " } }")


async def test_an_application_records_the_versions_of_the_texts_in_force_that_were_accepted(run):
    run.agreement_versions = AgreementVersions("2025-01", "2024-11")
    assert (await run('{ agreementVersions { constitution memberAgreement } }'))["agreementVersions"] == {
        "constitution": "2025-01", "memberAgreement": "2024-11"}
    version = (await _person(run, "per_zoe")).version
    accepting = {"constitution": "2025-01", "memberAgreement": "2024-11"}
    applied = (await run.as_viewer(ZOE)(APPLY_ACCEPTING, input={
        "personId": "per_zoe", "expectedVersion": version, "acceptedAgreements": accepting}))["applyForIndividualMembership"]
    assert applied["userErrors"] == []
    assert applied["person"]["individualMembership"]["history"] == [{"status": "APPLICANT", "acceptedAgreements": accepting}]
    stored = (await _person(run, "per_zoe")).individual_membership.history[-1]
    assert stored.accepted_agreements == AgreementVersions("2025-01", "2024-11")
    # Kept through later changes of the record (every write re-validates the whole record).
    assert (await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version + 1,
                                                    "patch": {"givenName": "Zoé"}}))["updatePerson"]["userErrors"] == []
    assert (await _person(run, "per_zoe")).individual_membership.history[-1].accepted_agreements == stored.accepted_agreements
    # The person and staff see them; others see the status only.
    query = '{ person(id: "per_zoe") { individualMembership { history { status ' + AGREEMENTS + ' } } } }'
    for viewer, seen in ((STAFF, accepting), (ZOE, accepting), (ANA, None), (ANONYMOUS, None)):
        history = (await run.as_viewer(viewer)(query))["person"]["individualMembership"]["history"]
        assert history == [{"status": "APPLICANT", "acceptedAgreements": seen}], viewer


@pytest.mark.parametrize("accepting, field, in_force", [
    ({"constitution": "2024-03", "memberAgreement": "2025-06"}, "constitution", "2025-06"),
    ({"constitution": "2025-06", "memberAgreement": "2024-03"}, "memberAgreement", "2025-07"),
])
async def test_an_application_accepting_another_version_is_refused_naming_the_text(run, accepting, field, in_force):
    run.agreement_versions = AgreementVersions(in_force if field == "constitution" else "2025-06",
                                               in_force if field == "memberAgreement" else "2025-06")
    before = await _person(run, "per_zoe")
    data = await run.as_viewer(ZOE)(APPLY_ACCEPTING, input={"personId": "per_zoe", "expectedVersion": before.version,
                                                            "acceptedAgreements": accepting})
    [error] = data["applyForIndividualMembership"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "acceptedAgreements", field], "INVALID")
    assert repr(in_force) in error["message"]
    assert await _person(run, "per_zoe") == before and await _log(run, "per_zoe") == []


@pytest.mark.parametrize("decision, status", [("DECLINE", "DECLINED"), ("REMOVE", None)])
async def test_staff_decline_applicants_and_remove_only_members(run, decision, status):
    version = (await _person(run, "per_zoe")).version
    await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": version,
                                           "acceptedAgreements": ACCEPTED_AGREEMENTS})
    data = await run.as_viewer(STAFF)(DECIDE, input={"personId": "per_zoe", "expectedVersion": version + 1,
                                                     "decision": decision})
    payload = data["decideIndividualMembership"]
    if status:
        assert payload["person"]["individualMembership"]["status"] == status
    else:
        assert payload["userErrors"] == [{
            "field": ["input"], "message": "An individual membership cannot go from APPLICANT to REMOVED.",
            "code": "INVALID_TRANSITION"}]
        assert (await _person(run, "per_zoe")).version == version + 1


async def test_illegal_transitions_name_from_and_to_and_change_nothing(run):
    version = (await _person(run, "per_zoe")).version
    never = await run.as_viewer(STAFF)(DECIDE, input={"personId": "per_zoe", "expectedVersion": version,
                                                      "decision": "APPROVE"})
    assert never["decideIndividualMembership"]["userErrors"][0]["message"] == (
        "An individual membership cannot go from none to ACTIVE.")
    cancel = await run.as_viewer(ZOE)(CANCEL, input={"personId": "per_zoe", "expectedVersion": version})
    assert cancel["cancelIndividualMembership"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": version,
                                           "acceptedAgreements": ACCEPTED_AGREEMENTS})
    twice = await run.as_viewer(ZOE)(APPLY, input={"personId": "per_zoe", "expectedVersion": version + 1,
                                                   "acceptedAgreements": ACCEPTED_AGREEMENTS})
    assert "from APPLICANT to APPLICANT" in twice["applyForIndividualMembership"]["userErrors"][0]["message"]
    assert (await _person(run, "per_zoe")).version == version + 1


@pytest.mark.parametrize("viewer", [ANONYMOUS, ANA, MEMBER_KEY], ids=["anonymous", "unrelated", "member key"])
async def test_others_may_not_apply_or_cancel_for_a_person(run, viewer):
    version = (await _person(run, "per_zoe")).version
    for mutation, name in ((APPLY, "applyForIndividualMembership"), (CANCEL, "cancelIndividualMembership")):
        given = {"acceptedAgreements": ACCEPTED_AGREEMENTS} if mutation is APPLY else {}
        data = await run.as_viewer(viewer)(mutation, input={"personId": "per_zoe", "expectedVersion": version, **given})
        assert data[name]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await _person(run, "per_zoe")).version == version


# erasePerson

ERASE = ("mutation($input: ErasePersonInput!) { erasePerson(input: $input) { person { id name email orcid country { code } "
         "affiliation { id } } " + ERRORS + " } }")


async def test_erasure_removes_the_data_from_record_and_log_but_keeps_the_placeholder(run):
    version = (await _person(run, "per_jean")).version
    await run.as_viewer(JEAN)(UPDATE, input={"id": "per_jean", "expectedVersion": version,
                                             "patch": {"email": "jf@private.example", "orcid": "0000-0002-1825-0097"}})
    for viewer in (ANA, JEAN, ANONYMOUS):
        refused = await run.as_viewer(viewer)(ERASE, input={"personId": "per_jean", "expectedVersion": version + 1,
                                                            "reason": "request"})
        assert refused["erasePerson"]["userErrors"][0]["code"] == "FORBIDDEN"
    data = await run.as_viewer(STAFF)(ERASE, input={"personId": "per_jean", "expectedVersion": version + 1,
                                                    "reason": "erasure request 2026-11"})
    assert data["erasePerson"]["userErrors"] == []
    assert data["erasePerson"]["person"] == {"id": "per_jean", "name": "Erased person", "email": None, "orcid": None,
                                             "country": None, "affiliation": None}
    record = await _person(run, "per_jean")
    assert record.erased and record.email is None and record.orcid is None and record.affiliation_id is None
    log = await _log(run, "per_jean")
    assert [e.action.value for e in log] == ["ERASE", "UPDATE"]
    for entry in log:
        assert entry.fields and all(f.before is None and f.after is None and f.erased for f in entry.fields)
    raw = [d async for d in run.db.changes.find({"record_id": "per_jean"})]
    assert "jf@private.example" not in str(raw) and "Jean" not in str(raw)
    # The erased person holds no role contact; their tenure ended today and points to the placeholder.
    kept = await run('{ organisation(id: "org_montreal") { contacts(roles: [ADMINISTRATOR]) { person { id name } } } '
                     'workingGroup(id: "grp_clinical") { roster(roles: [CO_CHAIR]) { edges { node { until person { id name } } } } } }')
    assert kept["organisation"]["contacts"] == []
    [tenure] = kept["workingGroup"]["roster"]["edges"]
    assert tenure["node"]["person"] == {"id": "per_jean", "name": "Erased person"} and tenure["node"]["until"]
    again = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_jean", "expectedVersion": version + 2,
                                                      "patch": {"givenName": "Jean"}})
    assert again["updatePerson"]["userErrors"][0]["code"] == "CONFLICT"


async def test_a_persons_history_is_for_staff_and_shows_the_erasure_without_values(run):
    version = (await _person(run, "per_zoe")).version
    await run.as_viewer(ZOE)(UPDATE, input={"id": "per_zoe", "expectedVersion": version,
                                            "patch": {"email": "zoe@new.example"}})
    read = '{ person(id: "per_zoe") { history { nodes { action actorRole fields { field before after redacted } } } } }'
    assert (await run.as_viewer(ZOE)(read))["person"]["history"] is None
    [update] = (await run.as_viewer(STAFF)(read))["person"]["history"]["nodes"]
    assert update["fields"] == [{"field": "pendingEmail", "before": None, "after": "zoe@new.example",
                                 "redacted": False}]
    await run.as_viewer(STAFF)(ERASE, input={"personId": "per_zoe", "expectedVersion": version + 1,
                                             "reason": "erasure request"})
    erased, update = (await run.as_viewer(STAFF)(read))["person"]["history"]["nodes"]
    assert erased["action"] == "ERASE" and erased["actorRole"] == "staff"
    assert {f["field"] for f in erased["fields"]} >= {"givenName", "familyName", "email", "country"}
    for change in (erased, update):
        assert all(f["before"] is None and f["after"] is None and f["redacted"] for f in change["fields"])


async def test_a_retried_creation_with_the_same_client_mutation_id_creates_one_person(run):
    count = await run.db.people.count_documents({})
    given = {"givenName": "Lea", "familyName": "Roy", "affiliation": "org_montreal", "clientMutationId": "once"}
    first = await run.as_viewer(ANA)(CREATE, input=given)
    again = await run.as_viewer(ANA)(CREATE, input=given)
    assert again["createPerson"]["userErrors"] == []
    assert again["createPerson"]["person"]["id"] == first["createPerson"]["person"]["id"]
    assert await run.db.people.count_documents({}) == count + 1


# Own subscriptions apart from the organisation's assignments (Person.subscriptions)

TOM = Viewer(role=Role.MEMBER, person_id="per_tom", credential="oidc:tom")  # Helix assigned him the Data Work Stream
SUBSCRIBE = ("mutation($input: SetCommunicationsInput!) { setCommunications(input: $input) { person { version "
             "subscriptions { id } communications { id } roles { role workingGroup { id } } } " + ERRORS + " } }")


async def test_saving_subscriptions_keeps_the_assignments_and_an_own_subscription_also_assigned(run):
    version = (await _person(run, "per_tom")).version
    both = (await run.as_viewer(TOM)(SUBSCRIBE, input={"personId": "per_tom", "expectedVersion": version,
                                                      "workingGroupIds": ["grp_data", "grp_clinical"]}))["setCommunications"]
    assert both["person"]["subscriptions"] == [{"id": "grp_clinical"}, {"id": "grp_data"}]
    # What /me sends after unticking the Clinical Work Stream: its subscriptions as read, less that one.
    mine = [g["id"] for g in both["person"]["subscriptions"] if g["id"] != "grp_clinical"]
    saved = (await run.as_viewer(TOM)(SUBSCRIBE, input={"personId": "per_tom", "expectedVersion": version + 1,
                                                       "workingGroupIds": mine}))["setCommunications"]
    assert saved["userErrors"] == [] and saved["person"]["subscriptions"] == [{"id": "grp_data"}]
    assert saved["person"]["communications"] == [{"id": "grp_data"}]
    # Even an empty list removes no assignment: those are the organisation's role contacts.
    emptied = (await run.as_viewer(TOM)(SUBSCRIBE, input={"personId": "per_tom", "expectedVersion": version + 2,
                                                         "workingGroupIds": []}))["setCommunications"]
    assert emptied["person"]["subscriptions"] == []
    assert emptied["person"]["communications"] == [{"id": "grp_data"}]
    assert {"role": "COMMUNICATIONS", "workingGroup": {"id": "grp_data"}} in emptied["person"]["roles"]
    # Others see no subscriptions at all (null), Helix's Primary only the assignment in communications.
    seen = await run.as_viewer(PRIYA)('{ person(id: "per_tom") { subscriptions { id } communications { id } } }')
    assert seen["person"] == {"subscriptions": None, "communications": [{"id": "grp_data"}]}
