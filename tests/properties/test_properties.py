"""The directory's promises under random callers and mutations (tests/properties/property_machine.py).

A bounded run here (PROPERTY_EXAMPLES runs of at most PROPERTY_STEPS steps);
`bench/properties.py --steps 10000` is the long one. Runs are derandomised per
seed: a failure prints the seed and the steps that led to it, and
`--hypothesis-seed=N` replays it.
"""

import asyncio
import os

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.stateful import run_state_machine_as_test

from tests.properties.property_machine import DirectoryMachine

pytestmark = pytest.mark.database  # run on every engine (make test)

PROPERTY_EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "8"))
PROPERTY_STEPS = int(os.environ.get("PROPERTY_STEPS", "30"))


def run_machine(engine, examples: int, steps: int, seed: int | None = None, shrink: bool = False) -> None:
    """Drive DirectoryMachine on an event loop of its own (hypothesis's steps are
    synchronous). Without a seed the run is derandomised: the same every time.
    Without `shrink` a failure is reported as found, which keeps the run bounded."""
    loop = asyncio.new_event_loop()
    DirectoryMachine.engine, DirectoryMachine.loop = engine, loop
    bounded = settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=seed is None,
        suppress_health_check=list(HealthCheck), print_blob=True, database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if shrink else [])],
    )
    machine = DirectoryMachine if seed is None else hypothesis_seed(seed)(DirectoryMachine)
    try:
        run_state_machine_as_test(machine, settings=bounded)
    finally:
        loop.close()


def test_promises_hold_whatever_the_sequence_of_calls(engine):
    run_machine(engine, PROPERTY_EXAMPLES, PROPERTY_STEPS)
