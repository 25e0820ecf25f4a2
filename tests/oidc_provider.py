"""A real OpenID Connect provider on 127.0.0.1 for the tests: npm `oidc-provider`
(pinned in tools/oidc-provider/package-lock.json, installed by `make setup`),
started by tools/oidc-provider/issuer.mjs. Registered in tests/conftest.py, so any
test can ask for the session fixture `oidc_provider`:

    provider = oidc_provider
    provider.url                      # the issuer, http://127.0.0.1:<port> (discovery at /.well-known/openid-configuration)
    provider.client_id, provider.client_secret   # the directory's confidential client
    user = provider.add_user("ana@example.org", role="STAFF")   # role: MEMBER, STAFF or ADMIN, sent as given in memberdir_role
    user.email, user.password         # what to type on the provider's login page
    provider.allow_redirect("http://127.0.0.1:8123/auth/callback")
    provider.app_settings("http://127.0.0.1:8123")   # MEMBERDIR_* settings for an app at that base URL
                                      # (its redirect URI registered too); serving_app(..., oidc=provider) uses it

Users and redirect URIs can be added while it runs (the provider reads its file
on each look-up). Its login page has input[name="login"] (the e-mail),
input[name="password"] and button[type="submit"]; there is no consent screen;
PKCE (S256) is required; ID tokens carry email, email_verified (true) and
memberdir_role, signed RS256 with a key made at start. It only ever binds 127.0.0.1.
"""

import json
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from memberdir.settings import PROJECT_ROOT

PROJECT = PROJECT_ROOT / "tools" / "oidc-provider"
NOT_INSTALLED = "the test OpenID Connect provider is not installed: run `make setup` (npm ci in tools/oidc-provider)"


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class
    email: str
    password: str
    role: str


class OidcProvider:
    def __init__(self, config_file: Path):
        self.config_file = config_file
        self.client_id = "memberdir-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(32)
        self._config = {
            "port": 0,
            "clients": [{"client_id": self.client_id, "client_secret": self.client_secret, "redirect_uris": []}],
            "users": [],
        }
        self._write()
        self.url = ""
        self._process: subprocess.Popen | None = None

    def _write(self) -> None:
        staged = self.config_file.with_suffix(".new")
        staged.write_text(json.dumps(self._config))
        staged.replace(self.config_file)  # the provider never reads half a file

    def add_user(self, email: str | None = None, role: str = "MEMBER", password: str | None = None,
                 name: str | None = None) -> TestUser:
        user = TestUser(email or f"user-{secrets.token_hex(4)}@example.org", password or secrets.token_urlsafe(12), role)
        # The role claim carries the role as given ("STAFF"): the directory matches role names whatever their case.
        self._config["users"].append({"email": user.email, "password": user.password, "role": role,
                                      "name": name or user.email})
        self._write()
        return user

    def allow_redirect(self, uri: str) -> None:
        redirects = self._config["clients"][0]["redirect_uris"]
        if uri not in redirects:
            redirects.append(uri)
            self._write()

    def app_settings(self, base_url: str) -> dict[str, str]:
        """The settings (names without MEMBERDIR_) of a directory at `base_url` signing in here."""
        redirect = f"{base_url}/auth/callback"
        self.allow_redirect(redirect)
        return {"oidc_issuer": self.url, "oidc_client_id": self.client_id,
                "oidc_client_secret": self.client_secret, "oidc_redirect_url": redirect}

    def start(self) -> None:
        assert (PROJECT / "node_modules" / "oidc-provider").is_dir(), NOT_INSTALLED
        self._process = subprocess.Popen(
            ["node", str(PROJECT / "issuer.mjs"), str(self.config_file)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self._process.stdout.readline().strip() if self._process.stdout else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the OpenID Connect provider did not start: {line} {self._process.stderr.read()}")
        self.url = line

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[OidcProvider]:
    provider = OidcProvider(tmp_path_factory.mktemp("oidc-provider") / "config.json")
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
