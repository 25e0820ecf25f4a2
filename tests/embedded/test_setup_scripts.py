"""Set-up scripts are never flaky: no pipe into a reader that exits early under pipefail.

`producer | grep -q …` (or `| head`) lets the reader exit at its first match;
a producer still writing then dies of SIGPIPE, and with `set -o pipefail` the
whole pipeline fails with 141 now and then (tools/build-ferretdb.sh did, about
one run in five). The scripts compare captured output instead.
"""

import re
import subprocess
from pathlib import Path

import pytest

from memberdir.settings import PROJECT_ROOT

EARLY_EXIT_READER = re.compile(r"\|\s*(grep\s+(-\w*[qm]\w*|--quiet|--max-count)|head\b)")


def _shell_scripts() -> list[Path]:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    scripts = []
    for name in tracked:
        path = PROJECT_ROOT / name
        if not path.is_file() or "node_modules" in path.parts:
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sh" or name == "Makefile" or text.startswith("#!/usr/bin/env bash"):
            scripts.append(path)
    return scripts


def test_the_pattern_is_recognised():
    assert EARLY_EXIT_READER.search('"$BIN" --version | grep -qx "version: v1"')
    assert EARLY_EXIT_READER.search("ls | head -1")
    assert not EARLY_EXIT_READER.search('[[ "$(ls)" == *x* ]]')


def test_no_script_with_pipefail_pipes_into_an_early_exiting_reader():
    scripts = _shell_scripts()
    assert any(p.name == "build-ferretdb.sh" for p in scripts)
    offending = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in scripts
        if "pipefail" in (text := path.read_text())
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith("#") and EARLY_EXIT_READER.search(line)
    ]
    assert offending == []


@pytest.mark.parametrize("name", ["build-ferretdb.sh", "install-secantusdb-rs.sh"])
def test_a_build_step_is_idempotent_once_built(name):
    script = PROJECT_ROOT / "tools" / name
    for _ in range(5):
        done = subprocess.run([str(script)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "Building" not in done.stdout
