"""Every GraphQL example in the README (and in docs/api.md, after it) runs against the demo directory and finds something;
the README's table of who may change what is resolvers.permissions itself.

Examples without a caller are queries, run anonymously on the shared demo
database. Those whose first line names a caller ("# As staff" or "# As <name>
(per_…)…", in "Keeping the directory right") run one after another in README
order, each as that caller, on a database of their own holding the demo records
they name (with their organisations, roles, tenures and every group): each
mutation does what it says without a user error, and a query after them (the
audit log) finds what they changed.
"""

import re
from collections.abc import AsyncIterator

import pytest

from datastore import dataset, demo
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.records.vocabulary import Role
from memberdir.settings import PROJECT_ROOT
from resolvers import permissions
from resolvers.viewer import Viewer
from tests.conftest import Run, fresh_database

README = (PROJECT_ROOT / "README.md").read_text()
# README's examples, then those of the API reference it links to (run after them, in order).
API_DETAIL = (PROJECT_ROOT / "docs" / "api.md").read_text()
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README + API_DETAIL, flags=re.S)
UPKEEP = [e for e in EXAMPLES if e.startswith("# As ")]
QUERIES = [e for e in EXAMPLES if e not in UPKEEP]


def _is_mutation(example: str) -> bool:
    return re.search(r"^mutation\b", example, flags=re.M) is not None


def test_the_readme_has_examples():
    assert len(QUERIES) >= 3 and len([e for e in UPKEEP if _is_mutation(e)]) >= 10


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
    data = await run_demo(example)
    assert len(_found(data)) > 10, data


def _found(data) -> list:
    return [leaf for leaf in _leaves(data) if leaf not in (None, False, 0, "")]


def caller_of(example: str) -> Viewer:
    """The caller an example's first line names."""
    first = example.splitlines()[0]
    if first == "# As staff":
        return Viewer(role=Role.STAFF, credential="api-key:readme-staff")
    person = re.match(r"# As .*\((per_\w+)\)", first)
    assert person, f"an example naming its caller starts with '# As staff' or '# As <name> (per_…)': {first!r}"
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
    db = await fresh_database(ferretdb, "test_readme_upkeep")
    await dataset.write(db, named_in(UPKEEP, demo.generate(1)))
    yield db
    await db.close()


async def test_upkeep_examples_run_in_order_each_as_its_caller(schema, demo_to_change):
    for example in UPKEEP:
        data = await Run(schema, demo_to_change, caller_of(example))(example)
        shown = example.splitlines()[:3]
        if not _is_mutation(example):
            assert len(_found(data)) > 10, (shown, data)
            continue
        for name, payload in data.items():
            assert payload["userErrors"] == [], (shown, payload["userErrors"])
            record = next(v for k, v in payload.items() if k not in ("userErrors", "clientMutationId"))
            assert record is not None and _found(record), (shown, data)
