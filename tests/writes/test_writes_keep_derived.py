"""Mutations keep the derived fields that filters and orders read: the folded
name, the next review due and the time of the last change."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from datastore.importer import import_files
from datastore.records import dates
from datastore.records.vocabulary import Role
from resolvers.viewer import Viewer
from tests.conftest import DATA, Run, fresh_database

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
VERSION = 'query($id: ID!) { organisation(id: $id) { version membership { nextReviewDue } } }'
REVIEW = """mutation($input: RecordReviewInput!) {
  recordMembershipReview(input: $input) { organisation { membership { nextReviewDue } } userErrors { code } } }"""
RENAME = """mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { organisation { name } userErrors { code } } }"""
DUES = """{ organisations(orderBy: REVIEW_DUE_ASC, first: 100) { nodes { id membership { nextReviewDue } } } }"""
IDS = """query($filter: OrganisationFilter, $order: OrganisationOrder) {
  organisations(filter: $filter, orderBy: $order, first: 100) { nodes { id } } }"""


@pytest.fixture
async def run(ferretdb, schema):
    db = await fresh_database(ferretdb, "test_writes_keep_derived")
    await import_files(db, [DATA / "directory.json"])
    yield Run(schema, db).as_viewer(STAFF)
    await db.close()


async def _ids(run: Run, **variables) -> list[str]:
    return [n["id"] for n in (await run(IDS, **variables))["organisations"]["nodes"]]


async def test_a_review_moves_the_organisation_in_review_work_and_in_the_updated_list(run):
    before = (await run(VERSION, id="org_helix"))["organisation"]
    old_due = before["membership"]["nextReviewDue"]
    day_after = dates.to_text(dates.from_text(old_due) + timedelta(days=1))
    assert "org_helix" in await _ids(run, filter={"reviewDueBefore": day_after})
    started = datetime.now(UTC)  # after the import, which stamped every record
    assert await _ids(run, filter={"updatedSince": started.isoformat()}) == []
    await asyncio.sleep(0.01)

    data = await run(REVIEW, input={"organisationId": "org_helix", "expectedVersion": before["version"],
                                    "outcome": "RENEWED"})
    assert data["recordMembershipReview"]["userErrors"] == []
    new_due = data["recordMembershipReview"]["organisation"]["membership"]["nextReviewDue"]
    assert new_due > old_due
    assert "org_helix" not in await _ids(run, filter={"reviewDueBefore": day_after})
    ordered = (await run(DUES))["organisations"]["nodes"]
    dues = [n["membership"]["nextReviewDue"] for n in ordered if n["membership"]["nextReviewDue"]]
    assert dues == sorted(dues) and {"id": "org_helix", "membership": {"nextReviewDue": new_due}} in ordered
    assert await _ids(run, filter={"updatedSince": started.isoformat()}, order="UPDATED_ASC") == ["org_helix"]


async def test_a_renamed_organisation_is_found_by_its_new_name_folded(run):
    version = (await run(VERSION, id="org_helix"))["organisation"]["version"]
    data = await run(RENAME, input={"id": "org_helix", "expectedVersion": version,
                                    "patch": {"name": "Helix Genomics Łódź"}})
    assert data["updateOrganisation"]["userErrors"] == []
    assert await _ids(run, filter={"search": "genomics lodz"}) == ["org_helix"]
