"""The demo directory's Data Security Work Stream, its chair, and Allele Genomics with its
people: the records the invitation stories read, on a database of each test's own."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from datastore import dataset, demo
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.records.vocabulary import ContactRole, MembershipStatus, Role, RosterRole
from resolvers.viewer import Viewer
from tests.conftest import Run, fresh_database

GROUP_NAME = "Data Security Work Stream"
ORGANISATION_NAME = "Allele Genomics"
STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")


def person(person_id: str) -> Viewer:
    return Viewer(role=Role.MEMBER, person_id=person_id, credential=f"oidc:{person_id}")


@dataclass(frozen=True)
class Story:
    """Who is who in the demo data, as viewers and ids."""

    group: str
    other_group: str
    chair: str
    organisation: str
    primary: str
    administrator: str
    # Allele Genomics' people on no tenure of the group, holding no role of it.
    colleagues: tuple[str, ...]
    # A person of another organisation, not on the group.
    outsider: str
    data: Dataset


def story_of(directory: Dataset) -> Story:
    today = datetime.now(UTC).date()
    group = next(g for g in directory.groups if g.name == GROUP_NAME)
    other = next(g for g in directory.groups if g.name == "Cloud Work Stream")
    chairs = [e for e in directory.roster if e.group_id == group.id and e.role in (RosterRole.CHAIR, RosterRole.CO_CHAIR)
              and e.active_on(today)]
    organisation = next(o for o in directory.organisations if o.name == ORGANISATION_NAME)
    assert organisation.status is MembershipStatus.ACTIVE
    roles = {c.role: c.person_id for c in directory.contacts if c.organisation_id == organisation.id}
    on_group = {e.person_id for e in directory.roster if e.group_id == group.id}
    colleagues = tuple(
        p.id for p in directory.people
        if p.affiliation_id == organisation.id and p.id not in on_group and p.id not in roles.values()
        and (p.individual_membership is None or p.individual_membership.status.value != "REMOVED")
    )[:6]
    assert len(colleagues) == 6, colleagues
    outsider = next(p for p in directory.people if p.affiliation_id not in (None, organisation.id)
                    and p.id not in on_group and p.id != chairs[0].person_id and p.individual_membership is None)
    kept_people = {chairs[0].person_id, outsider.id, *colleagues, roles[ContactRole.PRIMARY],
                   roles[ContactRole.ADMINISTRATOR]}
    people = [p for p in directory.people if p.id in kept_people]
    organisations = {p.affiliation_id for p in people} - {None}
    data = Dataset(
        organisations=[o for o in directory.organisations if o.id in organisations],
        people=people,
        contacts=[c for c in directory.contacts if c.organisation_id in organisations and c.person_id in kept_people],
        groups=directory.groups,
        roster=[e for e in directory.roster if e.person_id in kept_people],
    )
    return Story(group.id, other.id, chairs[0].person_id, organisation.id, roles[ContactRole.PRIMARY],
                 roles[ContactRole.ADMINISTRATOR], colleagues, outsider.id, data)


@pytest.fixture(scope="session")
def story() -> Story:
    return story_of(demo.generate(1))


@pytest.fixture
async def story_db(engine, story: Story, request) -> AsyncIterator[Database]:
    db = await fresh_database(engine, "test_inv_" + re.sub(r"\W", "_", request.node.name)[:50])
    await dataset.write(db, story.data)
    yield db
    await db.drop()
    await db.close()


@pytest.fixture
def run(schema, story_db: Database) -> Run:
    return Run(schema, story_db)
