"""Webhooks: a receiver on 127.0.0.1 that verifies every request with the `standardwebhooks`
library gets each change of a replayed run of mutations, exactly once after dropping
duplicates by webhook-id, and survives being down for a while; endpoints are staff's,
their URLs are checked, a run of failures disables one and tells staff.

Deliveries are made by the outbox's loop (memberdir.notifications.loop.Deliverer), in
rounds, against the real engine; the receiver is a real HTTP server on loopback."""

import json
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from datastore import outbox, people, webhooks
from datastore.records.changes import ChangeState
from datastore.records.vocabulary import DeliveryChannel, DeliveryState, NotificationKind, Role
from datastore.webhook_urls import address_problem, url_problem
from memberdir.notifications import mail
from memberdir.notifications import webhooks as sender
from memberdir.notifications.errors import DeliveryFailed
from memberdir.notifications.loop import DeliveryConfig, Deliverer
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy
from tests.notifications.conftest import _free_port

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
ERRORS = "userErrors { field message code }"
CREATE = ("mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { "
          f"endpoint {{ id url recordTypes disabled lastDeliveryState }} secret {ERRORS} }} }}")
ROTATE = ("mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { "
          f"endpoint {{ id }} secret {ERRORS} }} }}")
DISABLE = ("mutation($input: DisableWebhookEndpointInput!) { disableWebhookEndpoint(input: $input) { "
           f"endpoint {{ id disabled }} {ERRORS} }} }}")
UPDATE_PERSON = f"mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ person {{ version }} {ERRORS} }} }}"
UPDATE_ORG = ("mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { "
              f"organisation {{ version }} {ERRORS} }} }}")
NOTICE_KEYS = {"changeId", "recordType", "recordId", "action", "version", "at", "records"}


@dataclass
class Receiver:
    """A webhook receiver on loopback: verifies every request with the library, keeps each
    verified one, and answers 500 to the first request of every id in `fail_first` (so the
    directory sends it again: a duplicate to drop)."""

    secret: str = ""
    port: int = field(default_factory=_free_port)
    verified: list[tuple[str, dict]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_first: set[str] = field(default_factory=set)
    status: int = 204
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/directory"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                payload = self.rfile.read(int(self.headers["content-length"]))
                try:
                    notice = Webhook(receiver.secret).verify(payload, dict(self.headers))
                except WebhookVerificationError as refused:
                    receiver.refused.append(str(refused))
                    self.send_response(401)
                    self.end_headers()
                    return
                message_id = self.headers["webhook-id"]
                receiver.verified.append((message_id, notice))
                if message_id in receiver.fail_first:
                    receiver.fail_first.discard(message_id)
                    self.send_response(500)
                else:
                    self.send_response(receiver.status)
                    if receiver.status in (301, 302, 307):
                        self.send_header("location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> set[str]:
        return {message_id for message_id, _ in self.verified}


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.down()


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_webhooks") as db:
        yield Run(schema, db)


def _deliverer(smtp_url: str | None = None, tmp_path=None) -> Deliverer:
    config = DeliveryConfig(lease=timedelta(seconds=30), max_attempts=20, backoff_seconds=0, backoff_max_seconds=0,
                            interval_seconds=0.1, mail_from="Directory <staff@directory.example>")
    mailer = mail.SmtpSender(smtp_url, 10) if smtp_url else mail.FileSender(tmp_path)
    return Deliverer(config, mailer)


async def _register(run: Run, url: str, **given) -> tuple[str, str]:
    made = (await run.as_viewer(STAFF)(CREATE, input={"url": url, "reason": "host institution sync", **given}))
    payload = made["createWebhookEndpoint"]
    assert payload["userErrors"] == [], payload
    assert payload["secret"].startswith("whsec_") and payload["endpoint"]["disabled"] is False
    return payload["endpoint"]["id"], payload["secret"]


async def _replay(run: Run) -> None:
    """A run of mutations by staff and by a person: people, organisations."""
    staff = run.as_viewer(STAFF)
    for country in ("IE", "FR", "DE"):
        version = (await people.by_ids(run.db, ["per_priya"]))[0].version
        done = await staff(UPDATE_PERSON, input={"id": "per_priya", "expectedVersion": version,
                                                  "patch": {"country": country}})
        assert done["updatePerson"]["userErrors"] == []
    for city in ("Basel", "Bern"):
        org = await run.db.organisations.find_one({"_id": "org_helix"})
        done = await staff(UPDATE_ORG, input={"id": "org_helix", "expectedVersion": org["version"],
                                              "patch": {"city": city}})
        assert done["updateOrganisation"]["userErrors"] == []
    version = (await people.by_ids(run.db, ["per_zoe"]))[0].version
    done = await run.as_viewer(ZOE)(UPDATE_PERSON, input={"id": "per_zoe", "expectedVersion": version,
                                                          "patch": {"familyName": "Müller-Weber"}})
    assert done["updatePerson"]["userErrors"] == []


async def _webhook_rows(run: Run, endpoint_id: str) -> list[outbox.Notification]:
    return [outbox.from_document(d) async for d in run.db.notifications.find({"endpoint_id": endpoint_id})]


async def _rounds_until(run: Run, deliverer: Deliverer, done, most: int = 200) -> None:
    """Delivery rounds until `done()` holds (bounded by a number of rounds, never by time)."""
    for _ in range(most):
        if await done():
            return
        await deliverer.round(run.db)
    assert await done(), "deliveries did not settle"


async def test_a_receiver_gets_every_change_once_verified_and_survives_being_down(run, receiver):
    endpoint_id, receiver.secret = await _register(run, receiver.url)
    await _replay(run)
    rows = await _webhook_rows(run, endpoint_id)
    changed = {d["_id"] async for d in run.db.changes.find({"state": ChangeState.APPLIED.value,
                                                             "at": {"$gte": min(r.created_at for r in rows)}})}
    # Every applied change owes the endpoint one notification, in the same claimed change.
    assert sorted(r.change_id for r in rows) == sorted(changed) and len(changed) == 6
    deliverer = _deliverer("smtp://127.0.0.1:9")  # no mail is owed here
    # Down: nothing listens. Every attempt fails and is kept for a retry.
    for _ in range(3):
        await deliverer.round(run.db)
    failing = await _webhook_rows(run, endpoint_id)
    assert all(r.state is DeliveryState.PENDING and r.attempts >= 1 and r.last_error for r in failing)
    assert (await webhooks.by_id(run.db, endpoint_id)).last_delivery_state is DeliveryState.FAILED
    # Up again, answering 500 to the first request of two changes: those come twice.
    receiver.fail_first = set(sorted(changed)[:2])
    receiver.up()

    async def all_sent() -> bool:
        return all(r.state is DeliveryState.SENT for r in await _webhook_rows(run, endpoint_id))

    await _rounds_until(run, deliverer, all_sent)
    assert receiver.refused == []  # every request verified with the library
    assert receiver.ids() == changed  # each change, once after dropping duplicates by id
    assert len(receiver.verified) == len(changed) + 2
    for message_id, notice in receiver.verified:
        assert set(notice) == NOTICE_KEYS and notice["changeId"] == message_id
        assert "Weber" not in json.dumps(notice) and "Bern" not in json.dumps(notice)  # never a value
    assert (await webhooks.by_id(run.db, endpoint_id)).last_delivery_state is DeliveryState.SENT
    assert await run.db.webhook_failures.count_documents({"endpoint_id": endpoint_id}) == 0


async def test_an_endpoint_gets_only_the_record_types_it_subscribes_to(run, receiver):
    endpoint_id, receiver.secret = await _register(run, receiver.url, recordTypes=["ORGANISATION"])
    await _replay(run)
    rows = await _webhook_rows(run, endpoint_id)
    assert len(rows) == 2 and {r.record_type.value for r in rows} == {"ORGANISATION"}


async def test_a_run_of_failures_disables_the_endpoint_and_tells_staff(run, smtp_server, monkeypatch):
    monkeypatch.setenv("MEMBERDIR_WEBHOOK_DISABLE_AFTER_FAILURES", "4")
    monkeypatch.setenv("MEMBERDIR_STAFF_EMAIL", "webmaster@directory.example")
    nobody = f"http://127.0.0.1:{_free_port()}/gone"
    endpoint_id, _ = await _register(run, nobody)
    await _replay(run)
    deliverer = _deliverer(smtp_server.url)

    async def told() -> bool:
        return any(r.message["Subject"].startswith(f"Webhook endpoint {endpoint_id}") for r in smtp_server.received)

    await _rounds_until(run, deliverer, told)
    endpoint = await webhooks.by_id(run.db, endpoint_id)
    assert endpoint.disabled and "4 failed deliveries in a row" in endpoint.disabled_why
    [mail_to_staff] = [r for r in smtp_server.received if endpoint_id in r.message["Subject"]]
    assert mail_to_staff.recipients == ("webmaster@directory.example",)
    assert nobody in mail_to_staff.part("plain")
    notices = [d async for d in run.db.notifications.find({"kind": NotificationKind.WEBHOOK_DISABLED.value})]
    assert len(notices) == 1  # once, however many deliveries failed after
    listed = await run.as_viewer(STAFF)("{ webhookEndpoints { id disabled lastDeliveryState } }")
    assert {"id": endpoint_id, "disabled": True, "lastDeliveryState": "FAILED"} in listed["webhookEndpoints"]
    # A disabled endpoint is owed nothing more.
    before = await run.db.notifications.count_documents({"endpoint_id": endpoint_id})
    await _replay(run)
    assert await run.db.notifications.count_documents({"endpoint_id": endpoint_id}) == before


async def test_only_staff_manage_endpoints_and_the_secret_is_shown_once(run, receiver):
    refused = await run.as_viewer(ZOE)(CREATE, input={"url": receiver.url})
    assert [e["code"] for e in refused["createWebhookEndpoint"]["userErrors"]] == ["FORBIDDEN"]
    errors = await run.as_viewer(ZOE).errors("{ webhookEndpoints { id } }")
    assert "FORBIDDEN" in str(errors[0].extensions)
    endpoint_id, first = await _register(run, receiver.url)
    listed = await run.as_viewer(STAFF)("{ webhookEndpoints { id url recordTypes } }")
    assert first not in str(listed) and listed["webhookEndpoints"][0]["recordTypes"]
    rotated = (await run.as_viewer(STAFF)(ROTATE, input={"id": endpoint_id}))["rotateWebhookSecret"]
    assert rotated["userErrors"] == [] and rotated["secret"].startswith("whsec_") and rotated["secret"] != first
    # Signed with the new secret from the next delivery on.
    receiver.secret = rotated["secret"]
    receiver.up()
    await _replay(run)
    deliverer = _deliverer("smtp://127.0.0.1:9")

    async def all_sent() -> bool:
        return all(r.state is DeliveryState.SENT for r in await _webhook_rows(run, endpoint_id))

    await _rounds_until(run, deliverer, all_sent)
    assert receiver.refused == [] and len(receiver.ids()) == 6
    off = (await run.as_viewer(STAFF)(DISABLE, input={"id": endpoint_id, "reason": "moved"}))["disableWebhookEndpoint"]
    assert off["endpoint"] == {"id": endpoint_id, "disabled": True}
    again = (await run.as_viewer(STAFF)(DISABLE, input={"id": endpoint_id}))["disableWebhookEndpoint"]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]


def test_urls_and_addresses_outside_development():
    assert url_problem("http://hooks.example.org/x", allow_loopback=False) == "must be an https:// URL"
    assert url_problem("https://user:pw@hooks.example.org/x", allow_loopback=False)
    assert url_problem("https://hooks.example.org/x", allow_loopback=False) is None
    assert url_problem("http://127.0.0.1:8080/x", allow_loopback=True) is None
    for refused in ("127.0.0.1", "::1", "10.1.2.3", "192.168.0.5", "172.16.0.1", "169.254.169.254", "fe80::1",
                    "224.0.0.1", "ff02::1", "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1"):
        assert address_problem(refused), refused
    assert address_problem("93.184.215.14") is None and address_problem("2606:4700::6810:84e5") is None


async def test_production_refuses_loopback_at_registration_and_at_delivery(run, receiver):
    production = run.as_viewer(STAFF)
    production_context = production._context

    def strict_context():
        context = production_context()
        context.webhook_allow_loopback = False
        return context

    production._context = strict_context
    for url, problem in ((receiver.url, "https://"), ("https://127.0.0.1/hook", "loopback"),
                         ("https://localhost/hook", "loopback")):
        made = (await production(CREATE, input={"url": url}))["createWebhookEndpoint"]
        assert [e["code"] for e in made["userErrors"]] == ["INVALID"] and problem in made["userErrors"][0]["message"]
    # An endpoint registered while its name pointed elsewhere: resolved again at delivery.
    endpoint_id, receiver.secret = await _register(run, f"https://localhost:{receiver.port}/hook")
    await _replay(run)
    [row, *_] = await _webhook_rows(run, endpoint_id)
    with pytest.raises(DeliveryFailed) as refused:
        await sender.send_webhook(run.db, row, sender.Policy(allow_loopback=False))
    assert refused.value.permanent and "loopback" in str(refused.value)
    assert receiver.verified == []


async def test_redirects_are_not_followed(run, receiver):
    endpoint_id, receiver.secret = await _register(run, receiver.url)
    receiver.status = 302
    receiver.up()
    await _replay(run)
    [row, *_] = await _webhook_rows(run, endpoint_id)
    with pytest.raises(DeliveryFailed, match="redirects are not followed"):
        await sender.send_webhook(run.db, row, sender.Policy(allow_loopback=True))
    assert len(receiver.verified) == 1  # the redirect's target was never asked


async def test_webhook_notifications_carry_no_values_and_channel_webhook(run, receiver):
    endpoint_id, _ = await _register(run, receiver.url, recordTypes=["PERSON"])
    await _replay(run)
    rows = await _webhook_rows(run, endpoint_id)
    assert {r.channel for r in rows} == {DeliveryChannel.WEBHOOK} and {r.recipient_id for r in rows} == {None}
    assert all(set(r.values) == {"recordType", "recordId", "action", "version", "records"} for r in rows)
    assert "Weber" not in str([r.values for r in rows])


# The story over a real `memberdir serve`: HTTP in, signed webhooks out.

WAIT_SECONDS = 60


async def _until(condition, what: str):
    """Wait (at most WAIT_SECONDS) for `condition()` to hold; never times how fast."""
    import asyncio

    loop = asyncio.get_running_loop()
    give_up = loop.time() + WAIT_SECONDS
    while not (found := await condition()):
        assert loop.time() < give_up, f"waited {WAIT_SECONDS}s for {what}"
        await asyncio.sleep(0.1)
    return found


async def test_the_story_over_a_real_server(ferretdb, receiver):
    """Staff register the host institution's endpoint over HTTP; a run of mutations follows while
    the receiver is down; once it is up, every change reaches it, signed, once after dropping
    duplicates by id."""
    import os

    import httpx

    from memberdir import api_keys
    from tests.writes.test_kill import Server

    name = "test_webhook_story"
    async with directory_copy(ferretdb, name) as db:
        key = await api_keys.issue(db, "story", Role.STAFF, None)
        server = Server({**os.environ, "MONGODB_URI": ferretdb.uri, "MEMBERDIR_DATABASE": name,
                         "MEMBERDIR_DELIVERY_INTERVAL_SECONDS": "0.2", "MEMBERDIR_DELIVERY_BACKOFF_SECONDS": "0.2",
                         "MEMBERDIR_DELIVERY_BACKOFF_MAX_SECONDS": "1", "MEMBERDIR_DELIVERY_MAX_ATTEMPTS": "100",
                         "MEMBERDIR_SMTP_URL": "smtp://127.0.0.1:9"})
        try:
            server.start()
            async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": key.secret_key},
                                         timeout=WAIT_SECONDS) as client:
                async def graphql(query: str, **variables) -> dict:
                    answer = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
                    assert "errors" not in answer, answer
                    return answer["data"]

                made = (await graphql(CREATE, input={"url": receiver.url, "reason": "host institution"}))
                receiver.secret = made["createWebhookEndpoint"]["secret"]
                endpoint_id = made["createWebhookEndpoint"]["endpoint"]["id"]
                for country in ("IE", "FR", "DE"):
                    version = (await people.by_ids(db, ["per_priya"]))[0].version
                    done = await graphql(UPDATE_PERSON, input={"id": "per_priya", "expectedVersion": version,
                                                               "patch": {"country": country}})
                    assert done["updatePerson"]["userErrors"] == []
                for city in ("Basel", "Bern"):
                    org = await db.organisations.find_one({"_id": "org_helix"})
                    done = await graphql(UPDATE_ORG, input={"id": "org_helix", "expectedVersion": org["version"],
                                                            "patch": {"city": city}})
                    assert done["updateOrganisation"]["userErrors"] == []
                rows = await _webhook_rows(Run(None, db), endpoint_id)
                changed = {r.change_id for r in rows}
                assert len(changed) == 5

                async def failed_for_a_while() -> bool:  # down: every change was tried and failed
                    return all(r.attempts >= 2 for r in await _webhook_rows(Run(None, db), endpoint_id))

                await _until(failed_for_a_while, "failed attempts while the receiver is down")
                receiver.fail_first = set(sorted(changed)[:1])
                receiver.up()

                async def received_all() -> bool:  # and the one answered 500 came again
                    return receiver.ids() == changed and len(receiver.verified) > len(changed)

                await _until(received_all, "every change at the receiver")
        finally:
            server.stop()
    assert receiver.refused == []
    assert len(receiver.verified) >= len(changed) + 1  # one came twice at least: dropped by its id
    assert all(set(notice) == NOTICE_KEYS for _, notice in receiver.verified)


async def test_registrations_stop_at_the_bound_the_cost_rule_counts_on(run, receiver, monkeypatch):
    """Query.webhookEndpoints is a list without arguments: its size is bounded by refusing more endpoints."""
    from resolvers import list_sizes

    already = len((await run.as_viewer(STAFF)("{ webhookEndpoints { id } }"))["webhookEndpoints"])
    monkeypatch.setattr(list_sizes, "WEBHOOK_ENDPOINTS", already + 1)
    made = (await run.as_viewer(STAFF)(CREATE, input={"url": receiver.url}))["createWebhookEndpoint"]
    assert made["userErrors"] == []
    refused = (await run.as_viewer(STAFF)(CREATE, input={"url": receiver.url}))["createWebhookEndpoint"]
    assert refused["endpoint"] is None
    assert [(e["code"], e["message"]) for e in refused["userErrors"]] == [
        ("INVALID", f"At most {already + 1} endpoints are kept, disabled ones included.")]
