"""Person.visibleAs: the person themself and staff preview the profile as an
anonymous caller, a member or staff would see it, from the privacy module; the
preview is never wider than the caller's own sight, and others get null."""

import pytest

from tests.schema.test_privacy import CALLERS, VISIBILITIES, _ok, tom  # noqa: F401 (tom: the fixture)

pytestmark = pytest.mark.database

FIELDS = """email orcid contactVisibility pendingEmail { address } hiddenContactDetails communications { slug }
    individualMembership { history { reason } } history(first: 1) { totalCount } invitations { totalCount }"""
AS_ITSELF = '{ person(id: "per_tom") { %s } }' % FIELDS
PREVIEW = 'query($as: ViewerClass!) { person(id: "per_tom") { visibleAs(caller: $as) { %s } } }' % FIELDS

# The kind asked for -> the real caller whose answer the preview must equal.
LIKE = {"ANONYMOUS": "anonymous", "MEMBER": "member", "STAFF": "staff"}


async def _set_visibility(run, visibility: str) -> None:
    version = (await run.as_viewer(CALLERS["staff"])('{ person(id: "per_tom") { version } }'))["person"]["version"]
    await _ok(run, CALLERS["staff"], "person", id="per_tom", expectedVersion=version,
              patch={"contactVisibility": visibility})


@pytest.mark.parametrize("executor", ["planned", "graphql-core"])
@pytest.mark.parametrize("visibility", VISIBILITIES)
async def test_staff_preview_equals_what_each_kind_of_caller_sees(tom, visibility, executor):  # noqa: F811
    run = tom[0] if executor == "planned" else tom[1]
    await _set_visibility(run, visibility)
    staff = run.as_viewer(CALLERS["staff"])
    for kind, caller in LIKE.items():
        seen = (await run.as_viewer(CALLERS[caller])(AS_ITSELF))["person"]
        previewed = (await staff(PREVIEW, **{"as": kind}))["person"]["visibleAs"]
        assert previewed == seen, (kind, visibility)


@pytest.mark.parametrize("visibility", VISIBILITIES)
async def test_the_person_previews_others_and_never_sees_more_than_their_own(tom, visibility):  # noqa: F811
    run = tom[0]
    await _set_visibility(run, visibility)
    me = run.as_viewer(CALLERS["self"])
    own = (await me(AS_ITSELF))["person"]
    for kind in ("ANONYMOUS", "MEMBER"):
        seen = (await run.as_viewer(CALLERS[LIKE[kind]])(AS_ITSELF))["person"]
        assert (await me(PREVIEW, **{"as": kind}))["person"]["visibleAs"] == seen, kind
    # As staff: their own sight (staff's audit history is not theirs to read through a preview).
    as_staff = (await me(PREVIEW, **{"as": "STAFF"}))["person"]["visibleAs"]
    assert as_staff == own and as_staff["history"] is None and as_staff["email"] is not None


@pytest.mark.parametrize("caller", ["anonymous", "member", "primary"])
async def test_nobody_else_may_preview(tom, caller):  # noqa: F811
    run = tom[0]
    for kind in LIKE:
        assert (await run.as_viewer(CALLERS[caller])(PREVIEW, **{"as": kind}))["person"]["visibleAs"] is None
