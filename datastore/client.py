"""The connection to MongoDB and the directory's collections."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.monitoring import CommandListener

from datastore.engines import MongoDB, ServerTraits


class DirectoryClient(AsyncMongoClient):
    """An AsyncMongoClient that knows its server's traits: how it is read and
    written best (datastore/engines; MongoDB's unless told)."""

    def __init__(self, *args: object, traits: ServerTraits = MongoDB(), **kwargs: object):
        super().__init__(*args, **kwargs)
        self.traits = traits


_COLLECTIONS = ("organisations", "people", "contacts", "groups", "roster", "changes", "calls", "api_keys", "meta",
                "merged_records", "duplicate_keys", "duplicate_candidates",
                "invitations", "notifications", "deliveries", "bounces", "verification_tokens", "webhook_endpoints",
                "webhook_failures", "sessions", "sign_ins")


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
    def invitations(self) -> AsyncCollection:
        """Recommendations and invitations onto groups' rosters (datastore.invitations)."""
        return self._collections["invitations"]

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

    @property
    def notifications(self) -> AsyncCollection:
        """The outbox: messages owed, written with the change that owes them (datastore.outbox)."""
        return self._collections["notifications"]

    @property
    def deliveries(self) -> AsyncCollection:
        """Claims on delivery attempts, one winner each (datastore.outbox)."""
        return self._collections["deliveries"]

    @property
    def bounces(self) -> AsyncCollection:
        """Addresses whose mail the SMTP server refused for good (datastore.outbox)."""
        return self._collections["bounces"]

    @property
    def sessions(self) -> AsyncCollection:
        """Browser sessions by the digest of their cookie (datastore.sessions)."""
        return self._collections["sessions"]

    @property
    def sign_ins(self) -> AsyncCollection:
        """Sign-ins under way: state, nonce and PKCE verifier, taken once (datastore.sessions)."""
        return self._collections["sign_ins"]

    @property
    def verification_tokens(self) -> AsyncCollection:
        """Digests of e-mail verification tokens (datastore.email_verification)."""
        return self._collections["verification_tokens"]

    @property
    def webhook_endpoints(self) -> AsyncCollection:
        """Host institutions' endpoints for change notices, with their signing secrets (datastore.webhooks)."""
        return self._collections["webhook_endpoints"]

    @property
    def webhook_failures(self) -> AsyncCollection:
        """Failed webhook deliveries since each endpoint's last success (datastore.webhooks)."""
        return self._collections["webhook_failures"]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def drop(self) -> None:
        await self.client.drop_database(self.name)

    async def close(self) -> None:
        await self.client.close()


def connect(
    uri: str,
    name: str,
    *,
    listeners: Sequence[CommandListener] = (),
    timeout_ms: int = 5000,
    traits: ServerTraits = MongoDB(),
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
