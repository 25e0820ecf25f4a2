"""When to try again: exponential backoff with jitter, capped.

Attempt n (n >= 1 failed) waits base * 2**(n-1), at most `cap`, of which a
random half is jitter ("equal jitter"), so senders that failed together do not
come back together, yet none comes back at once.
"""

import random
from datetime import timedelta


def wait_after(attempt: int, base_seconds: float, cap_seconds: float, rng: random.Random | None = None) -> timedelta:
    ceiling = min(cap_seconds, base_seconds * 2 ** min(attempt - 1, 32))
    half = ceiling / 2
    return timedelta(seconds=half + (rng or random).uniform(0, half))
