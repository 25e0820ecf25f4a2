"""A real server for the browser tests, and the Node.js driver that runs Chromium.

The server is uvicorn running the app in its own process on 127.0.0.1 and a
free port, over the session's FerretDB and its demo database; the driver
(drive.mjs) is playwright-core driving Debian's chromium, never a browser it
downloads. Screenshots and downloads go to test-artifacts/browser/.
"""

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app_server import serving_app
from story_kit import StoryKit
from datastore.client import Database
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.embedded.ferretdb import EmbeddedFerretDB
from memberdir.settings import PROJECT_ROOT
from tests.conftest import directory_copy

DRIVER = Path(__file__).with_name("drive.mjs")
PLAYWRIGHT = PROJECT_ROOT / "frontend" / "node_modules" / "playwright-core"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
HOW_TO_GET_CHROMIUM = "browser tests need Debian's chromium: `sudo apt-get install chromium`, or run `CI=true make test`"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; on a developer's machine without it these tests skip, under CI they fail."""
    found = os.environ.get("MEMBERDIR_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and Chromium is missing ({HOW_TO_GET_CHROMIUM})")
    pytest.skip(HOW_TO_GET_CHROMIUM)


@pytest.fixture(scope="session")
def page_server(ferretdb: EmbeddedFerretDB, demo_db: Database) -> Iterator[str]:
    """The app over the demo database, with texts in force other than the defaults (so a page
    that names them must have asked the API)."""
    with serving_app(ferretdb, demo_db, constitution_version="2025-09", member_agreement_version="2025-10") as base:
        yield base


class Browser:
    """Runs one scenario of drive.mjs against the test server; returns what it saw."""

    def __init__(self, chromium: str, base: str):
        self.chromium, self.base = chromium, base

    def run(self, scenario: str, base: str | None = None, **job: Any) -> dict:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        request = {"scenario": scenario, "base": base or self.base, "chromium": self.chromium, "artifacts": str(ARTIFACTS), **job}
        done = subprocess.run(
            ["node", str(DRIVER), json.dumps(request)], capture_output=True, text=True, timeout=240,
        )
        assert done.returncode == 0, f"drive.mjs {scenario} failed:\n{done.stderr[-4000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def story(self, name: str, /, base: str | None = None, **job: Any) -> dict:
        """Runs stories/<name>.mjs (drive.mjs scenario `story:<name>`); what it returned, plus what went wrong in its pages."""
        return self.run(f"story:{name}", base=base, **job)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser(chromium: str, page_server: str) -> Browser:
    assert PLAYWRIGHT.is_dir(), "playwright-core is not installed: run `make setup` (npm ci in frontend/)"
    return Browser(chromium, page_server)


@pytest.fixture(scope="session")
async def story_db(ferretdb: EmbeddedFerretDB) -> AsyncIterator[Database]:
    """The stories' own database: the hand-made directory, to which each story adds its own records."""
    async with directory_copy(ferretdb, "test_stories") as db:
        yield db


@pytest.fixture(scope="session")
def story_server(ferretdb: EmbeddedFerretDB, story_db: Database, oidc_provider) -> Iterator[str]:
    """ONE app for every story, signing in through the ONE test OpenID Connect provider."""
    with serving_app(ferretdb, story_db, oidc=oidc_provider) as base:
        yield base


@pytest.fixture(scope="session")
async def stories(browser: Browser, story_server: str, story_db: Database, oidc_provider) -> StoryKit:
    """Everything a story test needs: StoryKit (tests/browser/story_kit.py)."""
    staff_key = (await api_keys.issue(story_db, "browser stories", Role.STAFF)).secret_key
    return StoryKit(browser, story_server, oidc_provider, staff_key)
