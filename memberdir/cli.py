"""The `memberdir` command: serve, seed, import, schema, supergraph."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pymongo.errors import PyMongoError

from datastore import dataset, demo
from datastore.dataset import Dataset
from datastore.indexes import ensure_indexes
from datastore.importer import ImportRejected, import_files
from memberdir import supergraph as composition
from memberdir.app import create_app
from memberdir.database import open_database
from memberdir.ferretdb import FerretDBError
from memberdir.settings import Settings
from schema import build_schema

app = typer.Typer(help="Member Directory: the alliance's federated GraphQL directory.", no_args_is_help=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve GraphQL on /graphql (GraphiQL in development), /healthz and /readyz."""
    settings = Settings()
    where = settings.mongodb_uri and "MONGODB_URI" or f"embedded FerretDB in {settings.data_dir}"
    typer.echo(f"Member Directory on http://{host}:{port}/graphql ({where}); Ctrl-C stops it.")
    # uvicorn stops cleanly on SIGINT and SIGTERM; the lifespan then closes the database.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", timeout_graceful_shutdown=10)


@app.command()
def seed(
    scale: Annotated[int, typer.Option(min=1, max=20, help="Multiply the demo's size.")] = 1,
    reset: Annotated[bool, typer.Option(help="Drop the directory's data first.")] = False,
) -> None:
    """Load the demo dataset (deterministic: seeding twice leaves the same data)."""
    found = demo.generate(scale)

    async def run() -> None:
        async with open_database(Settings()) as db:
            if reset:
                await db.drop()
                await ensure_indexes(db)
            return await dataset.write(db, found)

    written = _run(run())
    typer.echo(f"Seeded: {_counts(found)} ({written} new or changed)")


@app.command("import")
def import_(paths: Annotated[list[Path], typer.Argument(help="JSON or NDJSON files (see README).")]) -> None:
    """Validate the files completely, then upsert every record by id."""

    async def run():
        async with open_database(Settings()) as db:
            return await import_files(db, paths)

    try:
        imported = _run(run())
    except ImportRejected as rejected:
        typer.echo(str(rejected), err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Imported: {_counts(imported.records)} ({imported.written} new or changed)")


@app.command()
def schema() -> None:
    """Print the subgraph's SDL."""
    typer.echo(build_schema().as_str())


@app.command()
def supergraph(
    subgraphs: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME=FILE@URL", help="Other subgraphs: name, SDL file and routing URL."),
    ] = None,
    directory_url: Annotated[
        str, typer.Option(help="Where the router reaches the directory.")
    ] = "http://127.0.0.1:8000/graphql",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Compose the directory with other subgraphs into a supergraph (Apollo's composition).

    Hints go to stderr; composition errors go to stderr and exit with code 1.
    """
    try:
        others = [composition.read_subgraph(argument) for argument in subgraphs or []]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="NAME=FILE@URL") from None
    directory = composition.Subgraph(name="directory", url=directory_url, sdl=build_schema().as_str())
    try:
        composed = composition.compose([directory, *others])
    except composition.CompositionFailed as failed:
        for error in failed.errors:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1)
    except composition.ComposerUnavailable as error:
        typer.echo(f"Composer: {error}", err=True)
        raise typer.Exit(code=2)
    for hint in composed.hints:
        typer.echo(f"hint: {hint}", err=True)
    if output:
        output.write_text(composed.sdl + "\n")
    else:
        typer.echo(composed.sdl)


def _counts(records: Dataset) -> str:
    return ", ".join(f"{n} {what}" for what, n in records.counts().items())


def _run(work):
    """Run a coroutine; a database that fails us is one line on stderr and exit code 2."""
    try:
        return asyncio.run(work)
    except (FerretDBError, PyMongoError) as error:
        typer.echo(f"Database: {error}", err=True)
        raise typer.Exit(code=2)
