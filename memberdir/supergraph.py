"""Compose the directory with other subgraphs into a supergraph.

Composition is Apollo's own library (`@apollo/composition`, pinned in
tools/federation/package-lock.json), run with Node.js through
tools/federation/compose.mjs: the same rules the router and GraphOS apply.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from memberdir.settings import PROJECT_ROOT

NODE_PROJECT = PROJECT_ROOT / "tools" / "federation"
COMPOSER = NODE_PROJECT / "compose.mjs"


@dataclass(frozen=True)
class Subgraph:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class Message:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Supergraph:
    sdl: str
    hints: list[Message]


class CompositionFailed(Exception):
    def __init__(self, errors: list[Message]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


class ComposerUnavailable(Exception):
    """Node.js or the composition library is missing: a setup problem, not the subgraphs'."""


def read_subgraph(argument: str) -> Subgraph:
    """`NAME=FILE@URL`, e.g. `events=events.graphql@http://127.0.0.1:4002/graphql`."""
    name, equals, rest = argument.partition("=")
    path, at, url = rest.partition("@")
    if not (equals and at and name and path and url):
        raise ValueError(f"{argument!r}: expected NAME=FILE@URL")
    try:
        return Subgraph(name=name, url=url, sdl=Path(path).read_text())
    except OSError as error:
        raise ValueError(f"{argument!r}: cannot read {path}: {error.strerror}") from None


def compose(subgraphs: list[Subgraph], timeout: float = 120) -> Supergraph:
    node = shutil.which("node")
    if node is None:
        raise ComposerUnavailable("Node.js (20 or later) is needed to compose: `node` is not on PATH")
    if not (NODE_PROJECT / "node_modules" / "@apollo" / "composition").is_dir():
        raise ComposerUnavailable(f"the composition library is not installed in {NODE_PROJECT}: run `make setup`")
    request = {"subgraphs": [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]}
    try:
        done = subprocess.run(
            [node, str(COMPOSER)], input=json.dumps(request), capture_output=True, text=True,
            cwd=NODE_PROJECT, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ComposerUnavailable(f"the composer did not finish within {timeout:.0f}s") from None
    if done.returncode != 0:
        raise ComposerUnavailable(f"the composer failed: {done.stderr.strip() or done.returncode}")
    answer = json.loads(done.stdout)
    if "errors" in answer:
        raise CompositionFailed([Message(**e) for e in answer["errors"]])
    return Supergraph(sdl=answer["supergraphSdl"], hints=[Message(**h) for h in answer["hints"]])
