"""Every GraphQL example in the README runs against the demo directory and finds something."""

import re
from pathlib import Path

import pytest

from memberdir.settings import PROJECT_ROOT

EXAMPLES = re.findall(r"```graphql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(), flags=re.S)


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 3


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i + 1}" for i in range(len(EXAMPLES))])
async def test_example_runs(run_demo, example):
    data = await run_demo(example)
    found = [leaf for leaf in _leaves(data) if leaf not in (None, False, 0, "")]
    assert len(found) > 10, data
