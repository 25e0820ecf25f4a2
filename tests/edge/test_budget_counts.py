"""The rate budgets' in-process counts (edge.budget_counts) behave as limits' MemoryStorage,
which they replace to spare a timer thread per request."""

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from memberdir.edge.budget_counts import SWEEP_SECONDS, InProcessCounts


def test_the_same_decisions_as_memory_storage(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    item = RateLimitItemPerMinute(10)
    ours, theirs = FixedWindowRateLimiter(InProcessCounts()), FixedWindowRateLimiter(MemoryStorage())
    steps = [("a", 3, 0), ("a", 7, 1), ("a", 1, 5), ("b", 10, 0), ("a", 2, 55), ("a", 4, 1), ("b", 1, 30), ("a", 9, 61)]
    for client, cost, seconds_later in steps:
        clock[0] += seconds_later
        seen = []
        for limiter in (ours, theirs):
            allowed = limiter.test(item, client, cost=cost)
            if allowed:
                limiter.hit(item, client, cost=cost)
            seen.append((allowed, tuple(limiter.get_window_stats(item, client)), limiter.test(item, client)))
        assert seen[0] == seen[1], (client, cost, clock[0])


def test_expired_counts_are_swept(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    counts = InProcessCounts()
    for n in range(100):
        counts.incr(f"client-{n}", 60)
    clock[0] += SWEEP_SECONDS + 61
    counts.incr("late", 60)
    assert counts._counts == {"late": 1}
