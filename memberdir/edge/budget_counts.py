"""Fixed-window counts in this process's memory, for the `limits` library, without a thread per request.

limits' MemoryStorage drops expired counts from a 10 ms threading.Timer that
every hit starts anew once the previous one has finished: with requests a few
milliseconds apart, a new thread for nearly every request, about 0.1 ms of CPU
each. Here, as there, an expired count is dropped when it is read; the other
expired ones are swept at most once per SWEEP_SECONDS, by a hit. The counts
and their expiries are MemoryStorage's, so the budgets behave the same; a
shared store of `limits` (Redis) can still replace this one.
"""

import threading
import time

from limits.storage import Storage

SWEEP_SECONDS = 60.0


class InProcessCounts(Storage):
    def __init__(self) -> None:
        super().__init__()
        self._counts: dict[str, int] = {}
        self._expiries: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            self._drop_if_expired(key, now)
            count = self._counts.get(key, 0) + amount
            self._counts[key] = count
            if count == amount:  # a new window starts with this hit
                self._expiries[key] = now + expiry
            return count

    def get(self, key: str) -> int:
        with self._lock:
            self._drop_if_expired(key, time.time())
            return self._counts.get(key, 0)

    def get_expiry(self, key: str) -> float:
        return self._expiries.get(key, time.time())

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            cleared = len(self._counts)
            self._counts.clear()
            self._expiries.clear()
            return cleared

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._expiries.pop(key, None)

    def _drop_if_expired(self, key: str, now: float) -> None:
        if self._expiries.get(key, 0) <= now:
            self._counts.pop(key, None)
            self._expiries.pop(key, None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, expires in self._expiries.items() if expires <= now]:
            self._counts.pop(key, None)
            self._expiries.pop(key, None)
        self._next_sweep = now + SWEEP_SECONDS
