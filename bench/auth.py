"""What authentication costs per request: anonymous, API key, OIDC token.

Runs the app in-process (ASGI, no sockets) on an embedded FerretDB on loopback
with the test directory, a bounded number of requests each, and prints the
median and 95th percentile. A benchmark prints figures; tests assert behaviour.

    .venv/bin/python -m bench.auth [--requests 300]
"""

import argparse
import asyncio
import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from httpx import ASGITransport, AsyncClient

from bench.arguments import add_whole_number
from bench.embedded import embedded_database
from datastore.importer import import_files
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.settings import PROJECT_ROOT, Settings

QUERY = '{ organisation(id: "org_lagos") { name } }'
ISSUER, AUDIENCE, KID = "https://aai.bench.example", "memberdir", "bench"


def serve_jwks(key: ec.EllipticCurvePrivateKey) -> ThreadingHTTPServer:
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())) | {"kid": KID, "alg": "ES256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def timings(client: AsyncClient, headers: dict[str, str], requests: int) -> list[float]:
    found = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return found


async def main(requests: int) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwks = serve_jwks(key)
    try:
        async with embedded_database(seeded=False) as (db, _commands):
            await import_files(db, [PROJECT_ROOT / "tests" / "data" / "directory.json"])
            issued = await api_keys.issue(db, "bench", Role.MEMBER)
            now = int(time.time())
            claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "b", "exp": now + 3600, "email": "tom@helix.example",
                      "email_verified": True}
            token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": KID})
            settings = Settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                                oidc_jwks_url=f"http://127.0.0.1:{jwks.server_port}/jwks")
            app = create_app(settings, database=db)
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
                cases = {
                    "anonymous": {},
                    "API key": {"x-api-key": issued.secret_key},
                    "OIDC token (+ person by e-mail)": {"authorization": f"Bearer {token}"},
                }
                await timings(client, cases["OIDC token (+ person by e-mail)"], 5)  # fetch the JWKS once
                print(f"{requests} requests each, in-process ASGI, FerretDB on loopback; ms per request")
                for name, headers in cases.items():
                    found = sorted(await timings(client, headers, requests))
                    p95 = found[int(len(found) * 0.95) - 1]
                    print(f"  {name:34} median {statistics.median(found):6.2f}   p95 {p95:6.2f}")
    finally:
        jwks.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--requests", 1, 5000, default=300)
    asyncio.run(main(parser.parse_args().requests))
