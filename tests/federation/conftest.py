"""The directory and the `events` subgraph composed by `memberdir supergraph`,
behind a real Apollo Gateway; everything on loopback, stopped at teardown.

- `federated`: over the small hand-made directory, for exact assertions;
- `federated_demo`: over the demo data, with 1,000 events for the batching test.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datastore.client import Database
from events_subgraph import EventRecord, create_app as create_events_app, schema as events_schema
from loopback import EntityRequests, Gateway, apollo_gateway, serve_asgi
from memberdir.app import create_app
from memberdir.cli import app as cli
from memberdir.settings import Settings

EVENTS = [
    EventRecord("evt_rare_disease_day", "Rare Disease Day Symposium", date(2027, 2, 26), "org_lagos",
                ("per_chidi", "per_ana"), "NG"),
    EventRecord("evt_phenopackets", "Phenopackets Hackathon", date(2027, 3, 3), "org_montreal", ("per_ana",)),
    EventRecord("evt_summit", "Montréal Genomics Summit", date(2027, 5, 12), "org_montreal",
                ("per_jean", "per_priya"), "CA"),
]


@dataclass
class Federation:
    gateway: Gateway
    directory: EntityRequests  # the directory app, keeping its `_entities` request sizes


def compose(events_url: str, directory_url: str, folder: Path) -> Path:
    """The supergraph, made by the `memberdir supergraph` command."""
    events_sdl = folder / "events.graphql"
    events_sdl.write_text(events_schema.as_str())
    supergraph = folder / "supergraph.graphql"
    result = CliRunner().invoke(cli, [
        "supergraph", f"events={events_sdl}@{events_url}",
        "--directory-url", directory_url, "--output", str(supergraph),
    ])
    assert result.exit_code == 0, result.output
    return supergraph


@asynccontextmanager
async def federation(db: Database, events: list[EventRecord], folder: Path) -> AsyncIterator[Federation]:
    directory = EntityRequests(create_app(Settings(), database=db))
    async with serve_asgi(directory) as directory_url, serve_asgi(create_events_app(events)) as events_url:
        supergraph = compose(events_url, directory_url, folder)
        async with apollo_gateway(supergraph, folder / "gateway.log") as gateway:
            yield Federation(gateway, directory)


@pytest.fixture(scope="module")
async def federated(directory: Database, tmp_path_factory) -> AsyncIterator[Federation]:
    async with federation(directory, EVENTS, tmp_path_factory.mktemp("federated")) as running:
        yield running


@pytest.fixture(scope="module")
async def federated_demo(demo_db: Database, tmp_path_factory) -> AsyncIterator[Federation]:
    ids = sorted([d["_id"] async for d in demo_db.organisations.find({}, {"_id": 1})])
    events = [
        EventRecord(f"evt_{n:04}", f"Members' meeting {n}", date(2027, 1, 1) + timedelta(days=n), ids[n % len(ids)])
        for n in range(1000)
    ]
    async with federation(demo_db, events, tmp_path_factory.mktemp("federated_demo")) as running:
        yield running
