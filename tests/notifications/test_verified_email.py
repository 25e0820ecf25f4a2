"""Verified e-mail, the story: a person changes their e-mail; the new address receives
a link, and only when it is followed does the address change; the old address
receives a note; no answer ever says whether an address is used by someone else.

What the directory owes is asserted on the outbox rows (datastore.outbox), which are
written in the same claimed change as the request itself."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import re

import pytest

from datastore import email_verification, erasure, people, unique_keys
from datastore.records.vocabulary import NotificationKind, Role
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import Run, directory_copy
from tests.notifications.conftest import deliver_until

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
# tests/data/directory.json: Ana is Primary of org_montreal; Zoë is a member of no organisation.
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ZOE = Viewer(role=Role.MEMBER, person_id="per_zoe", credential="oidc:zoe")
OLD, NEW, PRIYAS = "zoe@mueller.example", "zoe@new.example", "priya@helix.example"

PERSON = "person { id version email pendingEmail { address requestedAt expiresAt } }"
ERRORS = "userErrors { field message code }"
UPDATE = f"mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ {PERSON} {ERRORS} }} }}"
CREATE = f"mutation($input: CreatePersonInput!) {{ createPerson(input: $input) {{ {PERSON} {ERRORS} }} }}"
VERIFY = f"mutation($input: VerifyEmailInput!) {{ verifyEmail(input: $input) {{ person {{ id email }} {ERRORS} }} }}"
ERASE = f"mutation($input: ErasePersonInput!) {{ erasePerson(input: $input) {{ person {{ id }} {ERRORS} }} }}"


@pytest.fixture
async def run(ferretdb, schema):
    async with directory_copy(ferretdb, "test_verified_email") as db:
        yield Run(schema, db)


async def _person(run: Run, person_id: str) -> people.Person:
    return (await people.by_ids(run.db, [person_id]))[0]


async def _owed(run: Run, person_id: str, kind: NotificationKind = NotificationKind.EMAIL_VERIFICATION) -> list[dict]:
    """The outbox's mails of one kind about the person, oldest first (one change's rows share a time)."""
    return [d async for d in run.db.notifications.find(
        {"record_id": person_id, "channel": "EMAIL", "kind": kind.value}, sort=[("created_at", 1), ("_id", 1)])]


async def _note(run: Run, person_id: str) -> list[dict]:
    return await _owed(run, person_id, NotificationKind.EMAIL_CHANGE_REQUESTED)


def _token(row: dict) -> str:
    [token] = parse_qs(urlparse(row["values"]["link"]).query)["token"]
    return token


async def _ask(run: Run, viewer: Viewer, person_id: str, address: str) -> dict:
    version = (await _person(run, person_id)).version
    data = await run.as_viewer(viewer)(UPDATE, input={"id": person_id, "expectedVersion": version,
                                                     "patch": {"email": address}})
    return data["updatePerson"]


def _shape(payload: dict, address: str) -> dict:
    """The answer with the address asked for and its times taken out: what could tell two answers apart."""
    pending = dict(payload["person"]["pendingEmail"])
    assert pending.pop("address") == address
    assert datetime.fromisoformat(pending.pop("expiresAt")) - datetime.fromisoformat(pending.pop("requestedAt")) \
        == timedelta(hours=48)
    return {**payload, "person": {**payload["person"], "pendingEmail": pending}}


async def test_a_new_address_changes_only_when_its_link_is_followed(run):
    asked = await _ask(run, ZOE, "per_zoe", NEW)
    assert asked["userErrors"] == []
    assert asked["person"]["email"] == OLD and asked["person"]["pendingEmail"]["address"] == NEW
    assert (await _person(run, "per_zoe")).email == OLD
    [link], [note] = await _owed(run, "per_zoe"), await _note(run, "per_zoe")
    # The new address gets the link; the old one a note that a change was asked for.
    assert (link["kind"], link["address"], link["template"]) == (NotificationKind.EMAIL_VERIFICATION.value, NEW,
                                                                 "email_verification")
    assert link["values"]["link"].startswith("http://127.0.0.1:8000/verify-email?token=")
    assert (note["kind"], note["address"], note["values"]["new_address"]) == (
        NotificationKind.EMAIL_CHANGE_REQUESTED.value, OLD, NEW)
    token = _token(link)
    # The token is kept only as its digest.
    stored = [d async for d in run.db.verification_tokens.find({"person_id": "per_zoe"})]
    assert [d["_id"] for d in stored] == [email_verification.digest(token)] and token not in str(stored)
    # Others never see the pending address.
    seen = await run.as_viewer(ANA)('{ person(id: "per_zoe") { pendingEmail { address } } }')
    assert seen["person"]["pendingEmail"] is None
    # Following the link (signed in or not: the link is the proof) makes it current, once.
    followed = await run.as_viewer(ANONYMOUS)(VERIFY, input={"token": token})
    assert followed["verifyEmail"]["userErrors"] == [] and followed["verifyEmail"]["person"]["id"] == "per_zoe"
    person = await _person(run, "per_zoe")
    assert person.email == NEW and person.pending_email is None
    again = await run.as_viewer(ANONYMOUS)(VERIFY, input={"token": token})
    assert [(e["field"], e["code"]) for e in again["verifyEmail"]["userErrors"]] == [(["input", "token"], "INVALID")]
    assert await run.db.verification_tokens.count_documents({"person_id": "per_zoe"}) == 0
    assert await unique_keys.violations(run.db) == []


async def test_an_address_in_use_is_answered_like_any_other_and_only_that_address_is_told(run):
    free = await _ask(run, ZOE, "per_zoe", NEW)
    taken = await _ask(run, ZOE, "per_zoe", PRIYAS)
    assert taken["userErrors"] == []
    free_shape, taken_shape = _shape(free, NEW), _shape(taken, PRIYAS)
    assert {**free_shape, "person": {**free_shape["person"], "version": None}} == \
        {**taken_shape, "person": {**taken_shape["person"], "version": None}}
    assert "priya" not in str(taken).replace(PRIYAS, "")
    told, note = (await _owed(run, "per_zoe"))[-1], (await _note(run, "per_zoe"))[-1]
    # Priya's address hears that it is on file already (no link); Zoë's own address gets the usual note.
    assert (told["address"], told["template"]) == (PRIYAS, "email_in_use") and "link" not in told["values"]
    assert (note["address"], note["kind"]) == (OLD, NotificationKind.EMAIL_CHANGE_REQUESTED.value)
    # The mails to the addresses asked for are the addresses' own, not Zoë's: her notifications
    # (datastore.outbox, Viewer.notifications) never show which one an address got.
    assert told["recipient_id"] is None
    assert [d["kind"] async for d in run.db.notifications.find({"recipient_id": "per_zoe"})] == [
        NotificationKind.EMAIL_CHANGE_REQUESTED.value] * 2
    assert (await _person(run, "per_zoe")).email == OLD
    assert (await _person(run, "per_priya")).email == PRIYAS


async def test_uniqueness_applies_when_the_address_becomes_current(run):
    await _ask(run, ZOE, "per_zoe", NEW)
    [link] = await _owed(run, "per_zoe")
    # Meanwhile staff give the address to Tom.
    tom = await _person(run, "per_tom")
    given = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_tom", "expectedVersion": tom.version,
                                                      "patch": {"email": NEW}, "reason": "Tom asked by phone"})
    assert given["updatePerson"]["userErrors"] == []
    followed = await run.as_viewer(ZOE)(VERIFY, input={"token": _token(link)})
    [error] = followed["verifyEmail"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "token"], "CONFLICT") and "Tom" not in error["message"]
    person = await _person(run, "per_zoe")
    assert person.email == OLD and person.pending_email is None
    told = (await _owed(run, "per_zoe"))[-1]
    assert (told["address"], told["template"]) == (NEW, "email_in_use")
    assert await unique_keys.violations(run.db) == []


async def test_staff_set_an_address_directly_and_only_with_a_reason(run):
    await _ask(run, ZOE, "per_zoe", NEW)
    version = (await _person(run, "per_zoe")).version
    bare = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_zoe", "expectedVersion": version,
                                                     "patch": {"email": "zoe@staff.example"}})
    assert [(e["field"], e["code"]) for e in bare["updatePerson"]["userErrors"]] == [(["input", "reason"], "INVALID")]
    done = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_zoe", "expectedVersion": version, "reason": "by phone",
                                                     "patch": {"email": "zoe@staff.example"}})
    assert done["updatePerson"]["userErrors"] == []
    assert done["updatePerson"]["person"]["email"] == "zoe@staff.example"
    assert done["updatePerson"]["person"]["pendingEmail"] is None  # the request asked before ends
    taken = await run.as_viewer(STAFF)(UPDATE, input={"id": "per_zoe", "expectedVersion": version + 1,
                                                      "reason": "typo", "patch": {"email": PRIYAS}})
    # Staff see every address: they are told it is taken.
    assert [e["code"] for e in taken["updatePerson"]["userErrors"]] == ["CONFLICT"]


async def test_a_colleague_created_by_a_primary_has_a_pending_address_until_they_follow_the_link(run):
    new = {"givenName": "Lea", "familyName": "Roy", "affiliation": "org_montreal"}
    fresh = await run.as_viewer(ANA)(CREATE, input={**new, "email": "lea@umontreal.example"})
    known = await run.as_viewer(ANA)(CREATE, input={**new, "givenName": "Léa", "email": PRIYAS})
    for payload in (fresh["createPerson"], known["createPerson"]):
        assert payload["userErrors"] == [] and payload["person"]["email"] is None
        assert payload["person"]["pendingEmail"] is None  # the Primary is not the colleague
    lea, other = fresh["createPerson"]["person"]["id"], known["createPerson"]["person"]["id"]
    [link] = await _owed(run, lea)
    [told] = await _owed(run, other)
    ana = await _person(run, "per_ana")
    assert (link["address"], link["template"], link["values"]["created_by"]) == (
        "lea@umontreal.example", "email_verification", ana.name)
    assert (told["address"], told["template"]) == (PRIYAS, "email_in_use")
    assert (await _person(run, other)).email is None
    followed = await run.as_viewer(ANONYMOUS)(VERIFY, input={"token": _token(link)})
    assert followed["verifyEmail"]["userErrors"] == []
    assert (await _person(run, lea)).email == "lea@umontreal.example"
    # Staff create with the address on file at once.
    staff = await run.as_viewer(STAFF)(CREATE, input={**new, "givenName": "Leo", "email": "leo@umontreal.example"})
    assert (await _person(run, staff["createPerson"]["person"]["id"])).email == "leo@umontreal.example"


async def test_a_link_is_valid_for_48_hours(run):
    await _ask(run, ZOE, "per_zoe", NEW)
    [link] = await _owed(run, "per_zoe")
    past = datetime.now(UTC) - timedelta(seconds=1)
    await run.db.people.update_one({"_id": "per_zoe"}, {"$set": {"pending_email.expires_at": past}})
    followed = await run.as_viewer(ZOE)(VERIFY, input={"token": _token(link)})
    assert [e["code"] for e in followed["verifyEmail"]["userErrors"]] == ["INVALID"]
    assert "expired" in followed["verifyEmail"]["userErrors"][0]["message"]
    assert (await _person(run, "per_zoe")).email == OLD
    unknown = await run.as_viewer(ZOE)(VERIFY, input={"token": "not-a-token"})
    assert [e["code"] for e in unknown["verifyEmail"]["userErrors"]] == ["INVALID"]


async def test_a_newer_request_replaces_the_older_link(run):
    await _ask(run, ZOE, "per_zoe", NEW)
    await _ask(run, ZOE, "per_zoe", "zoe@newer.example")
    first, second = await _owed(run, "per_zoe")
    stale = await run.as_viewer(ZOE)(VERIFY, input={"token": _token(first)})
    assert [e["code"] for e in stale["verifyEmail"]["userErrors"]] == ["INVALID"]
    ok = await run.as_viewer(ZOE)(VERIFY, input={"token": _token(second)})
    assert ok["verifyEmail"]["userErrors"] == []
    assert (await _person(run, "per_zoe")).email == "zoe@newer.example"


async def test_erasure_removes_pending_addresses_and_tokens(run):
    await _ask(run, ZOE, "per_zoe", "zoe@replaced.example")
    await _ask(run, ZOE, "per_zoe", NEW)
    version = (await _person(run, "per_zoe")).version
    erased = await run.as_viewer(STAFF)(ERASE, input={"personId": "per_zoe", "expectedVersion": version,
                                                      "reason": "erasure request"})
    assert erased["erasePerson"]["userErrors"] == []
    person = await _person(run, "per_zoe")
    assert person.erased and person.pending_email is None
    assert await run.db.verification_tokens.count_documents({"person_id": "per_zoe"}) == 0
    assert await erasure.found_anywhere(run.db, [NEW, OLD, "zoe@replaced.example"]) == []


async def test_the_story_by_mail_through_a_real_smtp_server(run, smtp_server):
    """The outbox's delivery loop sends what the request owed; the link is followed from the mail itself."""
    asked = await _ask(run, ZOE, "per_zoe", NEW)
    assert asked["userErrors"] == []
    await deliver_until(run.db, smtp_server, lambda received: len(received) >= 2)
    by_address = {r.recipients: r for r in smtp_server.received}
    assert set(by_address) == {(NEW,), (OLD,)}
    link_mail, note_mail = by_address[(NEW,)], by_address[(OLD,)]
    assert NEW in note_mail.part("plain") and "http" not in note_mail.part("plain")  # the note carries no link
    [link] = re.findall(r"http://127\.0\.0\.1:8000/verify-email\?token=[\w-]+", link_mail.part("plain"))
    assert link in link_mail.part("html")
    assert (await _person(run, "per_zoe")).email == OLD  # not before the link is followed
    followed = await run.as_viewer(ANONYMOUS)(VERIFY, input={"token": parse_qs(urlparse(link).query)["token"][0]})
    assert followed["verifyEmail"]["userErrors"] == []
    assert (await _person(run, "per_zoe")).email == NEW
    # An address in use: its owner alone hears so, and the mail has no link.
    await _ask(run, ZOE, "per_zoe", PRIYAS)
    await deliver_until(run.db, smtp_server, lambda received: any(r.recipients == (PRIYAS,) for r in received))
    [told] = [r for r in smtp_server.received if r.recipients == (PRIYAS,)]
    assert "already on file" in told.part("plain") and "token=" not in told.part("plain")
    assert "Zo" not in told.part("plain")  # not even who asked


async def test_the_link_opens_a_page_that_confirms_only_when_its_button_is_pressed(run):
    """Mail scanners open links by themselves: opening one confirms nothing."""
    from httpx import ASGITransport, AsyncClient

    from memberdir.app import create_app
    from memberdir.settings import Settings

    await _ask(run, ZOE, "per_zoe", NEW)
    [row] = await _owed(run, "per_zoe")
    token = _token(row)
    app = create_app(Settings(), database=run.db)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1:8000") as client:
        opened = await client.get(urlparse(row["values"]["link"]).path, params={"token": token})
        assert opened.status_code == 200 and 'method="post"' in opened.text and token in opened.text
        assert (await _person(run, "per_zoe")).email == OLD
        pressed = await client.post("/verify-email", data={"token": token})
        assert pressed.status_code == 200 and "confirmed" in pressed.text
        assert (await _person(run, "per_zoe")).email == NEW
        again = await client.post("/verify-email", data={"token": token})
        assert again.status_code == 400 and "not valid" in again.text


async def test_a_link_followed_twice_at_once_confirms_once(run):
    import asyncio

    await _ask(run, ZOE, "per_zoe", NEW)
    [row] = await _owed(run, "per_zoe")
    answers = await asyncio.gather(*(run.as_viewer(ANONYMOUS)(VERIFY, input={"token": _token(row)})
                                     for _ in range(4)))
    codes = sorted(e["code"] for a in answers for e in a["verifyEmail"]["userErrors"])
    assert len(codes) == 3 and set(codes) <= {"CONFLICT", "INVALID"}, answers
    assert all(e["field"] == ["input", "token"] for a in answers for e in a["verifyEmail"]["userErrors"])
    person = await _person(run, "per_zoe")
    assert person.email == NEW and person.pending_email is None and person.version == 3


async def test_one_person_asks_for_a_few_new_addresses_a_day_at_most(run):
    from resolvers.mutations.email_verification import REQUESTS_PER_DAY

    for n in range(REQUESTS_PER_DAY):
        assert (await _ask(run, ZOE, "per_zoe", f"zoe{n}@new.example"))["userErrors"] == []
    refused = await _ask(run, ZOE, "per_zoe", "zoe.more@new.example")
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", "patch", "email"], "INVALID")]
    assert len(await _owed(run, "per_zoe")) == REQUESTS_PER_DAY
