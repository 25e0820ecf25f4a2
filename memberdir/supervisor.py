"""Keeping the database able to serve while `serve` runs (README, "Database engines").

Two kinds of trouble, one verdict (`available`, and `state` and `reason` when not):
- the embedded engine died: the process that runs it restarts it on the same
  port, so every client (this process's pool, other workers, `memberdir`
  commands) reconnects by itself;
- the engine answers but cannot write (a full disk made WiredTiger panic, or it
  hangs): a journaled write probe (datastore/health.py), every `probe_every`
  seconds, whenever /readyz asks and whenever a request met a database error,
  finds it out. The process that runs the engine then restarts it, since a
  panicked WiredTiger stays wedged even once space is freed, and probes again,
  restarting with a growing pause while writes still fail, until one succeeds.
  With MONGODB_URI, or in a worker that joined another process's engine,
  nothing is restarted: the verdict is only reported.

Meanwhile `/readyz` says 503 naming the reason, and GraphQL requests get a
clear DATABASE_UNAVAILABLE error (memberdir/database_gate.py) instead of
waiting on a dead socket or "Unexpected error.". A write that failed was
refused, never acknowledged, so nothing acknowledged is lost.
"""

import asyncio
import logging
import time

from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from datastore.health import probe_write
from memberdir.embedded.server import EmbeddedEngine, EngineError
from memberdir.settings import Settings

log = logging.getLogger("memberdir.embedded.server")

# What `/readyz` says of the database.
OK = "ok"
RESTARTING = "restarting"
NOT_ANSWERING = "not answering"
CANNOT_WRITE = "cannot write"

# Probe timeouts in a row that count as "cannot write": one alone may be a
# moment of load on a busy machine, not a wedged engine.
TIMEOUTS_TO_FAIL = 2
# How long a restarted engine may take to listen (its recovery included).
STARTUP_SECONDS = 60


def _why(error: PyMongoError, timeout: float) -> str:
    """A short cause for /readyz: no paths or messages of the engine's (the log has those)."""
    if getattr(error, "timeout", False):
        return f"no journaled write was acknowledged within {timeout:g} s"
    if isinstance(error, OperationFailure):
        return f"the engine refused a journaled write (code {error.code})"
    if isinstance(error, ConnectionFailure):
        return "the engine does not answer"
    return f"a journaled write failed ({type(error).__name__})"


class EngineSupervisor:
    def __init__(
        self,
        engine: EmbeddedEngine | None,
        *,
        database: str,
        uri: str | None = None,
        interval: float = 0.25,
        restart_delay: float = 1.0,
        probe_every: float = 5.0,
        probe_timeout: float = 5.0,
        max_pause: float = 8.0,
    ):
        """`engine`: the embedded engine (restarted if this process runs it), or None
        for MONGODB_URI (`uri`), which is only probed."""
        self.engine = engine
        self.uri = uri
        self.database = database
        self.interval = interval
        # A pause before each restart, doubled while writes still fail (up to
        # `max_pause`), so an engine that dies or wedges at once again (disk
        # full, bad files) is retried calmly rather than in a tight loop.
        self.restart_delay = restart_delay
        self.probe_every = probe_every
        self.probe_timeout = probe_timeout
        self.max_pause = max_pause
        self.state = OK
        self.reason: str | None = None
        self.restarts = 0  # of a wedged or dead engine, since we started
        self._pause = restart_delay
        self._timeouts = 0
        self._next_probe = 0.0  # monotonic time; 0: at once
        # When to restart an engine of ours that cannot write: set once when writes
        # start failing (or at a restart), so probes by /readyz or by requests,
        # failing meanwhile, never put it off.
        self._restart_at = float("inf")
        self._probing: asyncio.Task | None = None
        self._probe_started = float("-inf")
        self._client: AsyncMongoClient | None = None

    @classmethod
    def for_settings(cls, settings: Settings, engine: EmbeddedEngine | None) -> "EngineSupervisor":
        """The supervisor of `engine`, or of MONGODB_URI when `engine` is None."""
        return cls(
            engine,
            database=settings.database,
            uri=settings.mongodb_uri if engine is None else None,
            probe_every=settings.health_probe_seconds,
            probe_timeout=settings.health_probe_timeout_seconds,
        )

    @property
    def available(self) -> bool:
        return self.state == OK

    @property
    def _runs_engine(self) -> bool:
        return self.engine is not None and self.engine.owner

    def _uri(self) -> str:
        return self.uri if self.engine is None else self.engine.uri

    async def watch(self) -> None:
        """Run until cancelled: restart the engine when we run it and it died or
        cannot write; else follow whether it answers and writes."""
        try:
            while True:
                await asyncio.sleep(self.interval)
                try:
                    await self._watch_once()
                except Exception:  # noqa: BLE001 - a watcher that dies would leave the engine unwatched
                    log.exception("watching %s failed; going on", self._what())
        finally:
            if self._probing is not None:  # let it end rather than cut it off inside PyMongo
                await asyncio.wait([self._probing], timeout=self.probe_timeout)
            if self._client is not None:
                await self._client.close()
                self._client = None

    async def _watch_once(self) -> None:
        now = time.monotonic()
        if self._runs_engine and self.engine.exited:
            self._down(RESTARTING, "the engine stopped unexpectedly")
            log.error("%s stopped unexpectedly; restarting it on port %d", self.engine.title, self.engine.port)
            await self._restart()
        elif self.engine is not None and not self._runs_engine and not await self._answers():
            self._down(NOT_ANSWERING, "nothing answers on the engine's port")  # its owner restarts it
        elif self.state == NOT_ANSWERING:
            self._down(CANNOT_WRITE, "answers again; not yet written to")
            self._next_probe = 0.0  # serving resumes with the first write that succeeds
        elif self._runs_engine and self.state == CANNOT_WRITE and now >= self._restart_at:
            await self._restart()
        elif now >= self._next_probe:
            await self.check()

    def _what(self) -> str:
        return self.engine.title if self.engine is not None else "MONGODB_URI"

    async def check(self, max_age: float = 0.0) -> bool:
        """The verdict from a write probe started at most `max_age` seconds ago;
        concurrent callers share one probe, and it is never cancelled halfway."""
        asked = time.monotonic() - max_age
        while True:
            if self.state in (RESTARTING, NOT_ANSWERING):  # the watch says when to probe again
                return False
            if self._probing is None:
                if self._probe_started >= asked:
                    return self.available
                self._probing = asyncio.ensure_future(self._probe())
            await asyncio.shield(self._probing)

    async def _probe(self) -> None:
        self._probe_started = time.monotonic()
        try:
            if self._client is None:
                self._client = AsyncMongoClient(self._uri(), maxPoolSize=2, appname="memberdir-health", tz_aware=True)
            try:
                await probe_write(self._client[self.database], self.probe_timeout)
            except ConnectionFailure as error:
                if getattr(error, "timeout", False):
                    raise
                # A connection the engine dropped (it was restarted): PyMongo has
                # cleared its pool, so one more try goes over a new connection.
                await probe_write(self._client[self.database], self.probe_timeout)
        except PyMongoError as error:
            self._failed(error)
        else:
            self._timeouts = 0
            if not self.available:
                log.warning("the database writes again: serving")
            self.state, self.reason = OK, None
            self._pause = self.restart_delay
            self._restart_at = float("inf")
            self._next_probe = time.monotonic() + self.probe_every
        finally:
            self._probing = None

    def _failed(self, error: PyMongoError) -> None:
        timed_out = bool(getattr(error, "timeout", False))
        self._timeouts = self._timeouts + 1 if timed_out else 0
        if timed_out and self._timeouts < TIMEOUTS_TO_FAIL and self.available:
            log.warning("a journaled write probe took longer than %g s; probing again", self.probe_timeout)
            self._next_probe = 0.0
            return
        if self.state == RESTARTING:
            return  # a probe sent before the restart began: the restart decides
        now = time.monotonic()
        if self.available:
            log.error("the database cannot write (%s): %s", type(error).__name__, str(error)[:500])
            self._restart_at = now + self._pause
        self._down(CANNOT_WRITE, _why(error, self.probe_timeout))
        self._next_probe = now + self._pause
        if not self._runs_engine:  # probing is all we do: calmer and calmer
            self._pause = min(self._pause * 2, self.max_pause)

    def _down(self, state: str, reason: str) -> None:
        self.state, self.reason = state, reason

    async def _restart(self) -> None:
        """Start our engine again on its port: a dead one, or a live one that cannot write."""
        assert self.engine is not None
        cause = self.reason
        self._down(RESTARTING, cause or "restarting")
        if self.engine.exited:
            await asyncio.sleep(self._pause)  # a wedged one already waited for its _restart_at
        self._pause = min(self._pause * 2, self.max_pause)
        self._restart_at = time.monotonic() + self._pause  # if it fails to start, or still cannot write
        self.restarts += 1
        if not self.engine.exited:
            log.error("%s cannot write (%s); restarting it on port %d", self.engine.title, cause, self.engine.port)
            await asyncio.to_thread(self.engine.halt)  # waiting for it to end may take seconds
        try:
            self.engine.relaunch()  # from this thread, which lives as long as we serve
        except EngineError as error:
            log.error("%s did not restart (%s); trying again", self.engine.title, error)
            return
        listening_by = time.monotonic() + STARTUP_SECONDS
        while not await self._answers():
            if self.engine.exited:
                log.error("%s exited while starting; see %s", self.engine.title, self.engine.log_file)
                return  # the next round tries again
            if time.monotonic() > listening_by:
                log.error("%s did not listen within %d s; see %s", self.engine.title, STARTUP_SECONDS,
                          self.engine.log_file)
                await asyncio.to_thread(self.engine.halt)
                return  # exited: the next round tries again
            await asyncio.sleep(0.05)
        log.warning("%s is back on port %d", self.engine.title, self.engine.port)
        # Serving resumes with the first write that succeeds, probed at once;
        # while writes fail, it is restarted again at _restart_at.
        self._down(CANNOT_WRITE, "restarted; not yet written to")
        self._restart_at = time.monotonic() + self._pause
        self._next_probe = 0.0

    async def _answers(self) -> bool:
        """Whether the engine's port is served. Only a refusal (nothing listens)
        counts as down: an engine too busy to accept at once is still up."""
        assert self.engine is not None
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.engine.port), 2.0)
        except ConnectionRefusedError:
            return False
        except (OSError, TimeoutError):
            return True
        writer.close()
        return True
