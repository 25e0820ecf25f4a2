"""Erasure reaches invitations: a message naming the erased person keeps no trace of them."""

import pytest

from datastore import erasure, people
from tests.invitations.conftest import STAFF, person
from tests.invitations.test_invitations_story import INVITE, RECOMMEND, ok

pytestmark = pytest.mark.database  # run on every engine (make test)

ERASE = ("mutation($input: ErasePersonInput!) { erasePerson(input: $input) "
         "{ person { id } userErrors { field message code } } }")


async def test_an_erased_persons_name_leaves_every_invitation_message(run, story):
    [colleague] = await people.by_ids(run.db, [story.colleagues[0]])
    ok(await run.as_viewer(person(story.administrator))(RECOMMEND, input={
        "group": story.group, "person": story.colleagues[1], "organisation": story.organisation,
        "message": f"Works with {colleague.name} on audits."}))
    ok(await run.as_viewer(person(story.chair))(INVITE, input={
        "group": story.group, "person": colleague.id, "message": f"Dear {colleague.name}, welcome."}))
    erased = await run.as_viewer(STAFF)(ERASE, input={"personId": colleague.id, "expectedVersion": colleague.version,
                                                      "reason": "erasure request"})
    assert erased["erasePerson"]["userErrors"] == []
    messages = [d["message"] async for d in run.db.invitations.find({}, projection=["message"])]
    assert messages and all(colleague.name not in m and colleague.given_name not in m for m in messages)
    assert await erasure.found_anywhere(run.db, [colleague.name, colleague.given_name + " " + colleague.family_name]) == []
