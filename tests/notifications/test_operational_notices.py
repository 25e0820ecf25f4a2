"""Organisations' time zones, and the monthly operational notices (issue 24, parts 6 and 7)."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from datastore import changes, operational_notices, organisations, outbox, people
from datastore.records import time_zones
from datastore.importer import ImportRejected, import_files
from memberdir import cli
from memberdir.notifications import mail, notices
from memberdir.notifications.recipients import Recipient
from datastore.records.vocabulary import Role
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy
from tests.dump_helpers import restored_copy
from tests.notifications.conftest import deliver_until

pytestmark = pytest.mark.database  # run on every engine (make test)
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


async def test_the_demo_organisations_have_their_countrys_zone(demo_db):
    found = [o async for o in organisations.stream(demo_db, organisations.OrganisationFilter())]
    zones = {o.country_code: o.time_zone for o in found}
    assert all(time_zones.is_key(zone) for zone in zones.values())
    assert zones == {code: time_zones.default_for(code) for code in zones}
    assert {zone for zone in zones.values() if zone != "UTC"}  # most countries keep one clock


async def test_a_zone_set_and_the_notices_owed_come_back_from_a_dump(run):
    version = await _version(run, "org_helix")
    await run.as_viewer(STAFF)(UPDATE, input={"id": "org_helix", "expectedVersion": version,
                                              "patch": {"timeZone": "Europe/Dublin"}})
    await notices.run(run.db, now=JANUARY)
    async with restored_copy(run.db, "test_operational_notices_restored") as copy:
        [helix] = await organisations.by_ids(copy, ["org_helix"])
        assert helix.time_zone == "Europe/Dublin"
        assert _in_id_order(await _notices(copy)) == _in_id_order(await _notices(run.db))
        # Restored, a rerun owes nothing again.
        assert (await notices.run(copy, now=JANUARY)).written == 0


def test_times_are_worded_in_iso_form_in_the_zone():
    instant = datetime(2026, 12, 7, 9, 40, tzinfo=UTC)
    assert time_zones.local_time(instant, "Asia/Tokyo") == "2026-12-07T18:40:00+09:00"
    assert time_zones.local_time(instant, "UTC") == "2026-12-07T09:40:00+00:00"


# Monthly operational notices

# tests/data/directory.json, seen on 2027-01-15: Montréal's review falls due on 2027-02-10 (within 30
# days); Helix's, Lagos's and Tokyo's are overdue; Victoria's is in July. Tokyo has a Primary (Yuki, no
# e-mail) and no Administrator; Montréal's Administrator is Jean, its Primary Ana; Helix's Signer Tom
# shares his address with staff only.
JANUARY = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
FEBRUARY = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)
REVIEWS_DUE_IN_JANUARY = {"org_montreal", "org_helix", "org_lagos", "org_tokyo"}


async def _notices(db, month: str | None = None) -> list[dict]:
    query = {"key": {"$regex": f"^ops:.*:{month}$"}} if month else {"key": {"$regex": "^ops:"}}
    return [d async for d in db.notifications.find(query)]


def _in_id_order(found: list[dict]) -> list[dict]:
    return sorted(found, key=lambda document: document["_id"])


def _by_cause(found: list[dict]) -> dict[tuple[str, str], list[dict]]:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for document in found:
        grouped.setdefault((document["record_id"], document["kind"]), []).append(document)
    return grouped


async def test_runs_again_and_at_once_owe_one_notice_per_organisation_and_cause_each_month(run):
    await outbox.record_bounce(run.db, "tom@helix.example", "550 5.1.1 no such mailbox")
    first, second = await asyncio.gather(notices.run(run.db, now=JANUARY), notices.run(run.db, now=JANUARY))
    again = await notices.run(run.db, now=JANUARY)
    expected = {(o, "REVIEW_DUE") for o in REVIEWS_DUE_IN_JANUARY} | {
        ("org_helix", "CONTACT_PROBLEM"), ("org_tokyo", "CONTACT_PROBLEM")}
    january = _by_cause(await _notices(run.db, "2027-01"))
    assert set(january) == expected
    assert all(len(found) == 1 for found in january.values())
    assert first.written + second.written == len(expected) and again.written == 0
    assert first.already + second.already == len(expected) and again.already == len(expected)
    assert {d["key"] for [d] in january.values()} == {f"ops:{o}:{k}:2027-01" for o, k in expected}
    # Owed by no change, so ready to deliver at once (datastore.outbox.due reads them).
    assert all(d["change_id"] is None and d["state"] == "PENDING" for [d] in january.values())
    ready = {n.id for n in await outbox.due(run.db, datetime.now(UTC), 50)}
    assert {d["_id"] for [d] in january.values()} <= ready

    # The next month: the causes that persist are owed again, once.
    await asyncio.gather(notices.run(run.db, now=FEBRUARY), notices.run(run.db, now=FEBRUARY))
    february = _by_cause(await _notices(run.db, "2027-02"))
    assert set(february) == expected and all(len(found) == 1 for found in february.values())
    assert len(await _notices(run.db)) == 2 * len(expected)


async def test_a_month_given_by_hand_is_keyed_by_that_month(run):
    report = await notices.run(run.db, operational_notices.Month.parse("2027-03"), now=JANUARY)
    assert report.month == operational_notices.Month(2027, 3) and report.written
    assert {d["key"].rsplit(":", 1)[1] for d in await _notices(run.db)} == {"2027-03"}
    # Seen from 2027-03-01: Montréal's review (2027-02-10) is overdue by then.
    [montreal] = _by_cause(await _notices(run.db))[("org_montreal", "REVIEW_DUE")]
    assert montreal["values"]["overdue"] is True


async def test_the_administrator_is_told_else_the_primary(run):
    await notices.run(run.db, now=JANUARY)
    found = _by_cause(await _notices(run.db))
    assert found[("org_montreal", "REVIEW_DUE")][0]["recipient_id"] == "per_jean"  # its Administrator
    # Tokyo has no Administrator: its Primary.
    assert {d["recipient_id"] for d in found[("org_tokyo", "REVIEW_DUE")] + found[("org_tokyo", "CONTACT_PROBLEM")]} \
        == {"per_yuki"}


async def test_a_bounced_administrator_address_sends_the_notice_to_the_primary(run):
    await outbox.record_bounce(run.db, "jf.cote@umontreal.example", "550 5.1.1 no such mailbox")
    await notices.run(run.db, now=JANUARY)
    [problem] = _by_cause(await _notices(run.db))[("org_montreal", "CONTACT_PROBLEM")]
    assert problem["recipient_id"] == "per_ana"
    # Ana manages Montréal and Jean shares his address with members: she sees which one bounced.
    assert problem["values"]["contacts"] == [{
        "name": "Jean-François Côté", "roles": ["Administrator", "Communications (Clinical Work Stream)"],
        "problem": "BOUNCED", "address": "jf.cote@umontreal.example"}]


async def test_a_missing_and_a_bounced_address_are_both_contact_problems_shown_as_the_recipient_may_see(run):
    await outbox.record_bounce(run.db, "tom@helix.example", "550 5.1.1 no such mailbox")
    await notices.run(run.db, now=JANUARY)
    found = _by_cause(await _notices(run.db))
    [tokyo] = found[("org_tokyo", "CONTACT_PROBLEM")]
    assert tokyo["values"]["contacts"] == [{"name": "Yuki Tanaka", "roles": ["Primary"], "problem": "MISSING"}]
    [helix] = found[("org_helix", "CONTACT_PROBLEM")]
    assert helix["recipient_id"] == "per_priya"
    # Tom shares his address with staff only: Priya is told it bounced, not what it is.
    assert helix["values"]["contacts"] == [{"name": "Tom Baker", "roles": ["Signer", "Communications (Data Work Stream)"],
                                            "problem": "BOUNCED"}]
    assert "tom@helix.example" not in repr(helix)
    assert ("org_montreal", "CONTACT_PROBLEM") not in found  # every address there works


async def test_notices_word_dates_in_iso_form_and_the_time_in_the_organisations_zone(run):
    await notices.run(run.db, now=JANUARY)
    found = _by_cause(await _notices(run.db))
    [tokyo] = found[("org_tokyo", "REVIEW_DUE")]
    assert tokyo["values"] | {"organisation": None} == {
        "organisation": None, "month": "2027-01", "timeZone": "Asia/Tokyo",
        "checkedAt": "2027-01-15T18:00:00+09:00", "reviewDueOn": "2025-03-03", "overdue": True, "daysLeft": -683}
    [montreal] = found[("org_montreal", "REVIEW_DUE")]
    assert montreal["values"]["reviewDueOn"] == "2027-02-10" and montreal["values"]["daysLeft"] == 26
    assert montreal["values"]["timeZone"] == "UTC" and montreal["values"]["checkedAt"] == "2027-01-15T09:00:00+00:00"
    assert montreal["subject"] == "Université de Montréal: membership review due on 2027-02-10"


async def test_every_notice_renders_as_text_and_html_mail(run):
    await outbox.record_bounce(run.db, "tom@helix.example", "550 5.1.1 no such mailbox")
    await notices.run(run.db, now=JANUARY)
    for document in await _notices(run.db):
        notification = outbox.from_document(document)
        text, html = mail.render(notification, Recipient("per_x", "Ri <b>Cipient</b>", "r@example.org"), "d@example.org")
        assert document["values"]["organisation"]["name"] in text
        assert "Ri &lt;b&gt;Cipient&lt;/b&gt;" in html  # autoescaped
        assert document["values"]["checkedAt"] in text and document["values"]["checkedAt"] in html
        if document["kind"] == "CONTACT_PROBLEM":
            assert all(c["name"] in text for c in document["values"]["contacts"])


async def test_serve_owes_the_months_notices_once_from_its_day_on_in_every_process(run):
    assert notices.due_month(8, datetime(2026, 12, 7, tzinfo=UTC)) is None
    assert notices.due_month(7, datetime(2026, 12, 7, tzinfo=UTC)) == operational_notices.Month(2026, 12)
    assert notices.due_month(0, datetime(2026, 12, 7, tzinfo=UTC)) is None  # off
    month = str(operational_notices.Month.of(datetime.now(UTC).date()))
    # Two processes' loops at once, checking often.
    async with notices.noticing(lambda: run.db, 1, 0.02), notices.noticing(lambda: run.db, 1, 0.02):
        for _ in range(600):
            found = await _notices(run.db, month)
            if {d["kind"] for d in found} >= {"REVIEW_DUE", "CONTACT_PROBLEM"}:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("no operational notices within 30 s")
        await asyncio.sleep(0.2)  # a few more checks by both loops
    assert all(len(same) == 1 for same in _by_cause(await _notices(run.db, month)).values())


def test_the_command_refuses_a_month_that_is_not_one():
    result = CliRunner().invoke(cli.app, ["notices", "run", "--month", "2026-13"])
    assert result.exit_code == 1
    assert "--month: '2026-13' is not a month written YYYY-MM" in result.output


ERASE = """mutation($input: ErasePersonInput!) { erasePerson(input: $input) { person { id } userErrors { code message } } }"""


async def test_an_erased_contact_leaves_no_value_in_the_notices_that_named_them(run):
    await outbox.record_bounce(run.db, "tom@helix.example", "550 5.1.1 no such mailbox")
    await notices.run(run.db, now=JANUARY)
    [helix] = _by_cause(await _notices(run.db))[("org_helix", "CONTACT_PROBLEM")]
    assert "Tom Baker" in repr(helix["values"])
    version = (await people.by_ids(run.db, ["per_tom"]))[0].version
    data = await run.as_viewer(STAFF)(ERASE, input={"personId": "per_tom", "expectedVersion": version,
                                                    "reason": "asked to be forgotten"})
    assert data["erasePerson"]["userErrors"] == []
    stored = repr(await run.db.notifications.find_one({"_id": helix["_id"]}))
    assert "Tom" not in stored and "Baker" not in stored and "tom@helix.example" not in stored
    # Next month he is no longer a contact of Helix's: no problem to report.
    await notices.run(run.db, now=FEBRUARY)
    assert ("org_helix", "CONTACT_PROBLEM") not in _by_cause(await _notices(run.db, "2027-02"))


REMOVAL_NOTICE = """mutation($input: RemovalNoticeInput!) {
  recordRemovalNotice(input: $input) { organisation { id } userErrors { code message } } }"""


async def test_a_removal_notice_words_when_it_was_recorded_in_the_organisations_zone(run):
    version = await _version(run, "org_tokyo")
    data = await run.as_viewer(STAFF)(REMOVAL_NOTICE, input={
        "organisationId": "org_tokyo", "expectedVersion": version, "reason": "dues unpaid"})
    assert data["recordRemovalNotice"]["userErrors"] == []
    [owed] = [d async for d in run.db.notifications.find({"kind": "REMOVAL_NOTICE", "record_id": "org_tokyo"})]
    assert owed["values"]["timeZone"] == "Asia/Tokyo"
    recorded = datetime.fromisoformat(owed["values"]["recordedAt"])
    assert recorded.utcoffset().total_seconds() == 9 * 3600


STAFF_NOTIFICATIONS = """query($filter: NotificationFilter) {
  notifications(filter: $filter, first: 50) { totalCount nodes { kind state subject recipient { id } record { id } } } }"""


async def test_staff_find_the_notices_in_the_outbox_by_kind(run):
    await notices.run(run.db, now=JANUARY)
    data = await run.as_viewer(STAFF)(STAFF_NOTIFICATIONS, filter={"kinds": ["CONTACT_PROBLEM"]})
    assert data["notifications"]["nodes"] == [{
        "kind": "CONTACT_PROBLEM", "state": "PENDING", "subject": "Tokyo Genome Partnership: contact details to update",
        "recipient": {"id": "per_yuki"}, "record": {"id": "org_tokyo"}}]


async def test_the_months_notice_reaches_the_administrator_through_a_real_smtp_server_once(run, smtp_server):
    """Owed twice in one month, delivered by the outbox's loop: one mail, to the Administrator."""
    await notices.run(run.db, now=JANUARY)
    await notices.run(run.db, now=JANUARY)
    [owed] = _by_cause(await _notices(run.db))[("org_montreal", "REVIEW_DUE")]
    [jean] = await people.by_ids(run.db, [owed["recipient_id"]])
    await deliver_until(run.db, smtp_server, lambda received: any(r.recipients == (jean.email,) for r in received))
    await deliver_until(run.db, smtp_server, lambda received: False, rounds=3)  # and whatever else is due
    to_jean = [r for r in smtp_server.received if r.recipients == (jean.email,)]
    assert len(to_jean) == 1, [r.recipients for r in smtp_server.received]
    assert "2027-02-10" in to_jean[0].part("plain")  # the review's date, in ISO form
