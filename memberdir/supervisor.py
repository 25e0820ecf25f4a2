"""Keeping the embedded engine up while `serve` runs (README, "Database engines").

The process that runs the engine restarts it on the same port when it dies,
so every client (this process's pool, other workers, `memberdir` commands)
reconnects by itself. Every process watches whether the engine answers, so
that meanwhile `/readyz` says 503 and GraphQL requests get a clear
"database unavailable" error instead of waiting on a dead socket.
"""

import asyncio
import logging

from memberdir.engine import EmbeddedEngine, EngineError

log = logging.getLogger("memberdir.engine")


class EngineSupervisor:
    def __init__(self, engine: EmbeddedEngine, interval: float = 0.25, restart_delay: float = 1.0):
        self.engine = engine
        self.interval = interval
        # A pause before each restart, so an engine that dies at once again
        # (disk full, bad files) is retried calmly rather than in a tight loop.
        self.restart_delay = restart_delay
        self.available = True

    async def watch(self) -> None:
        """Run until cancelled: restart the engine when we run it, else follow whether it answers."""
        while True:
            await asyncio.sleep(self.interval)
            if self.engine.owner:
                if self.engine.exited:
                    await self._restart()
            else:
                self.available = await self._answers()

    async def _restart(self) -> None:
        self.available = False
        log.error("%s stopped unexpectedly; restarting it on port %d", self.engine.title, self.engine.port)
        await asyncio.sleep(self.restart_delay)
        try:
            self.engine.relaunch()  # from this thread, which lives as long as we serve
        except EngineError as error:
            log.error("%s did not restart (%s); trying again", self.engine.title, error)
            return
        while not await self._answers():
            if self.engine.exited:
                log.error("%s exited while starting; see %s", self.engine.title, self.engine.log_file)
                return  # the next round tries again
            await asyncio.sleep(0.05)
        log.warning("%s is back on port %d", self.engine.title, self.engine.port)
        self.available = True

    async def _answers(self) -> bool:
        """Whether the engine's port is served. Only a refusal (nothing listens)
        counts as down: an engine too busy to accept at once is still up."""
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.engine.port), 2.0)
        except ConnectionRefusedError:
            return False
        except (OSError, TimeoutError):
            return True
        writer.close()
        return True
