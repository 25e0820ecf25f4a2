"""Every GraphQL example in the README runs against the demo directory and finds something;
the README's table of who may change what is resolvers.permissions itself."""

import re

import pytest

from datastore import dataset, demo
from datastore.vocabulary import Role
from memberdir.settings import PROJECT_ROOT
from resolvers import permissions
from resolvers.viewer import Viewer
from tests.conftest import Run, fresh_database

README = (PROJECT_ROOT / "README.md").read_text()
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README, flags=re.S)
STAFF = Viewer(role=Role.STAFF, credential="api-key:key_readme")


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 3
    assert any(e.lstrip().startswith("mutation") for e in EXAMPLES)


def test_the_readme_table_of_who_may_change_what_is_the_rule():
    assert permissions.table() in README


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.fixture(scope="module")
async def run_staff(ferretdb, schema):
    """Mutation examples change the data: they get a demo directory of their own, as staff."""
    db = await fresh_database(ferretdb.uri, "test_readme")
    await dataset.write(db, demo.generate(1))
    yield Run(schema, db, STAFF)
    await db.close()


# In README order, so a query example after a mutation sees its change.
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i + 1}" for i in range(len(EXAMPLES))])
async def test_example_runs(run_demo, run_staff, example):
    if example.lstrip().startswith("mutation") or "auditLog" in example:
        data = await run_staff(example)
        for payload in data.values():
            assert payload.get("userErrors", []) == [], payload
        minimum = 1
    else:
        data = await run_demo(example)
        minimum = 10
    found = [leaf for leaf in _leaves(data) if leaf not in (None, False, 0, "")]
    assert len(found) > minimum, data
