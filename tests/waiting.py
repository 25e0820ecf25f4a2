"""Waiting for a server to reach a state: bounded in time, never a timed assertion of speed."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(check: Callable[[], T], seconds: float, what: str, every: float = 0.05) -> T:
    """Call `check` until it returns something truthy, and return that; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"no {what} within {seconds}s")
