"""Erasure means gone: after erasePerson no value of the person is anywhere in the
database, their credentials are refused at once, they hold no role, subscription or
tenure, and an ACTIVE organisation whose Primary they were waits in the staff's queue."""

import random
import string
from datetime import UTC, datetime, timedelta

import pytest
from httpx import ASGITransport, AsyncClient
from hypothesis import given
from hypothesis import strategies as st

from datastore import api_keys as stored_keys
from datastore import contacts, erasure, people, rosters, writes
from datastore.client import _COLLECTIONS
from datastore.indexes import INDEXES
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import Settings
from resolvers.viewer import Viewer
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy
from tests.erasure_helpers import erased_values_found, erasure_problems, primary_problems
from tests.security.test_auth import jwks_url  # noqa: F401  (the issuer's keys, served on loopback)

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ERRORS = "userErrors { field message code }"


def _mutation(name: str, payload: str) -> str:
    kind = name[0].upper() + name[1:]
    return f"mutation($input: {kind}Input!) {{ {name}(input: $input) {{ {payload} {ERRORS} }} }}"


CREATE_PERSON = _mutation("createPerson", "person { id version }")
UPDATE_ORGANISATION = _mutation("updateOrganisation", "organisation { id version }")
ASSIGN = _mutation("assignRoleContact", "organisation { id version }")
ADD_ROSTER = _mutation("addRosterEntry", "entry { id version }")
SET_COMMUNICATIONS = _mutation("setCommunications", "person { id version }")
APPLY = _mutation("applyForIndividualMembership", "person { id version }")
UPDATE_GROUP = _mutation("updateWorkingGroup", "workingGroup { id version }")
CANCEL = _mutation("cancelMembership", "organisation { id version status }")
ERASE = _mutation("erasePerson", "person { id version name email orcid }")
NEEDS_PRIMARY = "{ organisationsNeedingPrimary { id } }"


def _orcid(rng: random.Random) -> str:
    """A well-formed ORCID with its ISO 7064 11,2 check digit."""
    digits = "".join(rng.choice(string.digits) for _ in range(15))
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


class Someone:
    """A person with generated names no other record has ("Zyxq Quorvath")."""

    def __init__(self, rng: random.Random):
        def word() -> str:
            return "Zq" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(6))

        self.given, self.family = word(), word().capitalize()
        self.email = f"{self.given}.{self.family}@lab{rng.randrange(1000)}.example".lower()
        self.orcid = _orcid(rng)

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def values(self) -> list[str]:
        return [self.full_name, self.given, self.family, self.email, self.orcid]


@pytest.fixture
async def db(ferretdb):
    async with directory_copy(ferretdb, "test_erasure") as database:
        yield database


@pytest.fixture
def run(schema, db) -> Run:
    return Run(schema, db)


@pytest.fixture
async def http(db):
    app = create_app(Settings(), database=db)
    async with AsyncClient(transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test") as c:
        yield c


async def _ok(run: Run, query: str, **given) -> dict:
    data = await run.as_viewer(STAFF)(query, input=given)
    [payload] = data.values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def _version(db, collection: str, record_id: str) -> int:
    return (await getattr(db, collection).find_one({"_id": record_id}))["version"]


async def _set_up(run: Run, someone: Someone) -> tuple[str, str]:
    """The person, made Primary of ACTIVE org_montreal and its communications contact, on a
    roster, subscribed, applying for individual membership, with an API key, and named in
    the reasons, clientMutationIds and free text of other changes; returns (person id, key)."""
    db = run.db
    created = await _ok(run, CREATE_PERSON, givenName=someone.given, familyName=someone.family, email=someone.email,
                        orcid=someone.orcid, affiliation="org_montreal", reason=f"{someone.full_name} joins the lab")
    person_id = created["person"]["id"]
    await _ok(run, ASSIGN, organisationId="org_montreal", expectedVersion=await _version(db, "organisations", "org_montreal"),
              role="PRIMARY", personId=person_id, reason=f"Ana hands over to {someone.family}")
    await _ok(run, ASSIGN, organisationId="org_montreal", expectedVersion=await _version(db, "organisations", "org_montreal"),
              role="COMMUNICATIONS", personId=person_id, workingGroupId="grp_clinical")
    await _ok(run, ADD_ROSTER, groupId="grp_data", expectedVersion=await _version(db, "groups", "grp_data"),
              personId=person_id, role="MEMBER", reason=f"invited {someone.email}")
    await _ok(run, SET_COMMUNICATIONS, personId=person_id, expectedVersion=await _version(db, "people", person_id),
              workingGroupIds=["grp_data", "grp_variants"])
    await _ok(run, APPLY, personId=person_id, expectedVersion=await _version(db, "people", person_id),
              acceptedAgreements=ACCEPTED_AGREEMENTS, reason=f"ORCID {someone.orcid}")
    # Other records' changes that name the person, in reasons, a clientMutationId and free text...
    await _ok(run, UPDATE_ORGANISATION, id="org_helix", expectedVersion=await _version(db, "organisations", "org_helix"),
              patch={"city": "Hinxton"}, reason=f"asked by {someone.full_name.upper()} <{someone.email}>",
              clientMutationId=f"helix-{someone.email}")
    await _ok(run, UPDATE_GROUP, id="grp_variants", expectedVersion=await _version(db, "groups", "grp_variants"),
              patch={"description": f"Variant curation, convened by {someone.full_name}; ask {someone.given}."})
    await _ok(run, APPLY, personId="per_zoe", expectedVersion=await _version(db, "people", "per_zoe"),
              acceptedAgreements=ACCEPTED_AGREEMENTS, reason=f"recommended by {someone.given}")
    # ...and records that hold the names only as parts of longer words, which stay.
    await _ok(run, UPDATE_ORGANISATION, id="org_lagos", expectedVersion=await _version(db, "organisations", "org_lagos"),
              patch={"name": f"{someone.given}ara Genomics"}, reason=f"the {someone.family}ian rename")
    issued = await api_keys.issue(db, f"{someone.given}'s laptop", Role.MEMBER, person_id=person_id)
    return person_id, issued.secret_key


async def _as_key(http: AsyncClient, key: str, query: str, **variables):
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers={"x-api-key": key})


async def test_after_erasure_no_value_of_the_person_is_anywhere_and_their_key_is_refused(run, http):
    db, someone = run.db, Someone(random.Random(22))
    person_id, key = await _set_up(run, someone)
    helix = await db.changes.find_one({"owner_id": "org_helix"})
    assert set(await erased_values_found(db, someone.values)) >= {
        f"{someone.email!r} in changes/{helix['_id']}", f"{someone.full_name!r} in groups/grp_variants",
        f"{someone.given!r} in api_keys/{key.split('_')[1]}",
    }
    answered = await _as_key(http, key, "{ viewer { role } }")
    assert answered.status_code == 200 and answered.json()["data"]["viewer"]["role"] == "member"
    assert "org_montreal" not in {o["id"] for o in (await run.as_viewer(STAFF)(NEEDS_PRIMARY))["organisationsNeedingPrimary"]}

    erased = await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id),
                       reason=f"request from {someone.email} (ticket of {someone.full_name})")
    assert erased["person"] == {"id": person_id, "version": erased["person"]["version"], "name": "Erased person",
                                "email": None, "orcid": None}

    # Nothing of the person anywhere: every document of every collection, as raw BSON.
    assert await erased_values_found(db, someone.values) == []
    assert await erasure_problems(db, person_id, someone.values) == []
    # Words that merely contain the names stay.
    assert (await db.organisations.find_one({"_id": "org_lagos"}))["name"] == f"{someone.given}ara Genomics"
    assert await db.changes.find_one({"reason": f"the {someone.family}ian rename"}) is not None
    # Where the names stood, the text says so.
    described = "Variant curation, convened by [erased]; ask [erased]."
    assert (await db.groups.find_one({"_id": "grp_variants"}))["description"] == described
    # The audit log still agrees with the record it describes.
    [change] = [c async for c in db.changes.find({"owner_id": "grp_variants"})]
    assert [f["after"] for f in change["fields"] if f["field"] == "description"] == [described]
    assert (await db.changes.find_one({"_id": helix["_id"]}))["reason"] == "asked by [erased] <[erased]>"

    # The key is refused at once, for reads and for each change it made before.
    refused = [
        await _as_key(http, key, "{ viewer { role } }"),
        await _as_key(http, key, UPDATE_ORGANISATION, input={"id": "org_montreal", "expectedVersion": await _version(
            db, "organisations", "org_montreal"), "patch": {"city": "Laval"}}),
        await _as_key(http, key, CREATE_PERSON, input={"givenName": "Bo", "familyName": "Ng", "affiliation": "org_montreal"}),
        await _as_key(http, key, CANCEL, input={"organisationId": "org_montreal", "expectedVersion": await _version(
            db, "organisations", "org_montreal")}),
    ]
    assert [r.status_code for r in refused] == [401] * 4
    assert all("revoked API key" in r.text for r in refused)
    [stored_key] = [k for k in await stored_keys.every(db) if k.person_id == person_id]
    assert stored_key.revoked
    montreal = await db.organisations.find_one({"_id": "org_montreal"})
    assert montreal["status"] == "ACTIVE" and montreal["city"] != "Laval"

    # No role, subscription, membership or tenure going forward; the history stays, anonymous.
    assert await contacts.by_people(db, [person_id]) == []
    [record] = await people.by_ids(db, [person_id])
    assert record.erased and record.communications == () and record.affiliation_id is None
    assert record.individual_membership.status.value == "CANCELLED"
    [tenure] = await rosters.by_people(db, [person_id])
    assert tenure.until == datetime.now(UTC).date()

    # The organisation has no Primary, and staff see it in their queue; nobody else does.
    assert await primary_problems(db) == []
    assert "org_montreal" in {o["id"] for o in (await run.as_viewer(STAFF)(NEEDS_PRIMARY))["organisationsNeedingPrimary"]}
    [forbidden] = await run.as_viewer(ANA).errors(NEEDS_PRIMARY)
    assert forbidden.extensions["code"] == "FORBIDDEN"


async def test_an_erased_persons_credentials_give_no_rights_even_before_their_key_is_revoked(run, http):
    """What refuses the key is the person's erasure itself, not only the revocation written with it."""
    db, someone = run.db, Someone(random.Random(7))
    person_id, key = await _set_up(run, someone)
    await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id), reason="request")
    await db.api_keys.update_many({"person_id": person_id}, {"$set": {"revoked_at": None}})
    assert (await _as_key(http, key, "{ viewer { role } }")).status_code == 401
    # A signed-in caller who is the erased person acts as nobody in particular.
    erased = Viewer(role=Role.MEMBER, person_id=person_id, credential="oidc:erased")
    data = await run.as_viewer(erased)(UPDATE_ORGANISATION, input={
        "id": "org_montreal", "expectedVersion": await _version(db, "organisations", "org_montreal"),
        "patch": {"city": "Laval"}})
    assert data["updateOrganisation"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_erasing_again_is_refused(run):
    db, someone = run.db, Someone(random.Random(3))
    person_id, _ = await _set_up(run, someone)
    await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id), reason="request")
    data = await run.as_viewer(STAFF)(ERASE, input={"personId": person_id, "reason": "again",
                                                     "expectedVersion": await _version(db, "people", person_id)})
    assert data["erasePerson"]["userErrors"][0]["code"] == "CONFLICT"


async def test_an_erasure_scrubs_refusals_kept_for_retries(run):
    """A refusal kept for a clientMutationId's retries holds its errors, each with the
    input path at fault (a list), as `field`: the scrub reads past it (the property
    test's long run found an erasure failing on one)."""
    db, someone = run.db, Someone(random.Random(11))
    person_id, _ = await _set_up(run, someone)
    refused = await run.as_viewer(STAFF)(UPDATE_ORGANISATION, input={
        "id": "org_helix", "expectedVersion": 1, "patch": {"city": "Oxford"}, "clientMutationId": "stale-helix"})
    assert refused["updateOrganisation"]["userErrors"][0]["code"] == "STALE_VERSION"
    assert await db.client[db.name].calls.count_documents({"answer.errors.field": {"$exists": True}}) == 1
    await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id), reason="request")
    assert await erased_values_found(db, someone.values) == []


async def test_every_collection_is_scrubbed_or_says_why_it_holds_no_free_text(run):
    someone = Someone(random.Random(5))
    await _set_up(run, someone)
    known = set(INDEXES) | set(_COLLECTIONS) | set(await run.db.client[run.db.name].list_collection_names())
    covered = {f.collection for f in erasure.SCRUBBED} | set(erasure.NOT_SCRUBBED)
    assert known <= covered, f"say how erasure treats {sorted(known - covered)} (datastore.erasure)"


@pytest.mark.parametrize("text, value, found", [
    ("Banana Genomics", "Ana", False),
    ("asked ANA, then left", "Ana", True),
    ("Ａｎａ Lima", "ana lima", True),  # full-width letters fold to the same tokens
    ("Ana-Lima", "Ana Lima", True),
    ("Jose\u0301 Lima", "JOSÉ LIMA", True),  # an accent kept apart is still part of its letter
    ("Analima", "Ana Lima", False),
    ("write to ana.lima@x.example.", "ana.lima@x.example", True),
    ("per_analima_3f9a", "Ana", False),
])
def test_values_match_as_whole_case_folded_tokens(text, value, found):
    assert erasure.contains(text, [erasure.tokens(value)]) is found


def test_scrubbing_replaces_only_the_matches():
    sequences = [erasure.tokens("Ana Lima"), erasure.tokens("ana.lima@x.example")]
    assert erasure.scrubbed_text("Ana Lima (ana.lima@x.example) of Banana Inc", sequences) == \
        "[erased] ([erased]) of Banana Inc"


async def test_an_erasure_cut_off_while_applied_is_completed_by_recovery(run, monkeypatch):
    """Killed after the placeholder was written and before the rest: the change stays
    claimed, its plan holding the values to erase; recovery revokes the key, ends the
    tenure on the erasure's day, completes the scrub and drops the values."""
    db, someone = run.db, Someone(random.Random(11))
    person_id, key = await _set_up(run, someone)

    async def killed(*_):
        raise RuntimeError("killed")

    monkeypatch.setattr(erasure, "complete", killed)
    await run.as_viewer(STAFF).errors(ERASE, input={"personId": person_id, "reason": f"asked by {someone.email}",
                                                     "expectedVersion": await _version(db, "people", person_id)})
    monkeypatch.undo()
    assert (await people.by_ids(db, [person_id]))[0].erased
    assert await erased_values_found(db, someone.values) != []
    assert (await rosters.by_people(db, [person_id]))[0].until is None
    assert await writes.recover(db, lease=timedelta(0)) == 1
    assert await erasure_problems(db, person_id, someone.values) == []
    assert (await rosters.by_people(db, [person_id]))[0].until == datetime.now(UTC).date()


async def test_staff_assigning_a_primary_takes_the_organisation_out_of_the_queue(run):
    db, someone = run.db, Someone(random.Random(13))
    person_id, _ = await _set_up(run, someone)
    await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id), reason="request")
    queue = {o["id"] for o in (await run.as_viewer(STAFF)(NEEDS_PRIMARY))["organisationsNeedingPrimary"]}
    assert "org_montreal" in queue
    await _ok(run, ASSIGN, organisationId="org_montreal", expectedVersion=await _version(db, "organisations", "org_montreal"),
              role="PRIMARY", personId="per_ana")
    after = {o["id"] for o in (await run.as_viewer(STAFF)(NEEDS_PRIMARY))["organisationsNeedingPrimary"]}
    assert after == queue - {"org_montreal"}


async def test_what_the_process_keeps_in_memory_is_forgotten_when_an_erasure_is_applied(run):
    from graphql import parse

    from datastore import generations
    from memberdir.execution.document_cache import KnownDocuments
    from memberdir.execution.memo import Memo

    db, someone = run.db, Someone(random.Random(17))
    person_id, _ = await _set_up(run, someone)
    query = f'{{ people(filter: {{search: "{someone.family}"}}) {{ nodes {{ id }} }} }}'
    known, memo = KnownDocuments(), Memo()
    known.add(query, {}, parse(query))
    memo.get((query, someone.email), lambda: 1)
    generations.KEPT.put("token", ("people", someone.email), [person_id])
    await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id), reason="request")
    assert known.get(query, {}) is None and len(memo) == 0
    assert generations.KEPT.get("token", ("people", someone.email)) is generations.ABSENT


async def test_a_token_of_an_erased_person_is_refused_at_once(run, db, jwks_url):
    from tests.security_helpers import client_for
    from tests.security.test_auth import AUDIENCE, ISSUER, bearer, token

    someone = Someone(random.Random(19))
    person_id, _ = await _set_up(run, someone)
    settings = Settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=jwks_url,
                        oidc_person_claim="person", oidc_person_match="id")
    signed_in = bearer(token(person=person_id))
    async with client_for(db, settings) as client:
        before = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=signed_in)
        assert before.status_code == 200
        await _ok(run, ERASE, personId=person_id, expectedVersion=await _version(db, "people", person_id),
                  reason="request")
        after = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=signed_in)
        assert after.status_code == 401 and "this person's record was erased" in after.text


_WORDS = st.text(alphabet=st.sampled_from("anblimÁáＡ0-1é\u0301"), min_size=1, max_size=6)
_TEXTS = st.lists(st.one_of(_WORDS, st.sampled_from([" ", ".", "@", "_", ", ", "-", "Banana"])), max_size=12).map("".join)


@given(text=_TEXTS, value=_WORDS.filter(lambda v: bool(erasure.tokens(v))))
def test_a_scrubbed_text_holds_the_value_nowhere_and_keeps_what_did_not_match(text, value):
    sequences = [erasure.tokens(value)]
    scrubbed = erasure.scrubbed_text(text, sequences)
    assert not erasure.contains(scrubbed, sequences) or "erased" in erasure.tokens(value)
    assert erasure.scrubbed_text(scrubbed, sequences) == scrubbed
    if not erasure.contains(text, sequences):
        assert scrubbed == text
