"""Organisations' time zones, and the monthly operational notices (issue 24, parts 6 and 7)."""

import json
from datetime import UTC, datetime

import pytest

from datastore import changes, organisations, time_zones
from datastore.importer import ImportRejected, import_files
from datastore.vocabulary import Role
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# tests/data/directory.json: org_montreal is in Canada, org_helix in Great Britain, org_tokyo in Japan.
UPDATE = """
mutation($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) {
    organisation { id version timeZone }
    userErrors { field message code }
  }
}"""


@pytest.fixture
async def run(engine, schema):
    async with directory_copy(engine, "test_operational_notices") as db:
        yield Run(schema, db)


async def _version(run: Run, organisation_id: str) -> int:
    return (await organisations.by_ids(run.db, [organisation_id]))[0].version


# Time zones


@pytest.mark.parametrize(("country", "zone"), [
    ("JP", "Asia/Tokyo"), ("FR", "Europe/Paris"), ("GB", "Europe/London"),
    # Two zones in tzdb that keep one clock (Büsingen keeps Berlin's time): one zone.
    ("DE", "Europe/Berlin"),
    # Zones whose clocks differ: UTC until staff set one.
    ("US", "UTC"), ("CA", "UTC"), ("AU", "UTC"), ("ES", "UTC"),
])
def test_a_country_with_one_zone_gives_it_and_one_with_several_gives_utc(country, zone):
    assert time_zones.default_for(country) == zone
    assert time_zones.is_key(zone)


async def test_an_organisation_shows_its_countrys_zone_until_one_is_set(run):
    data = await run('{ tokyo: organisation(id: "org_tokyo") { timeZone } '
                     'helix: organisation(id: "org_helix") { timeZone } '
                     'montreal: organisation(id: "org_montreal") { timeZone } }')
    assert data == {"tokyo": {"timeZone": "Asia/Tokyo"}, "helix": {"timeZone": "Europe/London"},
                    "montreal": {"timeZone": "UTC"}}


async def test_staff_set_a_zone_audited_and_null_goes_back_to_the_countrys(run):
    version = await _version(run, "org_montreal")
    data = await run.as_viewer(STAFF)(UPDATE, input={
        "id": "org_montreal", "expectedVersion": version, "patch": {"timeZone": "America/Toronto"},
        "reason": "Montréal keeps Eastern time"})
    assert data["updateOrganisation"] == {
        "organisation": {"id": "org_montreal", "version": version + 1, "timeZone": "America/Toronto"},
        "userErrors": []}
    log = await changes.audit_page(run.db, changes.AuditFilter(record_id="org_montreal"), None, 10)
    assert [(f.field, f.before, f.after) for f in log[0].fields] == [("timeZone", None, "America/Toronto")]
    assert log[0].reason == "Montréal keeps Eastern time"
    back = await run.as_viewer(STAFF)(UPDATE, input={
        "id": "org_montreal", "expectedVersion": version + 1, "patch": {"timeZone": None}})
    assert back["updateOrganisation"]["organisation"]["timeZone"] == "UTC"


@pytest.mark.parametrize("key", ["Mars/Olympus", "europe/berlin", "+01:00", ""])
async def test_a_key_that_is_not_an_iana_zone_is_a_user_error_naming_the_field(run, key):
    version = await _version(run, "org_helix")
    data = await run.as_viewer(STAFF)(UPDATE, input={
        "id": "org_helix", "expectedVersion": version, "patch": {"timeZone": key}})
    payload = data["updateOrganisation"]
    assert payload["organisation"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "patch", "timeZone"], "INVALID")]
    assert "IANA time zone" in payload["userErrors"][0]["message"]
    assert await _version(run, "org_helix") == version


async def test_the_import_sets_a_zone_and_refuses_one_that_is_not(run, tmp_path):
    record = {"type": "organisation", "id": "org_helix", "slug": "helix-genomics", "name": "Helix Genomics Ltd.",
              "kind": "CORPORATION", "country": "GB", "status": "ACTIVE"}
    good, bad = tmp_path / "good.ndjson", tmp_path / "bad.ndjson"
    good.write_text(json.dumps({**record, "timeZone": "Europe/Dublin"}) + "\n")
    bad.write_text(json.dumps({**record, "timeZone": "Europe/Atlantis"}) + "\n")
    with pytest.raises(ImportRejected) as rejected:
        await import_files(run.db, [bad])
    assert "bad.ndjson:1: timeZone:" in str(rejected.value)
    await import_files(run.db, [good])
    [helix] = await organisations.by_ids(run.db, ["org_helix"])
    assert helix.time_zone == "Europe/Dublin"
    log = await changes.audit_page(run.db, changes.AuditFilter(record_id="org_helix"), None, 10)
    assert ("timeZone", None, "Europe/Dublin") in [(f.field, f.before, f.after) for f in log[0].fields]


def test_times_are_worded_in_iso_form_in_the_zone():
    instant = datetime(2026, 12, 7, 9, 40, tzinfo=UTC)
    assert time_zones.local_time(instant, "Asia/Tokyo") == "2026-12-07T18:40:00+09:00"
    assert time_zones.local_time(instant, "UTC") == "2026-12-07T09:40:00+00:00"
