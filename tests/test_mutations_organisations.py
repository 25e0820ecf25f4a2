"""Organisation mutations through the schema: who may, what changes, what is logged."""

import pytest

from datastore import changes, organisations
from datastore.importer import import_files
from datastore.vocabulary import Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import DATA, Run, fresh_database

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# In tests/data/directory.json: Ana is Primary of org_montreal, Jean its Administrator;
# Priya is Primary of org_helix; Zoë is a member of no organisation.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
JEAN = Viewer(role=Role.MEMBER, person_id="per_jean", credential="oidc:jean")
PRIYA = Viewer(role=Role.MEMBER, person_id="per_priya", credential="oidc:priya")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")

UPDATE = """
mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) {
    organisation { id version website city rorId sectors name }
    userErrors { field message code }
    clientMutationId
  }
}"""


@pytest.fixture
async def run(ferretdb, schema):
    db = await fresh_database(ferretdb.uri, "test_mutations_organisations")
    await import_files(db, [DATA / "directory.json"])
    yield Run(schema, db)
    await db.close()


async def _version(run: Run, org_id: str = "org_montreal") -> int:
    return (await organisations.by_ids(run.db, [org_id]))[0].version


@pytest.mark.parametrize("viewer", [ANA, JEAN, STAFF], ids=["primary", "administrator", "staff"])
async def test_primary_administrator_and_staff_change_the_website_and_nothing_else(run, viewer):
    before = (await run('{ organisation(id: "org_montreal") { version website city rorId sectors name } }'))["organisation"]
    data = await run.as_viewer(viewer)(UPDATE, input={
        "id": "org_montreal", "expectedVersion": before["version"], "patch": {"website": "https://new.example"},
        "reason": "new site", "clientMutationId": "c1",
    })
    payload = data["updateOrganisation"]
    assert payload["userErrors"] == [] and payload["clientMutationId"] == "c1"
    assert payload["organisation"] == {**before, "id": "org_montreal", "version": before["version"] + 1,
                                       "website": "https://new.example"}
    log = await changes.audit_page(run.db, changes.AuditFilter(record_id="org_montreal"), None, 10)
    assert [(f.field, f.after) for f in log[0].fields] == [("website", "https://new.example")]
    assert log[0].actor.person_id == viewer.person_id and log[0].reason == "new site"


@pytest.mark.parametrize("viewer", [ANONYMOUS, ZOE, PRIYA, Viewer(role=Role.MEMBER, credential="api-key:k")],
                         ids=["anonymous", "unrelated person", "another organisation's primary", "member key"])
async def test_everyone_else_is_refused_and_nothing_changes(run, viewer):
    version = await _version(run)
    data = await run.as_viewer(viewer)(UPDATE, input={
        "id": "org_montreal", "expectedVersion": version, "patch": {"website": "https://evil.example"}})
    assert data["updateOrganisation"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert data["updateOrganisation"]["organisation"] is None
    assert await _version(run) == version


async def test_a_stale_version_gets_the_current_record_and_keeps_the_first_edit(run):
    version = await _version(run)
    first = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version,
                                                      "patch": {"city": "Laval"}})
    assert first["updateOrganisation"]["userErrors"] == []
    second = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version,
                                                       "patch": {"city": "Québec"}})
    payload = second["updateOrganisation"]
    assert [e["code"] for e in payload["userErrors"]] == ["STALE_VERSION"]
    assert payload["userErrors"][0]["field"] == ["input", "expectedVersion"]
    assert payload["organisation"]["version"] == version + 1 and payload["organisation"]["city"] == "Laval"


async def test_null_clears_an_optional_field_and_is_invalid_on_a_required_one(run):
    version = await _version(run)
    cleared = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version,
                                                        "patch": {"rorId": None, "sectors": []}})
    assert cleared["updateOrganisation"]["organisation"]["rorId"] is None
    assert cleared["updateOrganisation"]["organisation"]["sectors"] == []
    refused = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version + 1,
                                                        "patch": {"name": None, "website": "not a url"}})
    errors = refused["updateOrganisation"]["userErrors"]
    assert {tuple(e["field"]) for e in errors} == {("input", "patch", "name"), ("input", "patch", "website")}
    assert {e["code"] for e in errors} == {"INVALID"}
    assert await _version(run) == version + 1


async def test_unknown_organisation_is_not_found(run):
    data = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_nowhere", "expectedVersion": 1, "patch": {}})
    assert data["updateOrganisation"]["userErrors"] == [
        {"field": ["input", "id"], "message": "No organisation with this id.", "code": "NOT_FOUND"}]


ASSIGN = """
mutation($input: AssignRoleContactInput!) {
  assignRoleContact(input: $input) {
    organisation { version contacts { role person { id } } }
    userErrors { field code message }
  }
}"""


async def test_the_primary_hands_the_administrator_role_to_a_colleague_in_one_mutation(run):
    version = await _version(run)
    contacts = (await run('{ organisation(id: "org_montreal") { contacts(roles: [ADMINISTRATOR]) { person { id } } } }'))
    assert [c["person"]["id"] for c in contacts["organisation"]["contacts"]] == ["per_jean"]
    data = await run.as_viewer(ANA)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                   "role": "ADMINISTRATOR", "personId": "per_ana"})
    payload = data["assignRoleContact"]
    assert payload["userErrors"] == []
    administrators = [c["person"]["id"] for c in payload["organisation"]["contacts"] if c["role"] == "ADMINISTRATOR"]
    assert administrators == ["per_ana"] and payload["organisation"]["version"] == version + 1


async def test_a_primary_cannot_make_an_outsider_a_contact_but_staff_can(run):
    version = await _version(run)
    data = await run.as_viewer(ANA)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                   "role": "SIGNER", "personId": "per_zoe"})
    assert data["assignRoleContact"]["userErrors"][0]["code"] == "FORBIDDEN"
    data = await run.as_viewer(STAFF)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                     "role": "SIGNER", "personId": "per_zoe"})
    assert data["assignRoleContact"]["userErrors"] == []


LIFECYCLE = """
mutation($notice: RemovalNoticeInput!) {
  recordRemovalNotice(input: $notice) { organisation { version membership { status removalNoticeOn } } userErrors { code message } }
}"""
REMOVE = """
mutation($input: RemoveMembershipInput!) {
  removeMembership(input: $input) { organisation { membership { status history { status on reason } } } userErrors { code message } }
}"""
REVIEW = """
mutation($input: RecordReviewInput!) {
  recordMembershipReview(input: $input) { organisation { version membership { status lastReviewedOn history { status } } } userErrors { code message } }
}"""


async def test_removal_needs_a_notice_and_the_notice_period(run):
    version = await _version(run, "org_lagos")
    early = await run.as_viewer(STAFF)(REMOVE, input={"organisationId": "org_lagos", "expectedVersion": version,
                                                      "reason": "criteria"})
    assert early["removeMembership"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    noticed = await run.as_viewer(STAFF)(LIFECYCLE, notice={"organisationId": "org_lagos", "expectedVersion": version,
                                                            "reason": "criteria no longer met"})
    assert noticed["recordRemovalNotice"]["organisation"]["membership"]["removalNoticeOn"] is not None
    too_soon = await run.as_viewer(STAFF)(REMOVE, input={"organisationId": "org_lagos", "expectedVersion": version + 1,
                                                         "reason": "criteria"})
    assert "notice period" in too_soon["removeMembership"]["userErrors"][0]["message"]
    later = run.as_viewer(STAFF)
    later.removal_notice_days = 0
    removed = await later(REMOVE, input={"organisationId": "org_lagos", "expectedVersion": version + 1,
                                         "reason": "criteria"})
    membership = removed["removeMembership"]["organisation"]["membership"]
    assert membership["status"] == "REMOVED" and membership["history"][-1]["reason"] == "criteria"


async def test_reviews_lapse_and_renew_and_only_staff_record_them(run):
    version = await _version(run, "org_helix")
    refused = await run.as_viewer(PRIYA)(REVIEW, input={"organisationId": "org_helix", "expectedVersion": version,
                                                        "outcome": "LAPSED"})
    assert refused["recordMembershipReview"]["userErrors"][0]["code"] == "FORBIDDEN"
    lapsed = await run.as_viewer(STAFF)(REVIEW, input={"organisationId": "org_helix", "expectedVersion": version,
                                                       "outcome": "LAPSED"})
    assert lapsed["recordMembershipReview"]["organisation"]["membership"]["status"] == "LAPSED"
    again = await run.as_viewer(STAFF)(REVIEW, input={"organisationId": "org_helix", "expectedVersion": version + 1,
                                                      "outcome": "LAPSED"})
    assert again["recordMembershipReview"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
