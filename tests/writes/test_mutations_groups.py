"""Group mutations: staff create groups and change them; nobody else does."""

import pytest

from datastore import changes, groups
from datastore.records.groups import Group
from datastore.records.vocabulary import Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import Run, directory_copy

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ADMIN = Viewer(role=Role.ADMIN, credential="api-key:key_admin")
# Ana chairs grp_clinical; Zoë holds no role anywhere.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
MEMBER_KEY = Viewer(role=Role.MEMBER, credential="api-key:k")

GROUP = "workingGroup { id slug name kind description active version parent { id } }"
ERRORS = "userErrors { field message code }"
CREATE = f"mutation($input: CreateWorkingGroupInput!) {{ createWorkingGroup(input: $input) {{ {GROUP} {ERRORS} clientMutationId }} }}"
UPDATE = f"mutation($input: UpdateWorkingGroupInput!) {{ updateWorkingGroup(input: $input) {{ {GROUP} {ERRORS} }} }}"
NEW = {"slug": "pharmacogenomics-task-team", "name": "Pharmacogenomics Task Team", "kind": "TASK_TEAM",
       "parentId": "grp_clinical", "description": "Drug response."}


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_mutations_groups") as db:
        yield Run(schema, db)


async def _group(run: Run, group_id: str = "grp_clinical") -> Group:
    return (await groups.by_ids(run.db, [group_id]))[0]


@pytest.mark.parametrize("viewer", [STAFF, ADMIN], ids=["staff", "admin"])
async def test_staff_create_a_group_under_a_parent(run, viewer):
    data = await run.as_viewer(viewer)(CREATE, input={**NEW, "reason": "new work", "clientMutationId": "g1"})
    payload = data["createWorkingGroup"]
    assert payload["userErrors"] == [] and payload["clientMutationId"] == "g1"
    group = payload["workingGroup"]
    assert group["id"].startswith("grp_pharmacogenomicstaskteam_") and group["version"] == 1
    assert (group["name"], group["active"], group["parent"]) == ("Pharmacogenomics Task Team", True,
                                                                 {"id": "grp_clinical"})
    children = await run('{ workingGroup(id: "grp_clinical") { children { id } } }')
    assert {"id": group["id"]} in children["workingGroup"]["children"]
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id=group["id"]), None, 10)
    assert logged.action.value == "CREATE" and logged.reason == "new work"
    assert ("parent", "grp_clinical") in [(f.field, f.after) for f in logged.fields]


@pytest.mark.parametrize("viewer", [ANONYMOUS, ANA, ZOE, MEMBER_KEY],
                         ids=["anonymous", "chair", "member", "member key"])
async def test_nobody_else_creates_or_changes_a_group(run, viewer):
    count = await run.db.groups.count_documents({})
    created = await run.as_viewer(viewer)(CREATE, input=NEW)
    assert [e["code"] for e in created["createWorkingGroup"]["userErrors"]] == ["FORBIDDEN"]
    assert await run.db.groups.count_documents({}) == count
    before = await _group(run)
    changed = await run.as_viewer(viewer)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                         "patch": {"name": "Renamed"}})
    assert [e["code"] for e in changed["updateWorkingGroup"]["userErrors"]] == ["FORBIDDEN"]
    assert changed["updateWorkingGroup"]["workingGroup"] is None
    assert await _group(run) == before


async def test_a_taken_slug_is_a_conflict_and_an_unknown_parent_not_found(run):
    count = await run.db.groups.count_documents({})
    taken = await run.as_viewer(STAFF)(CREATE, input={**NEW, "slug": "clinical-work-stream"})
    assert taken["createWorkingGroup"]["userErrors"][0] == {
        "field": ["input", "slug"], "message": "That slug is already in use; choose another.", "code": "CONFLICT"}
    orphan = await run.as_viewer(STAFF)(CREATE, input={**NEW, "parentId": "grp_nowhere"})
    assert orphan["createWorkingGroup"]["userErrors"][0]["field"] == ["input", "parentId"]
    assert orphan["createWorkingGroup"]["userErrors"][0]["code"] == "NOT_FOUND"
    bad = await run.as_viewer(STAFF)(CREATE, input={**NEW, "slug": "Not A Slug", "name": " "})
    assert {tuple(e["field"]) for e in bad["createWorkingGroup"]["userErrors"]} == {("input", "slug"),
                                                                                    ("input", "name")}
    assert await run.db.groups.count_documents({}) == count


async def test_a_patch_changes_only_what_it_names(run):
    before = await _group(run)
    data = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                     "patch": {"description": "Clinical genomics standards."}})
    group = data["updateWorkingGroup"]["workingGroup"]
    assert group["description"] == "Clinical genomics standards." and group["version"] == before.version + 1
    after = await _group(run)
    assert (after.name, after.slug, after.kind, after.active, after.parent_id) == (
        before.name, before.slug, before.kind, before.active, before.parent_id)
    [logged] = await changes.audit_page(run.db, changes.AuditFilter(record_id="grp_clinical"), None, 10)
    assert [(f.field, f.before, f.after) for f in logged.fields] == [
        ("description", "Standards for clinical genomics.", "Clinical genomics standards.")]


async def test_null_clears_the_description_and_is_invalid_on_name_and_active(run):
    before = await _group(run)
    refused = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                        "patch": {"name": None, "active": None}})
    errors = refused["updateWorkingGroup"]["userErrors"]
    assert {tuple(e["field"]) for e in errors} == {("input", "patch", "name"), ("input", "patch", "active")}
    assert await _group(run) == before
    cleared = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                        "patch": {"description": None, "active": False}})
    group = cleared["updateWorkingGroup"]["workingGroup"]
    assert group["description"] is None and group["active"] is False


@pytest.mark.parametrize("parent", ["grp_clinical", "grp_phenopackets"], ids=["itself", "its own child"])
async def test_a_parent_that_would_make_a_cycle_is_invalid(run, parent):
    before = await _group(run)
    data = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                     "patch": {"parentId": parent}})
    assert data["updateWorkingGroup"]["userErrors"] == [{
        "field": ["input", "patch", "parentId"], "message": "That parent would make the group its own ancestor.",
        "code": "INVALID"}]
    assert await _group(run) == before


async def test_moving_a_group_under_another_and_back_to_the_top(run):
    before = await _group(run, "grp_phenopackets")
    moved = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_phenopackets", "expectedVersion": before.version,
                                                      "patch": {"parentId": "grp_data"}})
    assert moved["updateWorkingGroup"]["workingGroup"]["parent"] == {"id": "grp_data"}
    top = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_phenopackets", "expectedVersion": before.version + 1,
                                                    "patch": {"parentId": None}})
    assert top["updateWorkingGroup"]["workingGroup"]["parent"] is None


async def test_a_stale_version_gets_the_current_group(run):
    before = await _group(run)
    await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                              "patch": {"name": "Clinical Stream"}})
    data = await run.as_viewer(STAFF)(UPDATE, input={"id": "grp_clinical", "expectedVersion": before.version,
                                                     "patch": {"name": "Clinic"}})
    payload = data["updateWorkingGroup"]
    assert [e["code"] for e in payload["userErrors"]] == ["STALE_VERSION"]
    assert payload["workingGroup"]["name"] == "Clinical Stream"
    assert payload["workingGroup"]["version"] == before.version + 1
