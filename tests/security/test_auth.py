"""Authentication: API keys and OpenID Connect tokens; bad credentials get 401, never less data."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.settings import Settings
from tests.security_helpers import assert_still_serves, client_for, error_codes, messages

ISSUER, AUDIENCE, KID = "https://aai.test.example", "memberdir", "test-key-1"
EMAILS = '{ people(first: 100) { nodes { id email } } }'


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


SIGNING_KEY, OTHER_KEY = _new_key(), _new_key()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """The issuer's JWKS, served on loopback only."""
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": KID, "use": "sig", "alg": "ES256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
async def client(directory, jwks_url):
    settings = Settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=jwks_url)
    async with client_for(directory, settings) as http:
        yield http


def token(key=SIGNING_KEY, algorithm="ES256", kid=KID, **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 300} | claims
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid})


def hs256_with_public_key() -> str:
    """The classic confusion attack: HMAC keyed with the issuer's (public) key.
    PyJWT refuses to make one, so it is built by hand."""
    public = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2**40}
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")  # noqa: E731
    signed = encode({"alg": "HS256", "typ": "JWT", "kid": KID}) + b"." + encode(claims)
    signature = base64.urlsafe_b64encode(hmac.new(public, signed, hashlib.sha256).digest()).rstrip(b"=")
    return (signed + b"." + signature).decode()


def bearer(credential: str) -> dict[str, str]:
    return {"authorization": f"Bearer {credential}"}


async def emails(client, headers: dict[str, str]) -> dict[str, str | None]:
    response = await client.post("/graphql", json={"query": EMAILS}, headers=headers)
    assert response.status_code == 200, response.text
    return {n["id"]: n["email"] for n in response.json()["data"]["people"]["nodes"]}


async def assert_refused(client, headers: dict[str, str], reason: str) -> None:
    response = await client.post("/graphql", json={"query": EMAILS}, headers=headers)
    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"] and messages(response) == reason
    assert response.headers["www-authenticate"] == f'Bearer error="invalid_token", error_description="{reason}"'
    await assert_still_serves(client)


async def test_anonymous_callers_see_no_addresses(client):
    assert set((await emails(client, {})).values()) == {None}


async def test_a_valid_token_is_a_member(client):
    seen = await emails(client, bearer(token()))
    assert seen["per_jean"] == "jf.cote@umontreal.example" and seen["per_tom"] is None


async def test_the_role_claim_gives_the_highest_known_role(client):
    seen = await emails(client, bearer(token(memberdir_role=["member", "staff", "wizard"])))
    assert seen["per_tom"] == "tom@helix.example"


@pytest.mark.parametrize("claim", ["STAFF", "Staff", ["MEMBER", "STAFF"]])
async def test_role_names_are_matched_whatever_their_case(client, claim):
    seen = await emails(client, bearer(token(memberdir_role=claim)))
    assert seen["per_tom"] == "tom@helix.example"


async def test_a_role_name_of_another_spelling_is_still_unknown(client):
    seen = await emails(client, bearer(token(memberdir_role="staf f")))
    assert seen["per_tom"] is None


async def test_a_verified_email_makes_the_token_that_person(client):
    seen = await emails(client, bearer(token(email="tom@helix.example", email_verified=True)))
    assert seen["per_tom"] == "tom@helix.example"
    unverified = await emails(client, bearer(token(email="tom@helix.example", email_verified=False)))
    assert unverified["per_tom"] is None


async def test_an_email_claim_that_is_an_operator_matches_nobody(client):
    seen = await emails(client, bearer(token(email={"$ne": ""}, email_verified=True)))
    assert seen["per_tom"] is None


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: token(key=OTHER_KEY), "bad token signature"),
        (lambda: token(exp=int(time.time()) - 3600), "token expired"),
        (lambda: token(aud="someone-else"), "token for another audience"),
        (lambda: token(iss="https://evil.example"), "token from another issuer"),
        (lambda: token(nbf=int(time.time()) + 3600), "token not yet valid"),
        (lambda: token(exp=None), "token lacks a required claim"),
        (lambda: token(kid="rotated-away"), "unknown signing key"),
        (lambda: jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2**40}, None, algorithm="none",
                            headers={"kid": KID}), "token algorithm not allowed"),
        (lambda: hs256_with_public_key(), "token algorithm not allowed"),
        (lambda: "not.a.token", "malformed token"),
    ],
    ids=["forged", "expired", "wrong-audience", "wrong-issuer", "not-yet-valid", "no-expiry", "unknown-kid",
         "alg-none", "hs256-with-public-key", "garbage"],
)
async def test_bad_tokens_are_refused(client, make, reason):
    await assert_refused(client, bearer(make()), reason)


async def test_tokens_are_refused_where_no_issuer_is_configured(directory):
    async with client_for(directory) as http:
        await assert_refused(http, bearer(token()), "bearer tokens are not accepted: no OpenID Connect issuer is configured")


async def test_other_schemes_are_refused(client):
    await assert_refused(client, {"authorization": "Basic dXNlcjpwYXNz"}, "use Authorization: Bearer <key or token>")


@pytest.fixture(scope="module")
async def member_key(directory) -> str:
    return (await api_keys.issue(directory, "dashboard", Role.MEMBER)).secret_key


async def test_a_member_key_in_either_header(client, member_key):
    for headers in ({"x-api-key": member_key}, bearer(member_key)):
        seen = await emails(client, headers)
        assert seen["per_jean"] == "jf.cote@umontreal.example" and seen["per_tom"] is None


async def test_a_key_acting_for_an_organisations_primary(client, directory):
    issued = await api_keys.issue(directory, "helix admin tool", Role.MEMBER, person_id="per_priya")
    seen = await emails(client, {"x-api-key": issued.secret_key})
    # Helix's Signer shows his address to staff only; Priya, its Primary, sees what a member sees.
    assert seen["per_tom"] is None and seen["per_priya"] == "priya@helix.example"


async def test_only_a_salted_hash_is_stored(directory):
    issued = await api_keys.issue(directory, "roster sync", Role.STAFF)
    stored = await directory.api_keys.find_one({"_id": issued.record.id})
    # Not split at the last "_": the secret is URL-safe base64, which may hold one.
    secret = issued.secret_key.removeprefix(f"{api_keys.PREFIX}{issued.record.id}_")
    assert len(secret) == 43
    assert secret not in json.dumps(stored, default=str) and stored["salt"] and len(stored["hash"]) == 64


async def test_a_revoked_key_is_refused(client, directory):
    issued = await api_keys.issue(directory, "old sync", Role.STAFF)
    assert (await emails(client, {"x-api-key": issued.secret_key}))["per_tom"] == "tom@helix.example"
    assert await api_keys.revoke(directory, issued.record.id)
    await assert_refused(client, {"x-api-key": issued.secret_key}, "revoked API key")
    await assert_refused(client, bearer(issued.secret_key), "revoked API key")


async def test_unknown_and_malformed_keys_are_refused(client, member_key):
    key_id = member_key.split("_")[1]
    await assert_refused(client, {"x-api-key": f"mdk_{key_id}_{'A' * 43}"}, "unknown API key")
    await assert_refused(client, {"x-api-key": f"mdk_{'0' * 16}_{'A' * 43}"}, "unknown API key")
    await assert_refused(client, {"x-api-key": "mdk_{\"$ne\": null}"}, "malformed API key")


async def test_two_credentials_are_refused(client, member_key):
    headers = {"x-api-key": member_key} | bearer(token())
    await assert_refused(client, headers, "send one credential, not both Authorization and X-API-Key")


async def test_credentials_that_cannot_be_checked_get_503_not_401(member_key):
    from datastore.client import connect

    unreachable = connect("mongodb://127.0.0.1:9/?directConnection=true", "nowhere", timeout_ms=200)
    async with client_for(unreachable) as http:
        response = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"x-api-key": member_key})
    await unreachable.close()
    assert response.status_code == 503 and error_codes(response) == ["DATABASE_UNAVAILABLE"]


async def test_the_viewer_is_told_who_the_issuer_says_signed_in(client):
    async def signed_in_as(headers: dict[str, str]):
        response = await client.post("/graphql", json={"query": "{ viewer { signedInAs } }"}, headers=headers)
        return response.json()["data"]["viewer"]["signedInAs"]

    assert await signed_in_as(bearer(token(email="ana@staff.example", memberdir_role="staff"))) == "ana@staff.example"
    assert await signed_in_as(bearer(token(sub="user-42"))) == "user-42"
    assert await signed_in_as({}) is None
