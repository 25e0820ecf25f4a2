"""Who sees contact details: the rule as a table, then through the schema."""

import pytest

from datastore.vocabulary import ContactVisibility as V
from datastore.vocabulary import Role
from resolvers.privacy import ContactField, may_see
from resolvers.viewer import Viewer

E, O = ContactField.EMAIL, ContactField.ORCID
ANON, MEMBER, STAFF, ADMIN = Role.ANONYMOUS, Role.MEMBER, Role.STAFF, Role.ADMIN

# (field, visibility, role) -> may see, for a caller who is neither the person
# nor a manager of one of their organisations. README's table says the same.
TABLE = {
    (E, V.PUBLIC, ANON): False, (E, V.MEMBERS, ANON): False, (E, V.STAFF, ANON): False,
    (O, V.PUBLIC, ANON): True, (O, V.MEMBERS, ANON): False, (O, V.STAFF, ANON): False,
    (E, V.PUBLIC, MEMBER): True, (E, V.MEMBERS, MEMBER): True, (E, V.STAFF, MEMBER): False,
    (O, V.PUBLIC, MEMBER): True, (O, V.MEMBERS, MEMBER): True, (O, V.STAFF, MEMBER): False,
}


@pytest.mark.parametrize(("case", "expected"), TABLE.items(), ids=lambda c: str(c))
def test_the_table(case, expected):
    field, visibility, role = case
    assert may_see(field, visibility, role) is expected


@pytest.mark.parametrize("role", [STAFF, ADMIN])
@pytest.mark.parametrize("visibility", list(V))
@pytest.mark.parametrize("field", list(ContactField))
def test_staff_and_admins_see_everything(field, visibility, role):
    assert may_see(field, visibility, role)


@pytest.mark.parametrize("visibility", list(V))
def test_a_person_sees_their_own_and_their_managers_see_them(visibility):
    assert may_see(E, visibility, MEMBER, is_self=True)
    assert may_see(E, visibility, MEMBER, manages_their_organisation=True)


@pytest.mark.parametrize("visibility", list(V))
def test_anonymous_never_sees_an_address_whatever_else_is_claimed(visibility):
    assert not may_see(E, visibility, ANON, is_self=True, manages_their_organisation=True)


EMAILS = '{ people(first: 100) { nodes { id email orcid } } }'


async def visible(run, viewer: Viewer) -> dict[str, tuple]:
    nodes = (await run.as_viewer(viewer)(EMAILS))["people"]["nodes"]
    return {n["id"]: (n["email"], n["orcid"]) for n in nodes}


async def test_anonymous_sees_no_address_and_only_public_orcids(run):
    seen = await visible(run, Viewer())
    assert all(email is None for email, _ in seen.values())
    assert seen["per_ana"] == (None, "0000-0002-1825-0097")  # PUBLIC


async def test_members_see_public_and_members_details_not_staff_only_ones(run):
    seen = await visible(run, Viewer(role=MEMBER))
    assert seen["per_ana"][0] == "ana.lopes@umontreal.example"  # PUBLIC
    assert seen["per_jean"][0] == "jf.cote@umontreal.example"  # MEMBERS (the default)
    assert seen["per_priya"][0] is None and seen["per_tom"][0] is None  # STAFF


async def test_staff_see_every_address(run):
    seen = await visible(run, Viewer(role=STAFF))
    assert seen["per_priya"][0] == "priya@helix.example" and seen["per_tom"][0] == "tom@helix.example"


async def test_a_member_sees_their_own_staff_only_address(run):
    seen = await visible(run, Viewer(role=MEMBER, person_id="per_tom"))
    assert seen["per_tom"][0] == "tom@helix.example"
    assert seen["per_priya"][0] is None  # Tom is Helix's Signer, not its Primary or Administrator


async def test_an_organisations_primary_sees_its_role_contacts(run):
    seen = await visible(run, Viewer(role=MEMBER, person_id="per_priya"))  # Helix's Primary
    assert seen["per_tom"][0] == "tom@helix.example"  # Helix's Signer, STAFF only
    other = await visible(run, Viewer(role=MEMBER, person_id="per_jean"))  # Montréal's Administrator
    assert other["per_tom"][0] is None


async def test_privacy_stays_batched(run_demo, recorder):
    found = await run_demo('{ organisations(first: 1) { nodes { contacts(roles: [PRIMARY]) { person { id } } } } }')
    primary = found["organisations"]["nodes"][0]["contacts"][0]["person"]["id"]
    manager = run_demo.as_viewer(Viewer(role=MEMBER, person_id=primary))
    counts = []
    for first in (5, 100):
        recorder.reset()
        data = await manager("query($n: Int) { people(first: $n) { nodes { email orcid } } }", n=first)
        assert len(data["people"]["nodes"]) == first
        counts.append(len(recorder.commands))
    # the people page, and one contacts lookup for the viewer and every person together
    assert counts == [2, 2], recorder.commands
    assert [c.split()[:2] for c in recorder.commands] == [["find", "people"], ["find", "contacts"]]


DETAILS = '{ people(first: 100) { nodes { id email orcid hiddenContactDetails } } }'


@pytest.mark.parametrize(
    ("viewer", "hides_some"),
    [(Viewer(), True), (Viewer(role=MEMBER), True), (Viewer(role=MEMBER, person_id="per_tom"), True),
     (Viewer(role=MEMBER, person_id="per_priya"), False), (Viewer(role=STAFF), False)],
    ids=["anonymous", "member", "self", "manager", "staff"],
)
async def test_hidden_contact_details_are_exactly_those_on_file_but_not_shown(run, viewer, hides_some):
    on_file = await visible(run, Viewer(role=STAFF))
    nodes = (await run.as_viewer(viewer)(DETAILS))["people"]["nodes"]
    for node in nodes:
        email, orcid = on_file[node["id"]]
        expected = [name for name, stored, shown in (("EMAIL", email, node["email"]), ("ORCID", orcid, node["orcid"]))
                    if stored is not None and shown is None]
        assert node["hiddenContactDetails"] == expected, node
    assert any(n["hiddenContactDetails"] for n in nodes) is hides_some


async def test_hidden_contact_details_tell_hidden_from_absent(run):
    nodes = {n["id"]: n for n in (await run(DETAILS))["people"]["nodes"]}
    assert nodes["per_ana"]["hiddenContactDetails"] == ["EMAIL"]  # PUBLIC: the ORCID shows
    assert nodes["per_joao"]["hiddenContactDetails"] == []  # nothing on file
    assert nodes["per_joao"]["email"] is None


async def test_hidden_contact_details_stay_batched(run_demo, recorder):
    member = run_demo.as_viewer(Viewer(role=MEMBER, person_id="per_nobody"))
    recorder.reset()
    data = await member("{ people(first: 100) { nodes { email orcid hiddenContactDetails } } }")
    assert any(n["hiddenContactDetails"] for n in data["people"]["nodes"])
    assert [c.split()[:2] for c in recorder.commands] == [["find", "people"], ["find", "contacts"]]
