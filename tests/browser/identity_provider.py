"""A small OpenID Connect issuer on loopback, for the dashboard's sign-in test.

It does what the dashboard needs of a real one and checks what a real one
checks: discovery, an authorisation endpoint that signs the test's person in
at once and sends the browser back with a code, a token endpoint that
redeems each code once, for the same client and redirect URI, and only with
the PKCE verifier whose S256 challenge came with it; and the JWKS the
directory verifies the access token with. Answers carry CORS headers, as an
issuer serving single-page apps does.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

KID = "browser-test-key"


@dataclass
class Issuer:
    url: str
    client_id: str
    audience: str
    claims: dict
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    codes: dict[str, dict] = field(default_factory=dict)
    authorisations: list[dict] = field(default_factory=list)  # what each /authorize asked
    issued: list[str] = field(default_factory=list)  # access tokens handed out
    refusals: list[str] = field(default_factory=list)

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": KID, "use": "sig", "alg": "ES256"}]}

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "subject_types_supported": ["public"],
        }

    def authorise(self, query: dict[str, str]) -> str:
        """The redirect back to the client, with a code or an error."""
        self.authorisations.append(query)
        back = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or query.get("code_challenge_method") != "S256":
            self.refusals.append(f"authorize: {query}")
            return f"{back}?{urlencode({'error': 'invalid_request', 'state': query.get('state', '')})}"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{back}?{urlencode({'code': code, 'state': query['state'], 'iss': self.url})}"

    def redeem(self, form: dict[str, str]) -> tuple[int, dict]:
        asked = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            asked is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != asked["client_id"]
            or form.get("redirect_uri") != asked["redirect_uri"]
            or challenge != asked["code_challenge"]
        ):
            self.refusals.append(f"token: {form}")
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        common = {"iss": self.url, "iat": now, "exp": now + 300, **self.claims}
        access = self._sign(common | {"aud": self.audience})
        identity = self._sign(common | {"aud": self.client_id, "nonce": asked["nonce"]})
        self.issued.append(access)
        return 200, {"access_token": access, "id_token": identity, "token_type": "Bearer", "expires_in": 300}

    def _sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": KID})


def _handler(issuer: Issuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict | None = None, location: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.send_header("Access-Control-Allow-Headers", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            if location:
                self.send_header("Location", location)
            payload = json.dumps(body).encode() if body is not None else b""
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_OPTIONS(self) -> None:
            self._answer(204)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._answer(200, issuer.discovery())
            elif parts.path == "/jwks":
                self._answer(200, issuer.jwks())
            elif parts.path == "/authorize":
                self._answer(302, location=issuer.authorise(query))
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._answer(*issuer.redeem(form))
            else:
                self._answer(404, {"error": "not_found"})

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def running_issuer(client_id: str, audience: str, claims: dict) -> Iterator[Issuer]:
    """An issuer on 127.0.0.1 and a free port, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    issuer = Issuer(f"http://127.0.0.1:{server.server_port}", client_id, audience, claims)
    server.RequestHandlerClass = _handler(issuer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
