"""The `memberdir` command: serve, seed, import, export, dump, restore, schema, supergraph, keys."""

import asyncio
import json
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO, TypeVar

import typer
import uvicorn
from prometheus_client import start_http_server
from pydantic import ValidationError
from pydantic_settings import SettingsError
from pymongo.errors import PyMongoError

from datastore import api_keys as stored_keys
from datastore import dataset, demo, operational_notices, outbox, people
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.dump import API_KEYS_OPTION, Dumps, UnknownCollections, dump as dump_state
from datastore.importer import ImportRejected, ImportStopped, describe_step, import_files
from datastore.records.vocabulary import Role
from datastore.restore import RestoreFailed, RestoreRefused, check_header, read_header, restore as restore_dump
from memberdir import api_keys, first_party_documents
from memberdir import supergraph as composition
from memberdir.app import create_app
from memberdir.collector import tune_for_serving
from memberdir.database import open_database, settings_engine
from memberdir.edge import trusted_documents
from memberdir.edge.access_log import configure_logging
from memberdir.embedded.server import EmbeddedEngine, EngineError
from memberdir.settings import Settings
from memberdir.settings_errors import describe
from memberdir.supervisor import EngineSupervisor
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers.exports import EXPORTS, Format, NotFound, Table, csv_chunks, ndjson_chunks, write_xlsx
from resolvers.exports.tables import roster
from resolvers.viewer import Viewer
from memberdir.execution import build_schema
from memberdir.notifications import notices

app = typer.Typer(help="Member Directory: the alliance's federated GraphQL directory.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for machine clients: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

KEY_ROLES = [r.value for r in Role if r is not Role.ANONYMOUS]
T = TypeVar("T")
# Whoever can run the command can read the database itself: the CLI acts as staff.
CLI_VIEWER = Viewer(role=Role.STAFF, credential="cli")


@app.callback()
def configuration() -> None:
    """Check the settings before any command runs."""
    _settings()


def _settings() -> Settings:
    """The settings; a bad value is one line on stderr and exit code 2."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        typer.echo(f"Configuration: {describe(error)}", err=True)
        raise typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes sharing the port.")] = 1,
) -> None:
    """Serve GraphQL on /graphql (GraphiQL in development), /healthz, /readyz and /metrics."""
    settings = _settings()
    configure_logging(settings.production)
    where = settings.mongodb_uri and "MONGODB_URI" or f"embedded {settings.engine} in {settings.data_dir}"
    typer.echo(f"Member Directory on http://{host}:{port}/graphql ({where}); Ctrl-C stops it.")
    # uvicorn stops cleanly on SIGINT and SIGTERM; the lifespan then closes the database.
    # Our access line replaces uvicorn's; X-Forwarded-For is read only from MEMBERDIR_TRUSTED_PROXIES.
    # uvloop and httptools rather than asyncio's loop and h11: 3-10% less CPU per
    # request (docs/performance.md); named, so a missing install fails here.
    options = dict(
        host=host, port=port, log_config=None, access_log=False, proxy_headers=False, timeout_graceful_shutdown=10,
        loop="uvloop", http="httptools",
    )
    if workers == 1:
        served = _serving_app(settings)
        _serve_metrics(settings, served)
        uvicorn.run(served, **options)
        return
    if settings.metrics_port is not None:
        typer.echo("MEMBERDIR_METRICS_PORT serves one process's metrics: with --workers, use MEMBERDIR_METRICS_TOKEN",
                   err=True)
        raise typer.Exit(code=2)
    # Several workers: each opens its own client pool and keeps its own metrics
    # (scraped through MEMBERDIR_METRICS_TOKEN on the main port). The embedded
    # engine stays one per data folder: this process runs and watches it, and
    # every worker joins it (memberdir/embedded/server.py).
    with _watched_engine(settings):
        # A worker's start (imports, schema, joining the engine) can outlast
        # uvicorn's 5 s health check on a busy machine; it would be killed and restarted.
        uvicorn.run("memberdir.cli:worker_app", factory=True, workers=workers, timeout_worker_healthcheck=60, **options)


def _serve_metrics(settings: Settings, served) -> None:
    """/metrics on its own loopback port, when MEMBERDIR_METRICS_PORT asks for it."""
    if settings.metrics_port is None:
        return
    try:
        start_http_server(settings.metrics_port, addr="127.0.0.1", registry=served.state.metrics.registry)
    except OSError as error:
        typer.echo(f"MEMBERDIR_METRICS_PORT: cannot listen on 127.0.0.1:{settings.metrics_port}: {error}", err=True)
        raise typer.Exit(code=2)
    typer.echo(f"Metrics on http://127.0.0.1:{settings.metrics_port}/metrics (loopback only).")


def worker_app():
    """The app of one of several workers: logging as `serve` sets it up, then the app."""
    settings = Settings()
    configure_logging(settings.production)
    return _serving_app(settings)


def _serving_app(settings: Settings):
    """The app, with the cycle collector tuned for a process that serves it."""
    served = create_app(settings)
    tune_for_serving()
    return served


@contextmanager
def _watched_engine(settings: Settings) -> Iterator[None]:
    """Prepare the database once (indexes, demo data when empty) before the
    workers start, so they do not race to; run and watch the embedded engine."""

    async def prepare(engine: EmbeddedEngine | None) -> None:
        async with open_database(settings, seed_if_empty=True, engine=engine):
            pass

    if settings.mongodb_uri is not None:
        asyncio.run(prepare(None))
        yield
        return
    with settings_engine(settings) as engine:
        asyncio.run(prepare(engine))
        supervisor = EngineSupervisor.for_settings(settings, engine)
        threading.Thread(target=asyncio.run, args=(supervisor.watch(),), daemon=True).start()
        yield


@app.command()
def seed(
    scale: Annotated[int, typer.Option(min=1, max=20, help="Multiply the demo's size.")] = 1,
    reset: Annotated[bool, typer.Option(help="Delete the directory's records first (API keys stay).")] = False,
) -> None:
    """Load the demo dataset (deterministic: seeding twice leaves the same data)."""
    found = demo.generate(scale)

    async def reseed(db: Database) -> int:
        if reset:
            await dataset.clear(db)
        return await dataset.write(db, found)

    written = _on_database(reseed)
    typer.echo(f"Seeded: {_counts(found)} ({written} new or changed)")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="JSON or NDJSON files (see README).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace whole records: fields a record leaves out are cleared.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would change; write nothing.")] = False,
) -> None:
    """Check the files completely, then write each record that changes (only the fields it gives)."""
    if replace:
        typer.echo("Replacing whole records: fields a record leaves out are cleared.")
    try:
        imported = _on_database(lambda db: import_files(db, paths, whole=replace, dry_run=dry_run))
    except (ImportRejected, ImportStopped) as failed:
        typer.echo(str(failed), err=True)
        raise typer.Exit(code=1)
    if dry_run:
        for step in imported.steps:
            for line in describe_step(step):
                typer.echo(line)
        created = sum(step.creates for step in imported.steps)
        typer.echo(f"Dry run: {_counts(imported.records)}; {imported.written} change(s) would be written "
                   f"({created} new), nothing was.")
        return
    typer.echo(f"Imported: {_counts(imported.records)} ({imported.written} new or changed)")


Listed = Annotated[str | None, typer.Option(help="Comma-separated, as in the HTTP export's query.")]
Day = Annotated[str | None, typer.Option(help="A date, e.g. 2026-01-31.")]


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help=f"What to export: {', '.join(EXPORTS)}.")],
    format: Annotated[Format, typer.Option("--format", help="File format.", case_sensitive=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    group: Annotated[str | None, typer.Option(help="roster: that group's roster; contacts: that group's.")] = None,
    kinds: Listed = None,
    active_on: Day = None,
    roles: Listed = None,
    search: Annotated[str | None, typer.Option(help="Part of the name, any case or accents.")] = None,
    countries: Listed = None,
    continents: Listed = None,
    sectors: Listed = None,
    designations: Listed = None,
    statuses: Listed = None,
    joined_after: Day = None,
    joined_before: Day = None,
    affiliation: Annotated[str | None, typer.Option(help="people: an organisation's id.")] = None,
    by: Annotated[str | None, typer.Option(help="stats: COUNTRY, CONTINENT, SECTOR, KIND, DESIGNATION or STATUS.")] = None,
    then_by: Annotated[str | None, typer.Option(help="stats: a second dimension, crossed with --by.")] = None,
) -> None:
    """Export as the HTTP /export/... endpoints do (see README), acting as staff."""
    if kind not in EXPORTS:
        typer.echo(f"No export {kind!r}; there are: {', '.join(EXPORTS)}", err=True)
        raise typer.Exit(code=1)
    if format is Format.XLSX and output is None and sys.stdout.isatty():
        typer.echo("An XLSX file is binary: write it with -o FILE", err=True)
        raise typer.Exit(code=1)
    options = {
        "kinds": kinds, "activeOn": active_on, "roles": roles, "search": search, "countries": countries,
        "continents": continents, "sectors": sectors, "designations": designations, "statuses": statuses,
        "joinedAfter": joined_after, "joinedBefore": joined_before, "affiliation": affiliation,
        "by": by, "thenBy": then_by, "group": group if kind != "roster" else None,
    }
    given = {name: [value] for name, value in options.items() if value is not None}
    typer.echo("Exporting as staff (the CLI sees every contact detail).", err=True)

    async def write(db: Database) -> int:
        ctx = Context.for_request(db, viewer=CLI_VIEWER)
        table = await (roster(ctx, given, group) if kind == "roster" and group else EXPORTS[kind](ctx, given))
        return await _write_export(table, format, output)

    try:
        rows = _on_database(write)
    except (BadArgument, NotFound) as refused:
        option = "--" + "".join("-" + c.lower() if c.isupper() else c for c in refused.argument)
        problem = refused.problem if isinstance(refused, BadArgument) else str(refused)
        typer.echo(f"{option}: {problem}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Exported {rows} rows to {output or 'stdout'}.", err=True)


async def _write_export(table: Table, format: Format, output: Path | None) -> int:
    """Write the table; return how many rows it had."""
    rows, chunks = 0, table.chunks

    async def counted() -> AsyncIterator[list]:
        nonlocal rows
        async for chunk in chunks:
            rows += len(chunk)
            yield chunk

    table.chunks = counted()
    if format is Format.XLSX:
        with tempfile.TemporaryDirectory(prefix="memberdir-export-") as folder:
            written = Path(folder) / "export.xlsx"
            await write_xlsx(table, written)
            if output is not None:
                shutil.move(written, output)
            else:
                with written.open("rb") as file:
                    shutil.copyfileobj(file, sys.stdout.buffer)
        return rows
    pieces = csv_chunks(table) if format is Format.CSV else ndjson_chunks(table)
    sink = output.open("wb") if output is not None else sys.stdout.buffer
    try:
        async for piece in pieces:
            sink.write(piece)
    finally:
        if output is not None:
            sink.close()
        else:
            sink.flush()
    return rows


@app.command()
def dump(
    path: Annotated[Path, typer.Argument(help="NDJSON file to write; - for stdout.")],
    include_api_keys: Annotated[bool, typer.Option(
        "--include-api-keys", help="Also write API keys' salted hashes, so the same keys work after a restore.")] = False,
    include_secrets: Annotated[bool, typer.Option(
        "--include-secrets", help="Also write secrets kept readable (none yet; see README, Backups).")] = False,
) -> None:
    """Write the directory's whole state (every collection, as stored): a backup for `memberdir restore`.

    Sessions and sign-in tokens are never written; API keys only with --include-api-keys.
    """
    include = [API_KEYS_OPTION] if include_api_keys else []

    async def write(db: Database) -> Dumps:
        with _output(path) as out:
            return await dump_state(db, out, include=include, secrets=include_secrets)

    try:
        dumped = _on_database(write)
    except UnknownCollections as unknown:
        typer.echo(f"Refused: {unknown}", err=True)
        raise typer.Exit(code=1)
    where = "stdout" if str(path) == "-" else str(path)
    typer.echo(f"Dumped to {where}: " + ", ".join(f"{n} {name}" for name, n in dumped.counts.items()), err=True)
    typer.echo(f"Left out: {', '.join(dumped.left_out)}", err=True)
    if dumped.changed_meanwhile:
        typer.echo(f"Warning: {dumped.changed_meanwhile} change(s) were accepted while dumping; the dump may hold "
                   "part of them: dump again while no one writes for an exact copy", err=True)


@app.command()
def restore(paths: Annotated[list[Path], typer.Argument(help="A file from `memberdir dump` (or import files).")]) -> None:
    """Load a dump into an empty directory as it was dumped (import files go through the importer, checked first)."""
    dumps = [(path, header) for path in paths if (header := read_header(path)) is not None]
    if not dumps:
        _restore_import_files(paths)
        return
    if len(paths) > 1:
        typer.echo(f"Restore one dump at a time ({dumps[0][0]} is a dump, given with {len(paths) - 1} other file(s))",
                   err=True)
        raise typer.Exit(code=1)
    path, header = dumps[0]
    try:
        check_header(path, header)
        restored = _on_database(lambda db: restore_dump(db, path, header))
    except RestoreRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(code=1)
    except RestoreFailed as failed:
        typer.echo(f"{failed}. Part of the dump was written: empty the directory, then restore a sound dump.", err=True)
        raise typer.Exit(code=1)
    typer.echo("Restored: " + ", ".join(f"{n} {name}" for name, n in restored.counts.items()))
    typer.echo("Credentials:")
    for line in restored.credentials:
        typer.echo(f"  {line}")


def _restore_import_files(paths: list[Path]) -> None:
    """Files in the import format (dumps made before version 2 were): through the importer, as before."""

    async def load(db: Database):
        for collection in dataset.COLLECTIONS:
            if await getattr(db, collection).find_one({}, projection=["_id"]):
                return None
        return await import_files(db, paths)

    try:
        restored = _on_database(load)
    except ImportRejected as rejected:
        typer.echo(str(rejected), err=True)
        raise typer.Exit(code=1)
    if restored is None:
        typer.echo("The directory already holds records; restore into an empty one "
                   "(or merge with `memberdir import`)", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Restored: {_counts(restored.records)}")


@contextmanager
def _output(path: Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8") as out:
        yield out


@app.command()
def schema() -> None:
    """Print the subgraph's SDL."""
    typer.echo(build_schema().as_str())


@app.command()
def documents() -> None:
    """Print the trusted documents' manifest: every first-party operation by its SHA-256."""
    try:
        found = first_party_documents.manifest(build_schema()._schema)
    except first_party_documents.NotADocument as error:
        typer.echo(f"Not a trusted document: {error}", err=True)
        raise typer.Exit(code=1)
    typer.echo(trusted_documents.manifest_text(found), nl=False)


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


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who the key is for, e.g. 'EBI roster sync'.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(KEY_ROLES)}.")],
    person: Annotated[str | None, typer.Option(help="Person id the key acts for (e.g. an organisation's Primary).")] = None,
    any_document: Annotated[bool, typer.Option(
        "--any-document", help="May run any GraphQL document when MEMBERDIR_TRUSTED_DOCUMENTS_ONLY is set "
        "(the router's key, integrations).")] = False,
) -> None:
    """Create a key and print it once; only its salted hash is stored."""
    if role not in KEY_ROLES:
        typer.echo(f"--role must be one of {', '.join(KEY_ROLES)}", err=True)
        raise typer.Exit(code=1)
    if not name.strip() or len(name) > 100:
        typer.echo("--name must be 1 to 100 characters", err=True)
        raise typer.Exit(code=1)

    async def issue(db: Database) -> api_keys.IssuedKey | None:
        if person is not None and not await people.by_ids(db, [person]):
            return None
        return await api_keys.issue(db, name.strip(), Role(role), person, any_document)

    issued = _on_database(issue)
    if issued is None:
        typer.echo(f"No person {person!r} in the directory", err=True)
        raise typer.Exit(code=1)
    anything = ", any document" if issued.record.any_document else ""
    typer.echo(f"Created key {issued.record.id} ({issued.record.role.value}{anything}) for {issued.record.name!r}.")
    typer.echo("Shown once; store it now. Send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>':")
    typer.echo(issued.secret_key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never the keys themselves)."""
    for key in _on_database(stored_keys.every):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        acts_for = f" person={key.person_id}" if key.person_id else ""
        anything = " any-document" if key.any_document else ""
        typer.echo(f"{key.id}  {key.role.value:<6}  {state:<18}  created {key.created_at:%Y-%m-%d}  {key.name}{acts_for}{anything}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")]) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    if not _on_database(lambda db: api_keys.revoke(db, key_id)):
        typer.echo(f"No active key {key_id!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Revoked key {key_id}.")


def _counts(records: Dataset) -> str:
    return ", ".join(f"{n} {what}" for what, n in records.counts().items())


def _on_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on the configured database (the embedded one when MONGODB_URI
    is unset); a database that fails us is one line on stderr and exit code 2."""

    async def run() -> T:
        async with open_database(_settings()) as db:
            return await work(db)

    try:
        return asyncio.run(run())
    except (EngineError, PyMongoError) as error:
        typer.echo(f"Database: {error}", err=True)
        raise typer.Exit(code=2)


notifications_app = typer.Typer(help="The outbox: messages the directory owes people.", no_args_is_help=True)
app.add_typer(notifications_app, name="notifications")


@notifications_app.command("retry")
def notifications_retry(
    notification_id: Annotated[str, typer.Argument(help="The notification's id (ntf_...), as `notifications` shows it.")],
) -> None:
    """Send a FAILED notification again: PENDING, due now, with a fresh run of attempts."""
    found, retried = _on_database(lambda db: outbox.retry(db, notification_id))
    if found is None:
        typer.echo(f"No notification {notification_id!r}", err=True)
        raise typer.Exit(code=1)
    if not retried:
        typer.echo(f"Notification {notification_id} is {found.state.value}, not FAILED: left as it is.", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Notification {notification_id} is PENDING again; the delivery loop sends it shortly.")


notices_app = typer.Typer(help="Monthly operational notices to organisations' Administrators.", no_args_is_help=True)
app.add_typer(notices_app, name="notices")


@notices_app.command("run")
def notices_run(
    month: Annotated[str | None, typer.Option(help="The month, YYYY-MM (default: this month, UTC).")] = None,
) -> None:
    """Owe the month's operational notices not owed yet (review due, contact problems); safe to run again."""
    try:
        chosen = operational_notices.Month.parse(month) if month is not None else None
    except ValueError as error:
        typer.echo(f"--month: {error}", err=True)
        raise typer.Exit(code=1)
    report = _on_database(lambda db: notices.run(db, chosen))
    owed = ", ".join(f"{n} {cause.value}" for cause, n in report.owed.items())
    typer.echo(f"Operational notices for {report.month}: {report.written} owed now ({owed}); "
               f"{report.already} owed before.")
    if report.no_recipient:
        typer.echo(f"No Administrator or Primary to tell: {', '.join(report.no_recipient)}", err=True)
