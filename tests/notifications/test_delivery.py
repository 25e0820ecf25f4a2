"""The delivery loop's rounds, in process, against the real engine and a real SMTP server on loopback.

Each test owes notifications through a real mutation or the write path, runs
rounds of `Deliverer` and reads what the SMTP server received (or the .eml
files), and the notification's state: SENT, retried with backoff, FAILED with
the last error, SKIPPED for a recipient who does not take it.
"""

import asyncio
import email
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.policy import default

import pytest

from datastore import edits, erasure, organisations, outbox, writes
from datastore.records.changes import Actor
from datastore.client import Database
from datastore.records.outbox import Owed
from datastore.records.vocabulary import (
    ChangeAction, DeliveryChannel, DeliveryState, NotificationKind, RecordType, Role,
)
from memberdir.edge.metrics import Metrics
from memberdir.notifications import loop, mail
from memberdir.notifications.loop import DeliveryConfig, Deliverer
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)
STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ACTOR = Actor(role="staff", key_id="key_test")
NOTICE = """mutation($input: RemovalNoticeInput!) {
  recordRemovalNotice(input: $input) { organisation { version } userErrors { code message } } }"""
NAME = "test_delivery"


def _config(**changed) -> DeliveryConfig:
    base = DeliveryConfig(lease=timedelta(seconds=30), max_attempts=3, backoff_seconds=60,
                          backoff_max_seconds=600, interval_seconds=0.1, mail_from="Directory <staff@directory.example>")
    return replace(base, **changed)


@pytest.fixture
async def db(ferretdb):
    async with directory_copy(ferretdb, NAME) as database:
        yield database


async def _notice(schema, db: Database, organisation_id: str) -> None:
    version = (await organisations.by_ids(db, [organisation_id]))[0].version
    done = await Run(schema, db).as_viewer(STAFF)(NOTICE, input={
        "organisationId": organisation_id, "expectedVersion": version, "reason": "criteria no longer met"})
    assert done["recordRemovalNotice"]["userErrors"] == []


async def _owe(db: Database, *owed: Owed) -> None:
    current = (await organisations.by_ids(db, ["org_helix"]))[0]
    after = edits.merged("organisations", current, {"city": f"City {current.version}"})
    write = replace(edits.write_of("organisations", current, after, ChangeAction.UPDATE), notifications=owed)
    await writes.commit(db, write, expected_version=current.version, actor=ACTOR)


def _owed(recipient: str | None, kind=NotificationKind.REMOVAL_NOTICE, address: str | None = None, **values) -> Owed:
    return Owed(kind=kind, channel=DeliveryChannel.EMAIL, recipient_id=recipient, subject="A notice",
                record_type=RecordType.ORGANISATION, record_id="org_helix", template="removal_notice",
                address=address, values={"organisation": {"id": "org_helix", "name": "Helix Genomics Ltd."},
                                         "noticeOn": "2026-12-07", "earliestRemovalOn": "2027-01-06",
                                         "noticeDays": 30, **values})


async def _cli(engine, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": NAME}
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "memberdir", *arguments],
                                   env=environment, capture_output=True, text=True, timeout=60)


async def _all(db: Database) -> list[outbox.Notification]:
    return [outbox.from_document(d) async for d in db.notifications.find({}, sort=[("created_at", 1)])]


async def test_a_removal_notice_mails_the_primary_in_their_name_in_text_and_html(schema, db, smtp_server):
    await _notice(schema, db, "org_helix")
    metrics = Metrics(10)
    deliverer = Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10), metrics)
    assert await deliverer.round(db) == 1
    [received] = smtp_server.received
    assert received.recipients == ("priya@helix.example",)
    assert received.message["To"] == "Priya Raman <priya@helix.example>"
    assert received.message["From"] == "Directory <staff@directory.example>"
    assert "Helix Genomics Ltd." in received.message["Subject"]
    text, html = received.part("plain"), received.part("html")
    earliest = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    for body in (text, html):
        assert "Dear Priya Raman" in body and earliest in body and "staff@directory.example" in body
    [stored] = await _all(db)
    assert received.notification_id == stored.id
    assert stored.state is DeliveryState.SENT and stored.attempts == 1 and stored.sent_at is not None
    assert metrics.delivery_attempts.labels("sent")._value.get() == 1
    assert await deliverer.round(db) == 0  # sent once; nothing more is due


async def test_html_is_autoescaped_and_text_is_not(db, smtp_server):
    await _owe(db, _owed("per_priya", organisation={"id": "org_helix", "name": "<b>Helix</b> & Co"}))
    await Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10)).round(db)
    [received] = smtp_server.received
    assert "&lt;b&gt;Helix&lt;/b&gt; &amp; Co" in received.part("html")
    assert "<b>Helix</b>" not in received.part("html")
    assert "<b>Helix</b> & Co" in received.part("plain")


async def test_a_5xx_at_rcpt_fails_at_once_and_is_recorded_as_a_bounce(db, smtp_server):
    await _owe(db, _owed("per_priya", address="bounce@helix.example"))
    await Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10)).round(db)
    [stored] = await _all(db)
    assert stored.state is DeliveryState.FAILED and stored.attempts == 1
    assert "550" in stored.last_error
    assert await outbox.bounced(db, "bounce@helix.example")
    assert smtp_server.received == []


async def test_a_5xx_at_data_fails_at_once_and_is_recorded_as_a_bounce(db, smtp_server):
    await _owe(db, _owed("per_priya", address="reject@helix.example"))
    await Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10)).round(db)
    [stored] = await _all(db)
    assert stored.state is DeliveryState.FAILED and stored.attempts == 1
    assert "554" in stored.last_error and "DATA" in stored.last_error
    assert await outbox.bounced(db, "reject@helix.example")
    assert smtp_server.received == []


async def test_a_temporary_refusal_is_retried_with_backoff_then_fails_and_can_be_retried(db, smtp_server, ferretdb):
    await _owe(db, _owed("per_priya", address="later@helix.example"))
    deliverer = Deliverer(_config(max_attempts=3), mail.SmtpSender(smtp_server.url, 10))
    waits = []
    for attempt in (1, 2, 3):
        before = datetime.now(UTC)
        assert await deliverer.round(db) == 1
        [stored] = await _all(db)
        assert stored.attempts == attempt and "451" in stored.last_error
        if attempt < 3:
            assert stored.state is DeliveryState.PENDING
            waits.append(stored.next_at - before)
            assert await deliverer.round(db) == 0  # not due yet: backing off
            await db.notifications.update_one({"_id": stored.id}, {"$set": {"next_at": datetime.now(UTC)}})
    assert stored.state is DeliveryState.FAILED
    assert not await outbox.bounced(db, "later@helix.example")  # a 4xx is no bounce
    # Backoff: between half and all of base * 2**(n-1).
    assert timedelta(seconds=30) <= waits[0] <= timedelta(seconds=61)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=121)
    # An operator starts it again: a fresh run of attempts.
    result = await _cli(ferretdb, "notifications", "retry", stored.id)
    assert result.returncode == 0, result.stderr
    [again] = await _all(db)
    assert again.state is DeliveryState.PENDING and again.retried_after == 3
    assert await deliverer.round(db) == 1
    [again] = await _all(db)
    assert again.state is DeliveryState.PENDING and again.attempts == 4  # 1 of 3 in the new run
    refused = await _cli(ferretdb, "notifications", "retry", stored.id)
    assert refused.returncode == 1 and "not FAILED" in refused.stderr
    assert (await _cli(ferretdb, "notifications", "retry", "ntf_none")).returncode == 1


async def test_a_signer_gets_no_routine_update_and_a_subscription_is_honoured(db, smtp_server):
    # Tom is Helix's Signer and a COMMUNICATIONS contact for grp_data: more than a Signer.
    # Mia holds all three roles of Victoria. Chidi of Lagos too. Only a Signer alone is skipped:
    # make Tom one by owing to him a routine update about a group he does not receive.
    await _owe(db,
               _owed("per_tom", NotificationKind.REVIEW_RECORDED, group={"id": "grp_clinical"}),
               _owed("per_tom", NotificationKind.REVIEW_RECORDED, group={"id": "grp_data"}),
               _owed("per_tom", NotificationKind.REMOVAL_NOTICE, group={"id": "grp_clinical"}))
    await db.contacts.delete_many({"person_id": "per_tom", "role": "COMMUNICATIONS"})
    await db.people.update_one({"_id": "per_tom"}, {"$set": {"communications": ["grp_data"]}})
    deliverer = Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10))
    while await deliverer.round(db):
        pass
    states = {(n.kind, n.values["group"]["id"]): n for n in await _all(db)}
    # A Signer alone: no routine update at all; a removal notice is no routine update.
    assert states[(NotificationKind.REVIEW_RECORDED, "grp_clinical")].state is DeliveryState.SKIPPED
    assert states[(NotificationKind.REVIEW_RECORDED, "grp_data")].state is DeliveryState.SKIPPED
    assert "Signer" in states[(NotificationKind.REVIEW_RECORDED, "grp_data")].last_error
    assert states[(NotificationKind.REMOVAL_NOTICE, "grp_clinical")].state is DeliveryState.SENT
    # Not only a Signer (an Administrator too): the subscribed group's update goes, the other's does not.
    await db.contacts.insert_one({"_id": "con_tom_admin", "organisation_id": "org_helix", "person_id": "per_tom",
                                  "role": "ADMINISTRATOR", "group_id": None})
    await _owe(db,
               _owed("per_tom", NotificationKind.ROLE_ASSIGNED, group={"id": "grp_clinical"}),
               _owed("per_tom", NotificationKind.ROLE_ASSIGNED, group={"id": "grp_data"}))
    while await deliverer.round(db):
        pass
    assigned = {n.values["group"]["id"]: n.state for n in await _all(db) if n.kind is NotificationKind.ROLE_ASSIGNED}
    assert assigned == {"grp_clinical": DeliveryState.SKIPPED, "grp_data": DeliveryState.SENT}
    assert len(smtp_server.received) == 2


async def test_without_an_smtp_server_each_mail_is_an_eml_file(schema, db, tmp_path):
    await _notice(schema, db, "org_helix")
    folder = tmp_path / "var" / "secantusdb-rs" / "outbox"
    await Deliverer(_config(), mail.FileSender(folder)).round(db)
    [written] = list(folder.glob("*.eml"))
    [stored] = await _all(db)
    assert written.name == f"{stored.id}.eml" and stored.state is DeliveryState.SENT
    message = email.message_from_bytes(written.read_bytes(), policy=default)
    assert message["To"] == "Priya Raman <priya@helix.example>"
    assert "Dear Priya Raman" in message.get_body(preferencelist=("plain",)).get_content()


async def test_the_state_gauge_counts_notifications_per_state(db, smtp_server):
    await _owe(db, _owed("per_priya"), _owed("per_priya", address="bounce@helix.example"))
    deliverer = Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10))
    assert await deliverer.round(db) == 2
    await _owe(db, _owed("per_priya"))
    metrics = Metrics(10)
    await loop.refresh_state_counts(db, metrics)
    exposition = metrics.exposition().decode()
    assert 'memberdir_notifications{state="SENT"} 1.0' in exposition
    assert 'memberdir_notifications{state="FAILED"} 1.0' in exposition
    assert 'memberdir_notifications{state="PENDING"} 1.0' in exposition
    assert 'memberdir_notifications{state="SKIPPED"} 0.0' in exposition


async def test_several_senders_at_once_make_each_attempt_once(db, smtp_server):
    await _owe(db, *(_owed("per_priya", values_n=n) for n in range(12)))
    senders = [Deliverer(_config(batch=5), mail.SmtpSender(smtp_server.url, 10), holder=f"process-{n}")
               for n in range(3)]

    async def drain(deliverer: Deliverer) -> int:
        made = 0
        while made_now := await deliverer.round(db):
            made += made_now
        return made

    made = await asyncio.gather(*(drain(d) for d in senders))
    assert sum(made) == 12
    received = [m.notification_id for m in smtp_server.received]
    assert len(received) == len(set(received)) == 12
    assert {n.state for n in await _all(db)} == {DeliveryState.SENT}


ERASE = """mutation($input: ErasePersonInput!) { erasePerson(input: $input) { person { id } userErrors { code } } }"""


async def test_erasure_removes_the_person_from_the_outbox(schema, db, smtp_server):
    """What a notification said and where it went, and a bounce of the person's address."""
    await _owe(db, _owed("per_priya", values_n="Dear Priya Raman"),
               replace(_owed("per_priya", address="bounce.priya@helix.example"), subject="For Priya Raman"))
    await Deliverer(_config(), mail.SmtpSender(smtp_server.url, 10)).round(db)
    values = ["Priya Raman", "priya@helix.example", "bounce.priya@helix.example"]
    before = await erasure.found_anywhere(db, values)
    assert any("/ntf_" in found for found in before) and any("bounces/" in found for found in before)
    version = (await db.people.find_one({"_id": "per_priya"}))["version"]
    erased = await Run(schema, db).as_viewer(STAFF)(ERASE, input={"personId": "per_priya", "expectedVersion": version,
                                                                  "reason": "asked to be forgotten"})
    assert erased["erasePerson"]["userErrors"] == []
    left = await erasure.found_anywhere(db, values)
    assert [found for found in left if "notifications/" in found or "bounces/" in found] == []
