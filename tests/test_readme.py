"""Every GraphQL example in the README runs against the demo directory and finds something;
the README's table of who may change what is resolvers.permissions itself.

Queries run on the shared demo database, as an anonymous caller unless their
first line names one ("# As staff"). Mutations
("Keeping the directory right") run in the order shown, each as the caller its
first line names ("# As staff" or "# As <name> (per_…)…"), on a database of
their own holding the demo records they name (with their organisations, roles,
tenures and every group), and must do what they say without a user error.
"""

import re
from collections.abc import AsyncIterator

import pytest

from datastore import dataset, demo
from datastore.dataset import Dataset
from datastore.client import Database
from datastore.vocabulary import Role
from memberdir.settings import PROJECT_ROOT
from resolvers import permissions
from resolvers.viewer import ANONYMOUS, Viewer
from tests.conftest import Run, fresh_database

README = (PROJECT_ROOT / "README.md").read_text()
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README, flags=re.S)
MUTATIONS = [e for e in EXAMPLES if re.search(r"^mutation\b", e, flags=re.M)]
QUERIES = [e for e in EXAMPLES if e not in MUTATIONS]


def test_the_readme_has_examples():
    assert len(QUERIES) >= 3 and len(MUTATIONS) >= 10


def test_the_readme_table_of_who_may_change_what_is_the_rule():
    assert permissions.table() in README


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("example", QUERIES, ids=[f"example-{i + 1}" for i in range(len(QUERIES))])
async def test_example_runs(run_demo, example):
    caller = caller_of(example) if example.startswith("# As ") else ANONYMOUS
    data = await run_demo.as_viewer(caller)(example)
    found = [leaf for leaf in _leaves(data) if leaf not in (None, False, 0, "")]
    assert len(found) > 10, data


def caller_of(example: str) -> Viewer:
    """The caller an example's first line names."""
    first = example.splitlines()[0]
    if first == "# As staff":
        return Viewer(role=Role.STAFF, credential="api-key:readme-staff")
    person = re.match(r"# As .*\((per_\w+)\)", first)
    assert person, f"a mutation example starts with '# As staff' or '# As <name> (per_…)': {first!r}"
    return Viewer(role=Role.MEMBER, person_id=person[1], credential=f"oidc:{person[1]}")


def named_in(examples: list[str], directory: Dataset) -> Dataset:
    """The records the examples name, and what their rules read: a person's organisation,
    role contacts and tenures; a named tenure's person; every group."""
    named = set(re.findall(r"\b(?:per|org|grp|ros)_\w+", "".join(examples)))
    named |= {e.person_id for e in directory.roster if e.id in named}
    people = [p for p in directory.people if p.id in named]
    organisations = named | {p.affiliation_id for p in people}
    person_ids = {p.id for p in people}
    return Dataset(
        organisations=[o for o in directory.organisations if o.id in organisations],
        people=people,
        contacts=[c for c in directory.contacts if c.organisation_id in organisations and c.person_id in person_ids],
        groups=directory.groups,
        roster=[e for e in directory.roster if e.id in named or e.person_id in person_ids],
    )


@pytest.fixture(scope="module")
async def demo_to_change(ferretdb) -> AsyncIterator[Database]:
    db = await fresh_database(ferretdb.uri, "test_readme_mutations")
    await dataset.write(db, named_in(MUTATIONS, demo.generate(1)))
    yield db
    await db.close()


@pytest.mark.parametrize("example", MUTATIONS, ids=[f"mutation-{i + 1}" for i in range(len(MUTATIONS))])
async def test_mutation_example_runs_as_its_caller(schema, demo_to_change, example):
    data = await Run(schema, demo_to_change, caller_of(example))(example)
    for name, payload in data.items():
        assert payload["userErrors"] == [], (name, payload["userErrors"])
        record = next(v for k, v in payload.items() if k not in ("userErrors", "clientMutationId"))
        assert record is not None and len([leaf for leaf in _leaves(record) if leaf is not None]) >= 3, data
