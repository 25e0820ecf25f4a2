"""`notifications` and `Viewer.notifications`: staff see every notification, a person their own, nobody else any."""

from dataclasses import replace

import pytest

from datastore import edits, organisations, writes
from datastore.records.changes import Actor
from datastore.records.outbox import Owed
from datastore.records.vocabulary import ChangeAction, DeliveryChannel, NotificationKind, RecordType, Role
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)
STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
PRIYA = Viewer(role=Role.MEMBER, person_id="per_priya", credential="oidc:priya")
TOM = Viewer(role=Role.MEMBER, person_id="per_tom", credential="oidc:tom")
KEY_WITHOUT_PERSON = Viewer(role=Role.MEMBER, credential="api-key:key_member")

QUERY = """query($filter: NotificationFilter, $first: Int, $after: String) {
  notifications(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id kind channel subject state attempts lastError createdAt recipient { id }
            record { id ... on Organisation { name } } } } }"""
MINE = """query { viewer { notifications(first: 10) { totalCount nodes { id subject recipient { id } } } } }"""


@pytest.fixture
async def run(schema, ferretdb):
    async with directory_copy(ferretdb, "test_notifications_query") as db:
        current = (await organisations.by_ids(db, ["org_helix"]))[0]
        after = edits.merged("organisations", current, {"city": "Hinxton"})
        owed = tuple(
            Owed(kind=kind, channel=DeliveryChannel.EMAIL, recipient_id=person, subject=f"{kind.value} for {person}",
                 record_type=RecordType.ORGANISATION, record_id="org_helix", template="removal_notice")
            for person, kind in [("per_priya", NotificationKind.REMOVAL_NOTICE),
                                 ("per_priya", NotificationKind.REVIEW_RECORDED),
                                 ("per_tom", NotificationKind.ROLE_ASSIGNED)]
        )
        write = replace(edits.write_of("organisations", current, after, ChangeAction.UPDATE), notifications=owed)
        await writes.commit(db, write, expected_version=current.version, actor=Actor(role="staff", key_id="k"))
        yield Run(schema, db)


async def test_staff_see_every_notification_and_page_through_them(run):
    first = (await run.as_viewer(STAFF)(QUERY, first=2))["notifications"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = (await run.as_viewer(STAFF)(QUERY, first=2, after=first["pageInfo"]["endCursor"]))["notifications"]
    assert not rest["pageInfo"]["hasNextPage"]
    found = first["nodes"] + rest["nodes"]
    assert len({n["id"] for n in found}) == 3
    assert {n["recipient"]["id"] for n in found} == {"per_priya", "per_tom"}
    assert all(n["state"] == "PENDING" and n["attempts"] == 0 and n["channel"] == "EMAIL" for n in found)
    assert all(n["record"] == {"id": "org_helix", "name": "Helix Genomics Ltd."} for n in found)
    by_kind = (await run.as_viewer(STAFF)(QUERY, filter={"kinds": ["ROLE_ASSIGNED"]}))["notifications"]
    assert [n["recipient"]["id"] for n in by_kind["nodes"]] == ["per_tom"]
    by_recipient = (await run.as_viewer(STAFF)(QUERY, filter={"recipient": "per_priya", "states": ["PENDING"]}))
    assert by_recipient["notifications"]["totalCount"] == 2
    assert (await run.as_viewer(STAFF)(QUERY, filter={"states": ["SENT"]}))["notifications"]["nodes"] == []


async def test_a_person_sees_only_their_own(run):
    mine = (await run.as_viewer(PRIYA)(QUERY))["notifications"]
    assert mine["totalCount"] == 2
    assert {n["subject"] for n in mine["nodes"]} == {"REMOVAL_NOTICE for per_priya", "REVIEW_RECORDED for per_priya"}
    asking_for_toms = (await run.as_viewer(PRIYA)(QUERY, filter={"recipient": "per_tom"}))["notifications"]
    assert asking_for_toms["nodes"] == [] and asking_for_toms["totalCount"] == 0
    toms = (await run.as_viewer(TOM)(MINE))["viewer"]["notifications"]
    assert [n["subject"] for n in toms["nodes"]] == ["ROLE_ASSIGNED for per_tom"] and toms["totalCount"] == 1


@pytest.mark.parametrize("viewer", [Viewer(), KEY_WITHOUT_PERSON], ids=["anonymous", "key without a person"])
async def test_callers_who_are_no_person_see_none(run, viewer):
    [error] = await run.as_viewer(viewer).errors(QUERY)
    assert error.extensions["code"] == "FORBIDDEN"
    assert (await run.as_viewer(viewer)(MINE))["viewer"]["notifications"] == {"totalCount": 0, "nodes": []}


NODE = """query($id: ID!) { node(id: $id) { id ... on Notification { subject recipient { id } } } }"""


async def test_a_notification_by_id_shows_to_its_recipient_and_staff_only(run):
    [priyas, *_] = (await run.as_viewer(PRIYA)(QUERY))["notifications"]["nodes"]
    for viewer in (STAFF, PRIYA):
        found = (await run.as_viewer(viewer)(NODE, id=priyas["id"]))["node"]
        assert found == {"id": priyas["id"], "subject": priyas["subject"], "recipient": {"id": "per_priya"}}
    for viewer in (TOM, KEY_WITHOUT_PERSON, Viewer()):
        assert (await run.as_viewer(viewer)(NODE, id=priyas["id"]))["node"] is None
