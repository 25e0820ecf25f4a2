"""The long run of the property test: random callers and mutations, the
directory's promises checked after every step (tests/properties/property_machine.py).

    .venv/bin/python -m bench.properties [--steps 10000] [--run-length 50] [--seed N]

Runs of `--run-length` steps each, every one from a fresh copy of the
hand-made directory, until `--steps` steps were taken; prints the steps, the
runs, the time and the seed, so a failure can be replayed with the same seed.
Bounded: at most 20,000 steps, on a throwaway engine on loopback.
"""

import argparse
import random
import tempfile
import time
from pathlib import Path

from bench.arguments import add_whole_number
from memberdir.database import settings_engine
from memberdir.settings import Settings
from tests.properties.property_machine import DirectoryMachine
from tests.properties.test_properties import run_machine


def main(steps: int, run_length: int, seed: int) -> None:
    runs = -(-steps // run_length)
    print(f"{steps} steps as {runs} runs of at most {run_length}, seed {seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="memberdir-properties-") as folder:
        with settings_engine(Settings(data_dir=Path(folder))) as engine:
            started = time.perf_counter()
            run_machine(engine, runs, run_length, seed=seed, shrink=True)
            took = time.perf_counter() - started
    sent = DirectoryMachine.mutations_sent
    print(f"passed: {runs} runs, {sent} mutations sent, in {took:.0f} s ({took / max(sent, 1) * 1000:.0f} ms a step, "
          f"the checks included); seed {seed}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_whole_number(parser, "--steps", 1, 20_000, default=10_000)
    add_whole_number(parser, "--run-length", 5, 200, default=50)
    add_whole_number(parser, "--seed", 0, 2**32 - 1, default=random.randrange(2**32))
    arguments = parser.parse_args()
    main(arguments.steps, arguments.run_length, arguments.seed)
