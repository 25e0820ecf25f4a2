"""The audit log, record histories, the viewer and the change feed."""

import asyncio
from datetime import timedelta

import pytest

from datastore.records.vocabulary import Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import Run, directory_copy

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ADMIN = Viewer(role=Role.ADMIN, credential="api-key:key_admin")
MEMBER = Viewer(role=Role.MEMBER, credential="api-key:key_member")
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")

UPDATE = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { version } userErrors { code } } }"""
AUDIT = """query($filter: AuditFilter, $after: String) {
  auditLog(filter: $filter, first: 2, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { recordType recordId action actorRole actorKeyId actorPerson { id } reason fields { field before after redacted } }
  } }"""


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_audit") as db:
        yield Run(schema, db)


async def _edit(run: Run, viewer: Viewer, org_id: str, city: str) -> int:
    version = (await run(f'{{ organisation(id: "{org_id}") {{ version }} }}'))["organisation"]["version"]
    data = await run.as_viewer(viewer)(UPDATE, input={"id": org_id, "expectedVersion": version,
                                                      "patch": {"city": city}, "reason": f"to {city}"})
    assert data["updateOrganisation"]["userErrors"] == []
    return data["updateOrganisation"]["organisation"]["version"]


async def test_staff_and_admin_page_through_the_log_newest_first_with_filters(run):
    await _edit(run, STAFF, "org_helix", "Hinxton")
    await _edit(run, ANA, "org_montreal", "Laval")
    await _edit(run, STAFF, "org_helix", "Oxford")
    for viewer in (STAFF, ADMIN):
        first = (await run.as_viewer(viewer)(AUDIT, filter={"recordId": "org_helix"}))["auditLog"]
        assert first["totalCount"] == 2 and not first["pageInfo"]["hasNextPage"]
        assert [n["fields"] for n in first["nodes"]] == [
            [{"field": "city", "before": "Hinxton", "after": "Oxford", "redacted": False}],
            [{"field": "city", "before": "Cambridge", "after": "Hinxton", "redacted": False}],
        ]
        assert first["nodes"][0]["actorKeyId"] == "key_staff" and first["nodes"][0]["actorRole"] == "staff"
    by_ana = (await run.as_viewer(STAFF)(AUDIT, filter={"actorPersonId": "per_ana"}))["auditLog"]["nodes"]
    assert [(n["recordId"], n["actorRole"], n["actorPerson"]["id"]) for n in by_ana] == [
        ("org_montreal", "primary", "per_ana")]
    page1 = (await run.as_viewer(STAFF)(AUDIT))["auditLog"]
    page2 = (await run.as_viewer(STAFF)(AUDIT, after=page1["pageInfo"]["endCursor"]))["auditLog"]
    seen = [n["reason"] for n in page1["nodes"] + page2["nodes"]]
    assert seen == ["to Oxford", "to Laval", "to Hinxton"]


@pytest.mark.parametrize("viewer", [ANONYMOUS, MEMBER, ANA], ids=["anonymous", "member", "primary"])
async def test_others_may_not_read_the_log_or_histories(run, viewer):
    await _edit(run, STAFF, "org_montreal", "Laval")
    errors = await run.as_viewer(viewer).errors(AUDIT)
    assert errors[0].extensions["code"] == "FORBIDDEN"
    data = await run.as_viewer(viewer)('{ organisation(id: "org_montreal") { history { totalCount } } }')
    assert data["organisation"]["history"] is None
    staff = await run.as_viewer(STAFF)('{ organisation(id: "org_montreal") { history { totalCount } } }')
    assert staff["organisation"]["history"]["totalCount"] == 1


async def test_the_viewer_says_who_is_asking_and_what_they_manage_and_chair(run):
    data = await run.as_viewer(ANA)("{ viewer { role person { id } manages { id } chairs { slug } } }")
    assert data["viewer"] == {"role": "member", "person": {"id": "per_ana"}, "manages": [{"id": "org_montreal"}],
                              "chairs": [{"slug": "clinical-work-stream"}]}
    anonymous = await run("{ viewer { role person { id } manages { id } chairs { slug } } }")
    assert anonymous["viewer"] == {"role": "anonymous", "person": None, "manages": [], "chairs": []}


FEED = """query($after: String) { changes(after: $after, first: 2) {
  resumeCursor pageInfo { hasNextPage } nodes { recordType recordId action version } } }"""


async def test_the_change_feed_resumes_without_missing_anything(run):
    member = run.as_viewer(MEMBER)
    empty = (await member(FEED))["changes"]
    assert empty["nodes"] == [] and empty["resumeCursor"]
    await _edit(run, STAFF, "org_helix", "Hinxton")
    await _edit(run, STAFF, "org_lagos", "Ibadan")
    await _edit(run, STAFF, "org_helix", "Oxford")
    await asyncio.sleep(run.feed_settle_seconds)
    seen, cursor = [], empty["resumeCursor"]
    while True:
        page = (await member(FEED, after=cursor))["changes"]
        seen += [(n["recordId"], n["version"]) for n in page["nodes"]]
        cursor = page["resumeCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [("org_helix", 2), ("org_lagos", 2), ("org_helix", 3)]
    assert (await member(FEED, after=cursor))["changes"]["nodes"] == []
    errors = await run.errors(FEED)
    assert errors[0].extensions["code"] == "FORBIDDEN"


async def test_the_feed_stops_before_a_change_still_being_applied(run):
    await _edit(run, STAFF, "org_helix", "Hinxton")
    # A change claimed but not yet applied, as a slow or killed writer leaves it.
    await run.db.changes.insert_one({
        "_id": "org_lagos@2", "owner_type": "ORGANISATION", "owner_id": "org_lagos", "version": 2,
        "record_type": "ORGANISATION", "record_id": "org_lagos", "action": "UPDATE",
        "at": (await run.db.changes.find_one({"_id": "org_helix@2"}))["at"] + timedelta(milliseconds=1),
        "actor": {"role": "staff"}, "state": "claimed", "fields": [], "plan": None,
    })
    await _edit(run, STAFF, "org_montreal", "Laval")
    await asyncio.sleep(run.feed_settle_seconds)
    nodes = (await run.as_viewer(MEMBER)(FEED))["changes"]["nodes"]
    assert [n["recordId"] for n in nodes] == ["org_helix"]  # not org_montreal, claimed after it
