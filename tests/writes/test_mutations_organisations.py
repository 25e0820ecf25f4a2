"""Organisation mutations through the schema: who may, what changes, what is logged."""

import pytest

from datastore import changes, organisations
from datastore.records.vocabulary import Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

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
    async with directory_copy(ferretdb, "test_mutations_organisations") as db:
        yield Run(schema, db)


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


async def test_nobody_makes_an_outsider_a_contact_staff_neither(run):
    # A role contact must be affiliated with the organisation (tests/schema/test_privacy.py has the rest).
    version = await _version(run)
    for viewer in (ANA, STAFF):
        data = await run.as_viewer(viewer)(ASSIGN, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                          "role": "SIGNER", "personId": "per_zoe"})
        assert data["assignRoleContact"]["userErrors"][0]["code"] == "FORBIDDEN"


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


async def test_a_retry_after_success_is_answered_as_a_replay_not_as_stale(run):
    version = await _version(run)
    given = {"id": "org_montreal", "expectedVersion": version, "patch": {"city": "Laval"}, "clientMutationId": "r-1"}
    first = await run.as_viewer(STAFF)(UPDATE, input=given)
    again = await run.as_viewer(STAFF)(UPDATE, input=given)
    assert again["updateOrganisation"] == first["updateOrganisation"]
    assert await _version(run) == version + 1
    other = await run.as_viewer(Viewer(role=Role.STAFF, credential="api-key:key_other"))(UPDATE, input=given)
    assert [e["code"] for e in other["updateOrganisation"]["userErrors"]] == ["STALE_VERSION"]


async def test_a_patch_that_changes_nothing_writes_nothing(run):
    version = await _version(run)
    await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version,
                                              "patch": {"city": "Laval"}})
    same = await run.as_viewer(STAFF)(UPDATE, input={"id": "org_montreal", "expectedVersion": version + 1,
                                                     "patch": {"city": "Laval"}})
    assert same["updateOrganisation"]["userErrors"] == []
    assert same["updateOrganisation"]["organisation"]["version"] == version + 1
    assert await run.db.changes.count_documents({"owner_id": "org_montreal"}) == 1


CREATE = """mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) {
    organisation { id slug version membership { status history { status } } contacts { role person { id } } }
    userErrors { field code message } } }"""
DECIDE = """mutation($input: DecideMembershipInput!) {
  decideMembership(input: $input) { organisation { membership { status joinedOn } } userErrors { code message } } }"""
CANCEL = """mutation($input: CancelMembershipInput!) {
  cancelMembership(input: $input) { organisation { membership { status } } userErrors { code } } }"""
DESIGNATE = """mutation($input: SetDesignationsInput!) {
  setDesignations(input: $input) { organisation { designations version } userErrors { code } } }"""
REMOVE_CONTACT = """mutation($input: RemoveRoleContactInput!) {
  removeRoleContact(input: $input) { organisation { version contacts { id role } } userErrors { code field } } }"""


async def test_a_signed_in_person_applies_for_an_organisation_and_becomes_its_primary(run):
    data = await run.as_viewer(ZOE)(CREATE, input={"slug": "zoe-genomics", "name": "Zoë Genomics",
                                                   "kind": "CORPORATION", "country": "CH", "sectors": ["RESEARCH"]})
    payload = data["createOrganisation"]
    assert payload["userErrors"] == []
    created = payload["organisation"]
    assert created["version"] == 1 and created["membership"] == {"status": "APPLICANT", "history": [{"status": "APPLICANT"}]}
    assert created["contacts"] == [{"role": "PRIMARY", "person": {"id": "per_zoe"}}]
    taken = await run.as_viewer(STAFF)(CREATE, input={"slug": "zoe-genomics", "name": "Another", "kind": "ACADEMIC",
                                                      "country": "FR"})
    assert [(e["field"], e["code"]) for e in taken["createOrganisation"]["userErrors"]] == [(["input", "slug"], "CONFLICT")]
    anonymous = await run(CREATE, input={"slug": "anon-org", "name": "Anon", "kind": "ACADEMIC", "country": "FR"})
    assert anonymous["createOrganisation"]["userErrors"][0]["code"] == "FORBIDDEN"
    keyed = await run.as_viewer(Viewer(role=Role.MEMBER, credential="api-key:k"))(
        CREATE, input={"slug": "keyed-org", "name": "Keyed", "kind": "ACADEMIC", "country": "FR"})
    assert keyed["createOrganisation"]["userErrors"][0]["code"] == "FORBIDDEN"  # a member key is nobody


async def test_approval_needs_the_three_role_contacts_and_only_staff_decide(run):
    created = await run.as_viewer(ZOE)(CREATE, input={"slug": "zoe-labs", "name": "Zoë Labs", "kind": "CORPORATION",
                                                      "country": "CH"})
    org_id = created["createOrganisation"]["organisation"]["id"]
    refused = await run.as_viewer(ZOE)(DECIDE, input={"organisationId": org_id, "expectedVersion": 1, "decision": "APPROVE"})
    assert refused["decideMembership"]["userErrors"][0]["code"] == "FORBIDDEN"
    missing = await run.as_viewer(STAFF)(DECIDE, input={"organisationId": org_id, "expectedVersion": 1, "decision": "APPROVE"})
    assert missing["decideMembership"]["userErrors"][0]["code"] == "CONFLICT"
    # Applying affiliated Zoë with her organisation: she is its Primary from the start, and names the
    # other two contacts herself, before approval, with nothing asked of staff.
    assert missing["decideMembership"]["userErrors"][0]["message"].endswith("missing: ADMINISTRATOR, SIGNER.")
    for version, role in ((1, "ADMINISTRATOR"), (2, "SIGNER")):
        assigned = await run.as_viewer(ZOE)(ASSIGN, input={"organisationId": org_id, "expectedVersion": version,
                                                           "role": role, "personId": "per_zoe"})
        assert assigned["assignRoleContact"]["userErrors"] == []
    approved = await run.as_viewer(STAFF)(DECIDE, input={"organisationId": org_id, "expectedVersion": 3,
                                                         "decision": "APPROVE"})
    assert approved["decideMembership"]["organisation"]["membership"]["status"] == "ACTIVE"
    assert approved["decideMembership"]["organisation"]["membership"]["joinedOn"] is not None
    again = await run.as_viewer(STAFF)(DECIDE, input={"organisationId": org_id, "expectedVersion": 4, "decision": "DECLINE"})
    error = again["decideMembership"]["userErrors"][0]
    assert error["code"] == "INVALID_TRANSITION" and "ACTIVE to DECLINED" in error["message"]


async def test_applying_affiliates_the_applicant_in_the_same_change_with_its_own_audit_entry(run):
    before = (await run.as_viewer(STAFF)('{ person(id: "per_zoe") { version affiliation { id } } }'))["person"]
    assert before["affiliation"] is None
    created = (await run.as_viewer(ZOE)(CREATE, input={"slug": "zoe-works", "name": "Zoë Works",
                                                       "kind": "CORPORATION", "country": "CH"}))["createOrganisation"]
    org_id = created["organisation"]["id"]
    after = (await run.as_viewer(STAFF)('{ person(id: "per_zoe") { version affiliation { id } } }'))["person"]
    assert after == {"version": before["version"] + 1, "affiliation": {"id": org_id}}
    [entry] = [e for e in await changes.audit_page(run.db, changes.AuditFilter(record_id="per_zoe"), None, 5)
               if e.version == after["version"]]
    assert [(f.field, f.before, f.after) for f in entry.fields] == [("affiliation", None, org_id)]


async def test_an_applicant_who_holds_roles_elsewhere_is_refused_and_nothing_is_made(run):
    # Jean is Université de Montréal's Administrator.
    data = await run.as_viewer(JEAN)(CREATE, input={"slug": "jean-genomics", "name": "Jean Genomics",
                                                    "kind": "CORPORATION", "country": "CA"})
    [error] = data["createOrganisation"]["userErrors"]
    assert error["code"] == "CONFLICT" and "Université de Montréal" in error["message"]
    assert "hand those roles over first" in error["message"]
    assert await organisations.by_slug(run.db, "jean-genomics") is None
    person = (await run.as_viewer(STAFF)('{ person(id: "per_jean") { affiliation { id } } }'))["person"]
    assert person["affiliation"] == {"id": "org_montreal"}


async def test_the_primary_or_staff_cancel_an_administrator_may_not(run):
    version = await _version(run)
    refused = await run.as_viewer(JEAN)(CANCEL, input={"organisationId": "org_montreal", "expectedVersion": version})
    assert refused["cancelMembership"]["userErrors"][0]["code"] == "FORBIDDEN"
    cancelled = await run.as_viewer(ANA)(CANCEL, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                        "reason": "programme ended"})
    assert cancelled["cancelMembership"]["organisation"]["membership"]["status"] == "CANCELLED"


async def test_designations_are_staff_business(run):
    version = await _version(run)
    refused = await run.as_viewer(ANA)(DESIGNATE, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                         "designations": ["FUNDER"]})
    assert refused["setDesignations"]["userErrors"][0]["code"] == "FORBIDDEN"
    done = await run.as_viewer(STAFF)(DESIGNATE, input={"organisationId": "org_montreal", "expectedVersion": version,
                                                        "designations": ["FUNDER", "HOST_INSTITUTION"]})
    assert done["setDesignations"]["organisation"] == {"designations": ["FUNDER", "HOST_INSTITUTION"],
                                                       "version": version + 1}


async def test_an_active_member_never_loses_its_primary_but_other_contacts_can_go(run):
    from datastore import contacts

    held = {c.role.value: c for c in await contacts.by_organisations(run.db, ["org_montreal"])}
    version = await _version(run)
    refused = await run.as_viewer(STAFF)(REMOVE_CONTACT, input={"organisationId": "org_montreal",
                                                                "expectedVersion": version, "contactId": held["PRIMARY"].id})
    assert [(e["code"], e["field"]) for e in refused["removeRoleContact"]["userErrors"]] == [
        ("CONFLICT", ["input", "contactId"])]
    removed = await run.as_viewer(JEAN)(REMOVE_CONTACT, input={"organisationId": "org_montreal",
                                                               "expectedVersion": version, "contactId": held["SIGNER"].id})
    payload = removed["removeRoleContact"]
    assert payload["userErrors"] == [] and payload["organisation"]["version"] == version + 1
    assert held["SIGNER"].id not in [c["id"] for c in payload["organisation"]["contacts"]]


# The staff queues: removal notices and removals now allowed (OrganisationFilter), Membership.removableFrom

NOTICED = """query($filter: OrganisationFilter) { organisations(filter: $filter, first: 100) {
  totalCount nodes { id membership { removalNoticeOn removableFrom } } } }"""


async def _noticed(run: Run, viewer: Viewer, **filter) -> list[str]:
    found = (await run.as_viewer(viewer)(NOTICED, filter=filter))["organisations"]
    assert found["totalCount"] == len(found["nodes"])
    return sorted(o["id"] for o in found["nodes"])


async def test_staff_find_organisations_under_a_removal_notice_and_those_removable_now(run):
    from datetime import date, timedelta

    today = date.today()
    for organisation in ("org_lagos", "org_tokyo"):  # ACTIVE and LAPSED
        noticed = await run.as_viewer(STAFF)(LIFECYCLE, notice={
            "organisationId": organisation, "expectedVersion": await _version(run, organisation), "reason": "criteria"})
        assert noticed["recordRemovalNotice"]["userErrors"] == []
    # A notice stops standing when a review reinstates the member: org_helix lapses, is noticed, is renewed.
    await run.as_viewer(STAFF)(REVIEW, input={"organisationId": "org_helix",
                                              "expectedVersion": await _version(run, "org_helix"), "outcome": "LAPSED"})
    await run.as_viewer(STAFF)(LIFECYCLE, notice={"organisationId": "org_helix",
                                                  "expectedVersion": await _version(run, "org_helix"), "reason": "x"})
    await run.as_viewer(STAFF)(REVIEW, input={"organisationId": "org_helix",
                                              "expectedVersion": await _version(run, "org_helix"), "outcome": "RENEWED"})
    everyone = await _noticed(run, STAFF)
    under = await _noticed(run, STAFF, underRemovalNotice=True)
    assert under == ["org_lagos", "org_tokyo"]
    assert await _noticed(run, STAFF, underRemovalNotice=False) == sorted(set(everyone) - set(under))
    assert await _noticed(run, STAFF, underRemovalNotice=True, statuses=["LAPSED"]) == ["org_tokyo"]
    # Removable from the notice plus the period: not today, on the period's last day.
    first_day = (today + timedelta(days=run.removal_notice_days)).isoformat()
    assert await _noticed(run, STAFF, removableBy=today.isoformat()) == []
    assert await _noticed(run, STAFF, removableBy=first_day) == ["org_lagos", "org_tokyo"]
    shown = (await run.as_viewer(STAFF)('{ organisation(id: "org_lagos") { membership { removableFrom } } }'))
    assert shown["organisation"]["membership"]["removableFrom"] == first_day
    too_soon = await run.as_viewer(STAFF)(REMOVE, input={"organisationId": "org_lagos", "reason": "criteria",
                                                         "expectedVersion": await _version(run, "org_lagos")})
    assert first_day in too_soon["removeMembership"]["userErrors"][0]["message"]


@pytest.mark.parametrize("filter", [{"underRemovalNotice": True}, {"underRemovalNotice": False},
                                    {"removableBy": "2030-01-01"}])
@pytest.mark.parametrize("viewer", [ANONYMOUS, ANA], ids=["anonymous", "member"])
async def test_only_staff_filter_by_removal_notices_which_others_may_not_see(run, viewer, filter):
    errors = await run.as_viewer(viewer).errors(NOTICED, filter=filter)
    assert f"'filter.{next(iter(filter))}'" in errors[0].message and "staff only" in errors[0].message


PEOPLE = """query($filter: PersonFilter) { people(filter: $filter, first: 100) {
  totalCount nodes { id individualMembership { status } } } }"""


async def test_people_filter_by_individual_membership_status(run):
    version = (await run.as_viewer(STAFF)('{ person(id: "per_zoe") { version } }'))["person"]["version"]
    applied = await run.as_viewer(ZOE)(
        """mutation($input: ApplyForIndividualMembershipInput!) { applyForIndividualMembership(input: $input) {
           userErrors { code } } }""",
        input={"personId": "per_zoe", "expectedVersion": version, "acceptedAgreements": ACCEPTED_AGREEMENTS})
    assert applied["applyForIndividualMembership"]["userErrors"] == []
    everyone = (await run(PEOPLE))["people"]["nodes"]
    for statuses in (["APPLICANT"], ["ACTIVE", "CANCELLED"]):
        found = (await run(PEOPLE, filter={"individualMembershipStatuses": statuses}))["people"]
        expected = {p["id"] for p in everyone if (p["individualMembership"] or {}).get("status") in statuses}
        assert {p["id"] for p in found["nodes"]} == expected and found["totalCount"] == len(expected)
    assert "per_zoe" in {p["id"] for p in (await run(PEOPLE, filter={"individualMembershipStatuses": ["APPLICANT"]}))["people"]["nodes"]}
