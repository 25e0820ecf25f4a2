"""The directory's whole state written out, collection by collection, so
`memberdir restore` (datastore/restore.py) loads it back as it was: records
with their versions and histories, role contacts, the roster, the audit log
and change feed, and what else a collection holds.

A dump is NDJSON: a header line naming the format and its version, one line
per stored document (`{"collection": ..., "document": ...}`, MongoDB Extended
JSON, so dates and times come back as they were), and an end line with the
count per collection, so a cut-off file is noticed. Collections are written
in a fixed order and documents by `_id`: two dumps of the same directory
differ only in the header's time.

Every collection the directory writes is named in `DUMPED` or `LEFT_OUT`
(tests/datastore/test_dump.py fails on one that is in neither, and `dump` refuses a
database that holds one), so a collection added later is never silently
missing from backups.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

import orjson
from bson import json_util
from bson.json_util import JSONMode, JSONOptions
from pymongo.asynchronous.collection import AsyncCollection

from datastore import derived
from datastore.client import Database
from datastore.documents import STREAM_BATCH, count_matching

FORMAT = "memberdir-dump"
# 1 was the import-format dump (records only, no header): restore still reads
# such files through the importer. Bump when a dump's meaning changes.
VERSION = 2

# Relaxed Extended JSON: readable numbers and ISO dates; read back time-zone aware, as the client reads.
JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Dumped:
    """A collection written in a dump, and how."""

    collection: str
    holds: str
    # Only in a dump made with this option (the option's name, as the CLI spells it).
    only_with: str | None = None
    # Fields of secrets kept readable (a webhook's signing secret): left out
    # unless the dump is made with --include-secrets. None yet.
    secret_fields: tuple[str, ...] = ()
    # Documents whose `_id` starts with one of these are left out (the why in the comment where used).
    left_out_ids: tuple[str, ...] = ()

    @property
    def derived_fields(self) -> tuple[str, ...]:
        """Fields computed from the others (datastore/derived.py): left out, recomputed by restore."""
        return DERIVED_FIELDS.get(self.collection, ())


DERIVED_FIELDS = {d.collection: d.fields for d in derived.DERIVED}

API_KEYS_OPTION = "--include-api-keys"

# In writing order (restore writes in the same order).
DUMPED: dict[str, Dumped] = {d.collection: d for d in (
    Dumped("organisations", "organisations with their membership history, designations, removal notices"),
    Dumped("groups", "working groups, committees, forums and their tree (parent)"),
    Dumped("people", "people with their individual membership and history, and their subscriptions"),
    Dumped("contacts", "role contacts (Primary, Administrator, Signer, communications)"),
    Dumped("roster", "groups' rosters with dates"),
    Dumped("invitations", "recommendations and invitations onto rosters, with their status and message"),
    Dumped("changes", "the audit log, claimed changes in flight, and so the change feed and its positions"),
    # Each caller's clientMutationIds (the write path's retries, issue 22's part 6): a retry after a
    # restore is answered as before. Absent before that part is merged: then an empty section.
    Dumped("calls", "each caller's clientMutationIds and how their calls ended"),
    # The outbox: messages owed and how their delivery stands; a restore delivers what is still PENDING.
    Dumped("notifications", "notifications owed by changes, their delivery state and attempts"),
    Dumped("bounces", "addresses whose mail the SMTP server refused for good"),
    # Webhook endpoints: their signing secrets only with --include-secrets (else rotate them after a restore).
    Dumped("webhook_endpoints", "host institutions' webhook endpoints (URL, record types, state)",
           secret_fields=("secret",)),
    Dumped("api_keys", "API keys' salted hashes (never a key itself)", only_with=API_KEYS_OPTION),
    # Generation tokens: a restore writes new ones (datastore/generations.py);
    # how derived fields were made: a restore makes them anew (datastore/derived.py).
    Dumped("meta", "facts about the stored data", left_out_ids=("generation:", "derived_fields")),
    Dumped("merged_records", "records merged into another: redirects and the undo data of each merge"),
    Dumped("duplicate_keys", "blocking keys of duplicate candidates (digests)"),
    Dumped("duplicate_candidates", "duplicate candidates with scores and reasons"),
)}

# Collections deliberately never dumped, and why. A credential here is named
# by restore as one to issue again.
LEFT_OUT: dict[str, str] = {
    "sessions": "browser sessions: credentials; everyone signs in again",
    "sign_ins": "sign-ins under way (minutes long): whoever was signing in starts again",
    "oidc_tokens": "tokens from the identity provider: credentials; everyone signs in again",
    "verification_tokens": "e-mail verification links: credentials; verifications are requested again",
    "deliveries": "claims on delivery attempts (leases): the next attempt claims anew after a restore",
    "webhook_failures": "failed webhook deliveries since each endpoint's last success: counted anew after a restore",
    "engine_health": "readiness probes' scratch writes (issue 22's part 9): no directory state",
}
CREDENTIALS_LEFT_OUT = ("sessions", "oidc_tokens", "verification_tokens")


class UnknownCollections(Exception):
    """The database holds collections neither dumped nor left out: a dump would miss state."""

    def __init__(self, names: Iterable[str]):
        self.names = sorted(names)
        super().__init__(
            f"the database holds collection(s) {', '.join(self.names)} that datastore/dump.py neither dumps "
            "nor leaves out; name each there before dumping"
        )


def collection(db: Database, name: str) -> AsyncCollection:
    """A collection by name: also one the Database handle has no property for (yet)."""
    return db.client[db.name][name]


def unclassified(names: Iterable[str]) -> set[str]:
    """Of the collection names, those neither dumped nor left out (the engine's own `system.*` aside)."""
    return {n for n in names if not n.startswith("system.") and n not in DUMPED and n not in LEFT_OUT}


@dataclass(frozen=True, slots=True)
class Dumps:
    """What a dump wrote: documents per collection, and what it left out on purpose."""

    counts: dict[str, int]
    left_out: tuple[str, ...]
    # Changes accepted while the dump ran: the dump may hold some of their documents and not others.
    changed_meanwhile: int


def header(*, include: Iterable[str], secrets: bool, collections: Iterable[str]) -> dict:
    return {
        "format": FORMAT, "version": VERSION, "dumpedAt": datetime.now(UTC).isoformat(),
        "options": sorted(include), "secrets": secrets, "collections": list(collections),
    }


def _extended(value: object) -> object:
    """A BSON value JSON lacks, as Extended JSON (a datetime as {"$date": ISO text}, milliseconds as BSON keeps)."""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return {"$date": utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    return json_util.default(value, JSON_OPTIONS)


def encode(document: dict) -> str:
    """One line of relaxed Extended JSON (orjson: json_util's encoder took most of a dump's time).

    Fields keep their stored order: MongoDB compares embedded documents field by field, in order."""
    return orjson.dumps(document, default=_extended, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


def _revive(value: object) -> object:
    if isinstance(value, dict):
        if len(value) == 1:
            [(key, inner)] = value.items()
            if key == "$date" and isinstance(inner, str):
                return datetime.fromisoformat(inner)
            if key.startswith("$"):
                return json_util.object_pairs_hook([(key, inner)], JSON_OPTIONS)
        return {key: _revive(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_revive(inner) for inner in value]
    return value


def decode(line: str | bytes) -> dict:
    """A line `encode` wrote (or any relaxed Extended JSON object) back as the document."""
    value = orjson.loads(line)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return _revive(value)  # type: ignore[return-value]


def document_line(section: Dumped, document: dict, secrets: bool = False) -> str:
    """A stored document's line, without its derived fields (and secret ones unless `secrets`)."""
    leave = section.derived_fields + (() if secrets else section.secret_fields)
    if leave:
        document = {name: value for name, value in document.items() if name not in leave}
    return encode({"collection": section.collection, "document": document})


def end_line(counts: dict[str, int]) -> str:
    return encode({"end": True, "counts": counts})


async def dump(db: Database, out: TextIO, *, include: Iterable[str] = (), secrets: bool = False) -> Dumps:
    """Write the whole state of `db` to `out`; `include` names the options
    given (API_KEYS_OPTION); `secrets` keeps secret fields."""
    include = set(include)
    found = unclassified(await db.client[db.name].list_collection_names())
    if found:
        raise UnknownCollections(found)
    started = datetime.now(UTC)
    sections = [s for s in DUMPED.values() if s.only_with is None or s.only_with in include]
    out.write(encode(header(include=include, secrets=secrets, collections=[s.collection for s in sections])) + "\n")
    counts: Counter[str] = Counter({s.collection: 0 for s in sections})
    for section in sections:
        cursor = collection(db, section.collection).find({}, sort=[("_id", 1)], batch_size=STREAM_BATCH)
        async for document in cursor:
            if section.left_out_ids and str(document["_id"]).startswith(section.left_out_ids):
                continue
            out.write(document_line(section, document, secrets) + "\n")
            counts[section.collection] += 1
    out.write(end_line(dict(counts)) + "\n")
    meanwhile = await count_matching(db.changes, {"at": {"$gte": started}})
    left_out = tuple(s.collection for s in DUMPED.values() if s not in sections) + tuple(LEFT_OUT)
    return Dumps(dict(counts), left_out, meanwhile)
