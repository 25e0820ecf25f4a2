"""Named fault points in the write path, for the pause and kill tests.

The write path calls `reached("after_claim")`, `reached("after_effect_1")`...
at the instants a test may want to stop it. Off by default: `configure` is
called once at start-up with the test setting MEMBERDIR_FAULT_POINTS (which
the settings refuse in production), e.g. "after_effect_1=kill" or
"after_claim=stop". A point fires each time it is reached while armed:

- `stop`: the process sends itself SIGSTOP (a test resumes it with SIGCONT),
  so a test can hold a writer at an exact instant without any sleep;
- `kill`: the process sends itself SIGKILL, as a crash at that instant;
- `raise`: raises FaultInjected, for in-process tests (the writer stops there,
  leaving the database exactly as a kill would).

Points: after_claim, after_effect_<n> (n from 1), after_record, before_mark_applied;
the same prefixed "completing_" where a process completes a change another
one cut off (recovery), so a test stops the writer or the recovery, not both.
The outbox's delivery loop: delivery_after_claim, delivery_after_send (sent,
not yet recorded).
"""

import os
import signal

POINTS_HELP = ("[completing_]after_claim, after_effect_<n>, after_record, before_mark_applied; "
               "delivery_after_claim, delivery_after_send (memberdir.notifications.loop)")
ACTIONS = frozenset({"stop", "kill", "raise"})

_armed: dict[str, str] = {}


class FaultInjected(Exception):
    """A `raise` fault point fired: the writer stops here as if the process died."""


def parse(spec: str | None) -> dict[str, str]:
    """"point=action,point=action" -> {point: action}; ValueError names what is wrong."""
    found: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        point, _, action = part.strip().partition("=")
        if not point or action not in ACTIONS:
            raise ValueError(f"fault point {part!r}: expected <point>=<{'|'.join(sorted(ACTIONS))}>")
        found[point] = action
    return found


def configure(spec: str | None) -> None:
    """Arm the points of `spec` (None or "" disarms every point)."""
    _armed.clear()
    _armed.update(parse(spec))


def reached(point: str) -> None:
    action = _armed.get(point)
    if action is None:
        return
    if action == "raise":
        raise FaultInjected(point)
    os.kill(os.getpid(), signal.SIGSTOP if action == "stop" else signal.SIGKILL)
