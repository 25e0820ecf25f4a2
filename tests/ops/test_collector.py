"""A serving process tunes Python's cycle collector (memberdir/collector.py) and leaves it little to do."""

import gc
import json
import os
import subprocess
import sys

from datastore.records.people import Person
from datastore.records.rosters import RosterEntry


def test_a_worker_freezes_what_it_built_and_collects_young_objects_less_often(tmp_path):
    # In a process of its own: freezing is for the life of a process.
    script = (
        "import gc, json\n"
        "from memberdir.cli import worker_app\n"
        "before = gc.get_threshold()[0]\n"
        "worker_app()\n"
        "print(json.dumps([before, gc.get_threshold()[0], gc.get_freeze_count()]))\n"
    )
    env = {**os.environ, "MEMBERDIR_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, after, frozen = json.loads(done.stdout.splitlines()[-1])
    assert (before, after) == (700, 20_000)
    assert frozen > 10_000  # the modules and the schema, at least


async def test_the_records_a_request_loaded_are_freed_when_it_is_answered(http):
    # A request, its context and its execution refer to one another in cycles;
    # the records its loaders hold must not wait for the cycle collector.
    def alive() -> int:
        return sum(isinstance(o, RosterEntry | Person) for o in gc.get_objects())

    query = '{ workingGroup(slug: "clinical-work-stream") { roster { nodes { role person { name } } } } }'
    gc.collect()
    gc.disable()
    try:
        before = alive()
        response = await http.post("/graphql", json={"query": query})
        assert len(response.json()["data"]["workingGroup"]["roster"]["nodes"]) == 7
        assert alive() <= before
    finally:
        gc.enable()
