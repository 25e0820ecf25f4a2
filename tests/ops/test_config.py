"""A bad environment value: one line naming the variable and what is wrong, exit code 2."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

MEMBERDIR = Path(sys.executable).parent / "memberdir"


def run(arguments: list[str], **variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MEMBERDIR_")} | variables
    return subprocess.run(
        [str(MEMBERDIR), *arguments], env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "arguments, variable, value, complaint",
    [
        (["serve", "--port", "1"], "MEMBERDIR_MAX_COST", "lots", "valid integer"),
        (["schema"], "MEMBERDIR_ENVIRONMENT", "staging", "'development' or 'production'"),
        (["keys", "list"], "MEMBERDIR_TRUSTED_PROXIES", '["10.0.0.0/8", "nonsense"]', "IPv4 or IPv6 network"),
        (["seed"], "MEMBERDIR_OIDC_ALGORITHMS", "RS256", "not valid JSON"),
        (["import", "nothing.json"], "MEMBERDIR_RATE_LIMIT_POINTS_PER_MINUTE", "0", "greater than or equal to 1"),
        (["serve"], "MEMBERDIR_METRICS_TOKEN", "short-secret", "at least 16 characters"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_code_2(arguments, variable, value, complaint):
    result = run(arguments, **{variable: value})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith(f"Configuration: {variable}") and complaint in line
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_value_itself_is_not_repeated():
    result = run(["schema"], MEMBERDIR_METRICS_TOKEN="hunter2-secret")
    assert result.returncode == 2 and "hunter2" not in result.stderr


def test_several_bad_values_share_the_one_line():
    result = run(["schema"], MEMBERDIR_SEED_SCALE="99", MEMBERDIR_MAX_DEPTH="1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration: MEMBERDIR_SEED_SCALE: Input should be less than or equal to 20; "
        "MEMBERDIR_MAX_DEPTH: Input should be greater than or equal to 2"
    )


def test_a_metrics_port_in_use_is_one_line_and_exit_code_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--port", "1"], MEMBERDIR_METRICS_PORT=str(port), MEMBERDIR_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"MEMBERDIR_METRICS_PORT: cannot listen on 127.0.0.1:{port}: [Errno 98] Address already in use"
    ]
