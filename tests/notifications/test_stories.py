"""Notifications end to end: a real `memberdir serve`, a real SMTP server on loopback.

(a) Staff record a removal notice: the organisation's Primary gets a mail, in
    their name, saying when removal may happen at the earliest and whom to contact.
(b) The server is killed (SIGKILL) in the middle of a delivery, while staff keep
    recording notices; restarted, it delivers every notification of every
    acknowledged change at least once, and none is lost.

Tests wait (up to 60 s) for what must arrive; they never time it.
"""

import asyncio
import email
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.policy import default

import httpx
import pytest

from datastore import changes, outbox
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.settings import Settings
from tests.conftest import directory_copy
from tests.writes.test_kill import Server

pytestmark = pytest.mark.database  # run on every engine (make test)
WAIT_SECONDS = 60
MAIL_FROM = "Directory staff <staff@directory.example>"
NOTICE = """mutation($input: RemovalNoticeInput!) {
  recordRemovalNotice(input: $input) { organisation { version } userErrors { code message } } }"""
VERSION = "query($id: ID!) { organisation(id: $id) { version } }"
PRIMARIES = {"org_montreal": "Ana Lopes <ana.lopes@umontreal.example>",
             "org_helix": "Priya Raman <priya@helix.example>",
             "org_lagos": "Chidi Okafor <chidi@lagos.example>",
             "org_victoria": "Mia Wilson <mia@health.vic.example>"}


async def _until(condition, what: str):
    loop = asyncio.get_running_loop()
    give_up = loop.time() + WAIT_SECONDS
    while not (found := await condition()):
        assert loop.time() < give_up, f"waited {WAIT_SECONDS}s for {what}"
        await asyncio.sleep(0.1)
    return found


def _environment(engine, name: str, smtp_url: str, **settings: str) -> dict:
    return {**os.environ, "MONGODB_URI": engine.uri, "MEMBERDIR_DATABASE": name, "MEMBERDIR_SMTP_URL": smtp_url,
            "MEMBERDIR_MAIL_FROM": MAIL_FROM, "MEMBERDIR_DELIVERY_INTERVAL_SECONDS": "0.2", **settings}


async def _given(client: httpx.AsyncClient, organisation_id: str, cmid: str | None = None) -> dict:
    read = (await client.post("/graphql", json={"query": VERSION, "variables": {"id": organisation_id}})).json()
    return {"organisationId": organisation_id, "expectedVersion": read["data"]["organisation"]["version"],
            "reason": "membership criteria no longer met", "clientMutationId": cmid}


async def _send(client: httpx.AsyncClient, given: dict) -> dict | None:
    answer = (await client.post("/graphql", json={"query": NOTICE, "variables": {"input": given}})).json()
    return (answer.get("data") or {}).get("recordRemovalNotice")


async def _notice(client: httpx.AsyncClient, organisation_id: str, cmid: str | None = None) -> dict | None:
    return await _send(client, await _given(client, organisation_id, cmid))


async def test_staff_record_a_removal_notice_and_the_primary_gets_a_mail(ferretdb, smtp_server):
    name = "test_story_removal"
    async with directory_copy(ferretdb, name) as database:
        key = await api_keys.issue(database, "story", Role.STAFF, None)
        server = Server(_environment(ferretdb, name, smtp_server.url))
        try:
            server.start()
            async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": key.secret_key},
                                         timeout=WAIT_SECONDS) as client:
                assert (await _notice(client, "org_helix"))["userErrors"] == []
                [mail] = await _until(lambda: _async(smtp_server.received), "the Primary's mail")
                metrics = await _until(lambda: _sent_in_metrics(client), "SENT in /metrics")
        finally:
            server.stop()
    earliest = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()  # removal_notice_days' default
    assert mail.recipients == ("priya@helix.example",)
    assert mail.message["To"] == "Priya Raman <priya@helix.example>"
    assert mail.message["From"] == MAIL_FROM
    # (Python's parser keeps the space of a folded first line: unfolded, the header is the same.)
    assert mail.message["Subject"].strip() == "Helix Genomics Ltd.: notice of removal from the directory's membership"
    assert mail.message["Message-ID"] == f"<{mail.notification_id}@memberdir>"
    text, html = mail.part("plain"), mail.part("html")
    for body in (text, html):
        assert "Dear Priya Raman" in body
        assert f"removed on {earliest}" in re.sub(r"(<[^>]+>|\s)+", " ", body).replace(" at the earliest", "")
        assert "staff@directory.example" in body  # whom to contact
    assert 'href="mailto:staff@directory.example"' in html
    assert 'memberdir_notifications{state="SENT"} 1.0' in metrics


async def _async(value):
    return value


async def _sent_in_metrics(client: httpx.AsyncClient) -> str | None:
    text = (await client.get("/metrics")).text
    return text if 'memberdir_notifications{state="SENT"} 1.0' in text else None


# (b) The kill test.

ORGANISATIONS = tuple(PRIMARIES)
ACKNOWLEDGED_BEFORE_KILL = 6
ACKNOWLEDGED_AFTER_RESTART = 4


@dataclass
class Tally:
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (clientMutationId, organisation)
    in_doubt: list[tuple[str, str, dict]] = field(default_factory=list)  # (..., the input sent)


async def _writer(client: httpx.AsyncClient, organisation_id: str, tally: Tally, stop: asyncio.Event,
                  label: str) -> None:
    step = 0
    while not stop.is_set():
        step += 1
        cmid = f"{label}-{organisation_id}-{step}"
        try:
            given = await _given(client, organisation_id, cmid)
        except (httpx.TransportError, KeyError, TypeError, ValueError):
            if stop.is_set():
                return
            await asyncio.sleep(0.1)
            continue
        try:
            payload = await _send(client, given)
        except (httpx.TransportError, ValueError):
            tally.in_doubt.append((cmid, organisation_id, given))  # killed mid-answer
            if stop.is_set():
                return
            await asyncio.sleep(0.1)
            continue
        if payload is None:  # the database was away: maybe applied, maybe not
            tally.in_doubt.append((cmid, organisation_id, given))
        elif not payload["userErrors"]:
            tally.acknowledged.append((cmid, organisation_id))
        await asyncio.sleep(0.05)


async def _write_while(client: httpx.AsyncClient, tally: Tally, label: str, condition) -> None:
    stop = asyncio.Event()
    writers = [asyncio.create_task(_writer(client, o, tally, stop, label)) for o in ORGANISATIONS]
    try:
        await _until(condition, "the writers to get that far")
    finally:
        stop.set()
        await asyncio.gather(*writers)


async def test_a_server_killed_mid_delivery_loses_no_notification(ferretdb, smtp_server):
    name = "test_story_kill"
    async with directory_copy(ferretdb, name) as database:
        key = await api_keys.issue(database, "kill", Role.STAFF, None)
        environment = _environment(ferretdb, name, smtp_server.url, MEMBERDIR_WRITE_LEASE_SECONDS="1",
                                   MEMBERDIR_DELIVERY_LEASE_SECONDS="2", MEMBERDIR_DELIVERY_BACKOFF_SECONDS="0.5")
        server = Server(environment)
        tally = Tally()
        headers = {"X-API-Key": key.secret_key}
        try:
            server.start()
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
                stop = asyncio.Event()
                writers = [asyncio.create_task(_writer(client, o, tally, stop, "before"))
                           for o in ORGANISATIONS]

                async def some_sent() -> bool:
                    return len(tally.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL and len(smtp_server.received) >= 2

                await _until(some_sent, "acknowledged notices and their first mails")
                # The next mail's DATA is held unanswered: the server is then mid-delivery.
                smtp_server.handler.hold()
                await _until(lambda: _async(smtp_server.handler.holding.is_set()), "a delivery in flight")
                server.kill()
                smtp_server.handler.release()
                stop.set()
                await asyncio.gather(*writers)
            killed_with = len(tally.acknowledged)
            server.start()
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
                # What the kill cut off is asked again with the same clientMutationId (applied once).
                for cmid, organisation_id, given in tally.in_doubt:
                    payload = await _send(client, given)
                    if payload is not None and not payload["userErrors"]:
                        tally.acknowledged.append((cmid, organisation_id))

                async def more_acknowledged() -> bool:
                    return len(tally.acknowledged) >= killed_with + ACKNOWLEDGED_AFTER_RESTART

                await _write_while(client, tally, "after", more_acknowledged)
                owed = await _until(lambda: _all_delivered(database, smtp_server), "every notification's mail")
        finally:
            server.stop()
        await _check_each_acknowledged_change_was_mailed(database, tally, owed, smtp_server)


async def _all_delivered(database, smtp_server) -> dict[str, str] | None:
    """{notification id: organisation} of every applied notice, once each has arrived; None before."""
    if await database.changes.count_documents({"state": "claimed"}):
        return None
    applied = [d async for d in database.changes.find({"state": "applied", "action": "NOTICE"})]
    owed = {outbox.notification_id(d["_id"], 0): d["owner_id"] for d in applied}
    arrived = {m.notification_id for m in smtp_server.received}
    return owed if set(owed) <= arrived else None


async def _check_each_acknowledged_change_was_mailed(database, tally: Tally, owed: dict[str, str],
                                                     smtp_server) -> None:
    applied = [d async for d in database.changes.find({"state": "applied", "action": "NOTICE"})]
    keys = [d["client_key"] for d in applied if d.get("client_key")]
    assert len(keys) == len(set(keys))
    assert len(tally.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL + ACKNOWLEDGED_AFTER_RESTART
    for cmid, organisation_id in tally.acknowledged:
        # Every acknowledged change is applied, once.
        [change] = [d for d in applied if d["client_key"].endswith(changes.client_key("", cmid))]
        assert change["owner_id"] == organisation_id
        # Its notification was written with it, and arrived (at least once), to the Primary.
        notification_id = outbox.notification_id(change["_id"], 0)
        assert owed[notification_id] == organisation_id
        arrived = [m for m in smtp_server.received if m.notification_id == notification_id]
        assert arrived and all(m.message["To"] == PRIMARIES[organisation_id] for m in arrived)
    # The delivery the kill cut off was taken over once its lease ran out (a second take of one attempt).
    claims = [d["_id"] async for d in database.deliveries.find({}, projection=["_id"])]
    assert any(not claim.endswith("@0") for claim in claims), claims
    # Nothing written without its change, nothing left undelivered.
    stored = [d async for d in database.notifications.find({})]
    assert {d["_id"] for d in stored} == set(owed)
    assert {d["change_id"] for d in stored} == {d["_id"] for d in applied}
    assert all(d["state"] == "SENT" for d in stored), [(d["_id"], d["state"], d["last_error"]) for d in stored]


async def test_a_sender_killed_after_sending_and_before_recording_sends_again(ferretdb, smtp_server):
    """At least once: the process kills itself right after the SMTP server accepted the mail
    (datastore.faults, delivery_after_send); restarted, the attempt's lease runs out and
    the mail goes again, the same message (one Message-ID), and is then recorded SENT once."""
    name = "test_story_resend"
    async with directory_copy(ferretdb, name) as database:
        key = await api_keys.issue(database, "resend", Role.STAFF, None)
        settings = {"MEMBERDIR_DELIVERY_LEASE_SECONDS": "2"}
        dying = Server(_environment(ferretdb, name, smtp_server.url, MEMBERDIR_FAULT_POINTS="delivery_after_send=kill",
                                    **settings))
        try:
            dying.start()
            async with httpx.AsyncClient(base_url=dying.url, headers={"X-API-Key": key.secret_key},
                                         timeout=WAIT_SECONDS) as client:
                assert (await _notice(client, "org_lagos"))["userErrors"] == []
            await _until(lambda: _async(dying.process.poll() is not None), "the sender to kill itself")
        finally:
            dying.stop()
        [first] = smtp_server.received
        [stored] = [d async for d in database.notifications.find({})]
        assert stored["state"] == "PENDING" and stored["attempts"] == 0  # sent, never recorded
        again = Server({**dying.environment, "MEMBERDIR_FAULT_POINTS": ""}, port=dying.port)
        try:
            again.start()

            async def recorded():
                found = await database.notifications.find_one({"_id": stored["_id"]})
                return found if found["state"] == "SENT" else None

            sent = await _until(recorded, "the attempt made again and recorded")
        finally:
            again.stop()
    mails = smtp_server.received
    assert len(mails) == 2 and {m.notification_id for m in mails} == {stored["_id"]}
    assert mails[0].message["Message-ID"] == mails[1].message["Message-ID"] == f"<{stored['_id']}@memberdir>"
    assert first.message["To"] == "Chidi Okafor <chidi@lagos.example>"
    assert sent["attempts"] == 1 and sent["last_error"] is None


async def test_without_an_smtp_server_mail_is_an_eml_file_under_the_data_folder(ferretdb, tmp_path):
    name = "test_story_eml"
    async with directory_copy(ferretdb, name) as database:
        key = await api_keys.issue(database, "eml", Role.STAFF, None)
        environment = _environment(ferretdb, name, "", MEMBERDIR_DATA_DIR=str(tmp_path / "var"))
        environment.pop("MEMBERDIR_SMTP_URL")
        server = Server(environment)
        try:
            server.start()
            async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": key.secret_key},
                                         timeout=WAIT_SECONDS) as client:
                assert (await _notice(client, "org_victoria"))["userErrors"] == []
            [written] = await _until(lambda: _async(list((tmp_path / "var").glob("*/outbox/*.eml"))), "an .eml file")
        finally:
            server.stop()
    message = email.message_from_bytes(written.read_bytes(), policy=default)
    assert message["To"] == "Mia Wilson <mia@health.vic.example>"
    assert "Dear Mia Wilson" in message.get_body(preferencelist=("plain",)).get_content()
    assert written.parent.parent.name == Settings(_env_file=None).engine  # var/<engine>/outbox/
