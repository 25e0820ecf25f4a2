"""What every resolver of one request shares."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datastore import reads
from datastore.client import Database
from datastore.records.memberships import AgreementVersions
from resolvers.allowance import Allowance
from resolvers.loaders import Loaders
from resolvers.viewer import ANONYMOUS, Viewer


@dataclass
class Context:
    db: Database
    loaders: Loaders
    # One 'today' per request, so every 'active' in an answer agrees (read through `today`).
    _today: date = field(default_factory=lambda: datetime.now(UTC).date())
    request: Any = None
    response: Any = None
    viewer: Viewer = ANONYMOUS
    # Days between a removal notice to the Primary and the earliest removal.
    removal_notice_days: int = 30
    # The Constitution and Member Agreement in force: what an individual applicant accepts
    # (settings.constitution_version, member_agreement_version).
    agreement_versions: AgreementVersions = AgreementVersions("2024-03", "2024-03")
    # An invitation's default time to answer, and how many recommendations and
    # invitations one sender may make per (UTC) day (settings.invitation_*).
    invitation_days: int = 30
    invitations_per_day: int = 50
    # The change feed stays this far behind the clock (resolvers.audit.feed).
    feed_settle_seconds: float = 2.0
    # The caller's rate-limit budget, when the request came over HTTP.
    allowance: Callable[[], Allowance] | None = None
    # The writes this request started (resolvers.mutations.committing): carried to their end
    # even when the request is cancelled, and reported in a deadline's answer.
    writes_started: list = field(default_factory=list)
    # After this long a change or call still in flight was cut off (settings.write_lease_seconds).
    write_lease: timedelta = timedelta(seconds=30)
    # The directory's address as links in mail give it (settings.public_url).
    public_url: str = "http://127.0.0.1:8000"
    # Webhook endpoints may use http:// and loopback or private addresses (settings.webhook_allow_loopback).
    webhook_allow_loopback: bool = True

    @property
    def today(self) -> date:
        reads.noted_date_read()  # an answer that read it is right until midnight UTC (datastore.reads)
        return self._today

    @classmethod
    def for_request(
        cls, db: Database, request: Any = None, response: Any = None, viewer: Viewer = ANONYMOUS
    ) -> "Context":
        return cls(db=db, loaders=Loaders(db), request=request, response=response, viewer=viewer)

    async def start_again(self) -> None:
        """Fresh loaders, as the request had before anything ran. The planned
        executor calls it before leaving an operation to graphql-core: run on
        the loaders its failed attempt filled halfway, graphql-core's fields
        would finish in another order than on a fresh request, and report
        other errors (which error nulls a parent depends on which field fails
        first). The attempt's reads still in flight end first: none is left
        running past the request."""
        await self.loaders.settle()
        self.loaders = Loaders(self.db)

    def forget_loaded(self) -> None:
        """Called once the request is answered. A request, its context and its
        execution refer to one another in cycles, which only Python's cycle
        collector frees: until it ran, every record the request loaded stayed
        too, and each collection walked them all. Dropped here, reference
        counting frees them at once."""
        self.loaders.forget()
