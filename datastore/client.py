"""The connection to MongoDB and the directory's collections."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.monitoring import CommandListener


@dataclass(frozen=True, slots=True)
class ServerTraits:
    """How the server takes some reads best; MongoDB's are the defaults."""

    # Most values it takes well in one `$in` (None: any number). SecantusDB checks
    # each fetched document against the whole `$in` list, so its cost grows with
    # the square of the list; smaller lists, sent together, keep it linear.
    in_batch: int | None = None
    # Whether a keyset page is better read as bounded ranges of its first sort key
    # (datastore/windows.py): SecantusDB reads the whole range a find names before
    # applying `limit`.
    windows: bool = False
    # Whether a bulk load (datastore/restore.py) is quicker into collections
    # without their indexes, built once after, as MongoDB advises. Measured on
    # the embedded engines, it is slower: restore at scale 3 took 22 s keeping
    # them and 27 s building after on SecantusDB's Rust server (at scale 10:
    # 69 s, and not done after 4 min), 20 s and 26 s on FerretDB.
    indexes_after_load: bool = True


class DirectoryClient(AsyncMongoClient):
    """An AsyncMongoClient that knows its server's traits."""

    def __init__(self, *args: object, traits: ServerTraits = ServerTraits(), **kwargs: object):
        super().__init__(*args, **kwargs)
        self.traits = traits


_COLLECTIONS = ("organisations", "people", "contacts", "groups", "roster", "changes", "calls", "api_keys", "meta",
                "merged_records", "duplicate_keys", "duplicate_candidates")


@dataclass(frozen=True, slots=True)
class Database:
    """The directory's collections, one per domain."""

    client: AsyncMongoClient
    name: str
    # Handles made once: making one costs about 10 µs, and a request makes dozens.
    _collections: dict[str, AsyncCollection] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        database = self.client[self.name]
        object.__setattr__(self, "_collections", {name: database[name] for name in _COLLECTIONS})

    @property
    def organisations(self) -> AsyncCollection:
        return self._collections["organisations"]

    @property
    def people(self) -> AsyncCollection:
        return self._collections["people"]

    @property
    def contacts(self) -> AsyncCollection:
        return self._collections["contacts"]

    @property
    def groups(self) -> AsyncCollection:
        return self._collections["groups"]

    @property
    def roster(self) -> AsyncCollection:
        return self._collections["roster"]

    @property
    def changes(self) -> AsyncCollection:
        """Claimed and applied changes: the write path's claims and the audit log."""
        return self._collections["changes"]

    @property
    def calls(self) -> AsyncCollection:
        """Each caller's clientMutationIds, claimed once (datastore.calls)."""
        return self._collections["calls"]

    @property
    def api_keys(self) -> AsyncCollection:
        return self._collections["api_keys"]

    @property
    def meta(self) -> AsyncCollection:
        """Facts about the stored data itself, such as how its derived fields were made."""
        return self._collections["meta"]

    @property
    def merged_records(self) -> AsyncCollection:
        """Records merged into another: the redirect and the undo data (datastore.merging)."""
        return self._collections["merged_records"]

    @property
    def duplicate_keys(self) -> AsyncCollection:
        """Each person's and organisation's blocking keys, as digests (datastore.duplicates)."""
        return self._collections["duplicate_keys"]

    @property
    def duplicate_candidates(self) -> AsyncCollection:
        """Pairs of records that may be one, scored with reasons (datastore.duplicates)."""
        return self._collections["duplicate_candidates"]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def drop(self) -> None:
        await self.client.drop_database(self.name)

    async def close(self) -> None:
        await self.client.close()


def traits_of(collection: AsyncCollection) -> ServerTraits:
    """The traits of the server behind `collection` (MongoDB's for a plain client)."""
    return getattr(collection.database.client, "traits", ServerTraits())


def connect(
    uri: str,
    name: str,
    *,
    listeners: Sequence[CommandListener] = (),
    timeout_ms: int = 5000,
    traits: ServerTraits = ServerTraits(),
) -> Database:
    client = DirectoryClient(
        uri,
        traits=traits,
        event_listeners=list(listeners),
        serverSelectionTimeoutMS=timeout_ms,
        tz_aware=True,
        appname="memberdir",
    )
    return Database(client, name)
