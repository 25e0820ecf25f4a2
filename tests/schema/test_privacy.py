"""Privacy is the person's ceiling: the rule (resolvers.privacy) as data, README's
tables as its output, then what queries, exports and mutations actually answer.

The big table below (EXPECTED) is written here as data, not read from the module
under test: for each kind of caller, each contact visibility and each private
field, what a query answers, on both executors.
"""

from collections.abc import AsyncIterator

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from datastore.records.vocabulary import ContactVisibility as V, Role
from memberdir.settings import PROJECT_ROOT
from resolvers import privacy
from resolvers.privacy import FIELDS, ORGANISATION, PERSON, ContactField, Relation, may_see
from resolvers.viewer import ANONYMOUS, Viewer
from memberdir.execution import build_schema
from tests.conftest import ACCEPTED_AGREEMENTS, Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

E, O = ContactField.EMAIL, ContactField.ORCID
ANON, MEMBER, STAFF, ADMIN = Role.ANONYMOUS, Role.MEMBER, Role.STAFF, Role.ADMIN
README = (PROJECT_ROOT / "README.md").read_text()


# The rule, pure.

# (field, visibility, role) -> may see, for a caller who is not the person. README's table says the same.
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
def test_a_person_sees_their_own(visibility):
    assert may_see(E, visibility, MEMBER, is_self=True)


@pytest.mark.parametrize("visibility", list(V))
def test_anonymous_never_sees_an_address_whatever_else_is_claimed(visibility):
    assert privacy.relations(ANON, is_self=True, manages=True) == {Relation.ANONYMOUS}
    assert not may_see(E, visibility, ANON, is_self=True)


@pytest.mark.parametrize("field", list(ContactField))
def test_no_relation_but_self_and_staff_sees_past_the_persons_choice(field):
    """The ceiling: under STAFF, only the person and staff; no role widens a choice."""
    for relation, sight in FIELDS[(PERSON, field.value)].items():
        if relation not in (Relation.SELF, Relation.STAFF):
            assert not privacy.sees({relation: sight}, {relation}, V.STAFF), relation
    manager = privacy.relations(MEMBER, manages=True)
    member = privacy.relations(MEMBER)
    for visibility in V:
        assert privacy.sees_field(PERSON, field.value, manager, visibility) == \
            privacy.sees_field(PERSON, field.value, member, visibility)


def _fields_of(kind, prefix: str = "") -> set[str]:
    """Every field of a type, and of the membership types that belong to it, as dotted paths."""
    owned = {"Membership", "MembershipChange", "IndividualMembership", "IndividualMembershipChange"}
    found = set()
    for name, field in kind.fields.items():
        found.add(prefix + name)
        inner = field.type
        while isinstance(inner, (GraphQLNonNull, GraphQLList)):
            inner = inner.of_type
        if isinstance(inner, GraphQLObjectType) and inner.name in owned:
            found |= _fields_of(inner, f"{prefix}{name}.")
    return found


@pytest.mark.parametrize("kind", [PERSON, ORGANISATION])
def test_every_field_of_person_and_organisation_is_in_the_table(kind):
    graphql_type = build_schema()._schema.type_map[kind]
    in_schema = _fields_of(graphql_type)
    in_table = {path for (k, path) in FIELDS if k == kind}
    assert in_schema - in_table == set(), "fields nobody decided"
    assert in_table - in_schema == set(), "rows for fields that do not exist"


def test_the_readme_tables_of_who_may_see_what_are_the_rule():
    assert privacy.table() in README


# What queries answer: caller kind x visibility x field, on both executors.

# The person looked at: Tom, Helix's Signer (no manager), with an e-mail and an ORCID,
# his own subscription to the Clinical Work Stream and Helix's assignment to the Data
# Work Stream, an application with a reason. Helix has a removal notice and a
# lapse with a reason.
CALLERS = {
    "anonymous": ANONYMOUS,
    "member": Viewer(role=MEMBER, person_id="per_ana", credential="oidc:ana"),  # another organisation's Primary
    "primary": Viewer(role=MEMBER, person_id="per_priya", credential="oidc:priya"),  # Helix's Primary and Administrator
    "self": Viewer(role=MEMBER, person_id="per_tom", credential="oidc:tom"),
    "staff": Viewer(role=STAFF, credential="api-key:key_staff"),
}
VISIBILITIES = ("PUBLIC", "MEMBERS", "STAFF")
EMAIL, ORCID = "tom@helix.example", "0000-0001-5109-3700"
ALL_GROUPS, ASSIGNED, NONE = ["clinical-work-stream", "data-work-stream"], ["data-work-stream"], []
Y, N = "shown", None

# field -> caller -> what shows under PUBLIC, MEMBERS, STAFF (one value: the same under all three).
EXPECTED = {
    "email": {"anonymous": (N, N, N), "member": (Y, Y, N), "primary": (Y, Y, N), "self": Y, "staff": Y},
    "orcid": {"anonymous": (Y, N, N), "member": (Y, Y, N), "primary": (Y, Y, N), "self": Y, "staff": Y},
    "contactVisibility": {"anonymous": N, "member": N, "primary": N, "self": Y, "staff": Y},
    "pendingEmail": {"anonymous": N, "member": N, "primary": N, "self": Y, "staff": Y},
    "hiddenContactDetails": {"anonymous": (["EMAIL"], ["EMAIL", "ORCID"], ["EMAIL", "ORCID"]),
                             "member": ([], [], ["EMAIL", "ORCID"]), "primary": ([], [], ["EMAIL", "ORCID"]),
                             "self": [], "staff": []},
    "communications": {"anonymous": NONE, "member": NONE, "primary": ASSIGNED, "self": ALL_GROUPS,
                       "staff": ALL_GROUPS},
    # Own subscriptions alone: never the organisation's assignment (data-work-stream), never to its Primary.
    "subscriptions": {"anonymous": N, "member": N, "primary": N, "self": ["clinical-work-stream"],
                      "staff": ["clinical-work-stream"]},
    "individualMembership.history.reason": {"anonymous": N, "member": N, "primary": N, "self": Y, "staff": Y},
    "individualMembership.history.acceptedAgreements": {"anonymous": N, "member": N, "primary": N, "self": Y,
                                                        "staff": Y},
    "Person.history": {"anonymous": N, "member": N, "primary": N, "self": N, "staff": Y},
    "Person.invitations": {"anonymous": N, "member": N, "primary": N, "self": Y, "staff": Y},
    "Person.visibleAs": {"anonymous": N, "member": N, "primary": N, "self": Y, "staff": Y},
    "membership.removalNoticeOn": {"anonymous": N, "member": N, "primary": Y, "self": N, "staff": Y},
    "membership.removableFrom": {"anonymous": N, "member": N, "primary": Y, "self": N, "staff": Y},
    "membership.history.reason": {"anonymous": N, "member": N, "primary": Y, "self": N, "staff": Y},
    "Organisation.history": {"anonymous": N, "member": N, "primary": N, "self": N, "staff": Y},
}

# And the fields everyone sees, shown to every caller whatever Tom chose (a value is on file for each).
EVERYONE_SEES = {
    "person": ["id", "name", "givenName", "familyName", "country", "version", "updatedAt", "affiliation",
               "roles", "groups", "individualMembership", "individualMembership.status", "individualMembership.since",
               "individualMembership.history", "individualMembership.history.status",
               "individualMembership.history.on"],
    "organisation": ["id", "slug", "name", "kind", "sectors", "designations", "country", "continent", "city",
                     "website", "rorId", "timeZone", "aliases", "acronyms", "membership", "membership.status", "membership.joinedOn",
                     "membership.lastReviewedOn", "membership.nextReviewDue", "membership.history",
                     "membership.history.status", "membership.history.on", "version", "updatedAt", "contacts",
                     "people", "workingGroups"],
}
for caller in CALLERS:
    for record, paths in EVERYONE_SEES.items():
        for path in paths:
            EXPECTED.setdefault(f"{record}:{path}", {})[caller] = Y

QUERY = """{
  person(id: "per_tom") { email orcid contactVisibility pendingEmail { address } hiddenContactDetails communications { slug }
    subscriptions { slug }
    individualMembership { status since history { status on reason acceptedAgreements { constitution } } }
    history(first: 1) { totalCount }
    invitations { totalCount } visibleAs(caller: ANONYMOUS) { id }
    id name givenName familyName country { code } version updatedAt affiliation { id } roles { id } groups { id } }
  organisation(id: "org_helix") { membership { removalNoticeOn removableFrom history { status on reason } status joinedOn
      lastReviewedOn nextReviewDue } history(first: 1) { totalCount }
    id slug name kind sectors designations country { code } continent city website rorId timeZone aliases acronyms version updatedAt
    contacts { id } people { totalCount } workingGroups { id } }
}"""


def _at(record: dict, path: str):
    """The value at a dotted path; along a list, its last item (the newest history entry)."""
    for name in path.split("."):
        record = record[-1] if isinstance(record, list) else record
        record = record[name]
    return record

MUTATE = {
    "person": """mutation($input: UpdatePersonInput!) { m: updatePerson(input: $input) {
        person { version } userErrors { code message } } }""",
    "subscribe": """mutation($input: SetCommunicationsInput!) { m: setCommunications(input: $input) {
        person { version } userErrors { code message } } }""",
    "apply": """mutation($input: ApplyForIndividualMembershipInput!) { m: applyForIndividualMembership(input: $input) {
        person { version } userErrors { code message } } }""",
    "review": """mutation($input: RecordReviewInput!) { m: recordMembershipReview(input: $input) {
        organisation { version } userErrors { code message } } }""",
    "notice": """mutation($input: RemovalNoticeInput!) { m: recordRemovalNotice(input: $input) {
        organisation { version } userErrors { code message } } }""",
    "organisation": """mutation($input: UpdateOrganisationInput!) { m: updateOrganisation(input: $input) {
        organisation { version } userErrors { code message } } }""",
    "designations": """mutation($input: SetDesignationsInput!) { m: setDesignations(input: $input) {
        organisation { version } userErrors { code message } } }""",
}


async def _ok(run: Run, viewer: Viewer, name: str, **given) -> dict:
    payload = (await run.as_viewer(viewer)(MUTATE[name], input=given))["m"]
    assert payload["userErrors"] == [], payload
    return payload


@pytest.fixture(scope="module")
async def tom(engine) -> AsyncIterator[tuple[Run, Run]]:
    async with directory_copy(engine, "test_privacy_table") as db:
        staff, me = CALLERS["staff"], CALLERS["self"]
        planned = Run(build_schema(), db)
        made = await _ok(planned, staff, "person", id="per_tom", expectedVersion=1, patch={"orcid": ORCID})
        made = await _ok(planned, me, "subscribe", personId="per_tom", expectedVersion=made["person"]["version"],
                         workingGroupIds=["grp_clinical"])
        # A new address asked for, pending until its link is followed (tests/notifications/test_verified_email.py).
        made = await _ok(planned, me, "person", id="per_tom", expectedVersion=made["person"]["version"],
                         patch={"email": "tom@new.example"})
        await _ok(planned, me, "apply", personId="per_tom", expectedVersion=made["person"]["version"],
                  acceptedAgreements=ACCEPTED_AGREEMENTS, reason="I curate variants")
        made = await _ok(planned, staff, "organisation", id="org_helix", expectedVersion=1,
                         patch={"website": "https://helix.example", "rorId": "https://ror.org/013meh722",
                                "aliases": ["Helix Genomics"], "acronyms": ["HGL"]})
        made = await _ok(planned, staff, "designations", organisationId="org_helix", expectedVersion=2,
                         designations=["FUNDER"])
        made = await _ok(planned, staff, "review", organisationId="org_helix", expectedVersion=3, outcome="LAPSED",
                         reason="No answer to the review")
        await _ok(planned, staff, "notice", organisationId="org_helix",
                  expectedVersion=made["organisation"]["version"], reason="Dues unpaid")
        yield planned, Run(build_schema(planned=False), db)


def _seen(data: dict) -> dict:
    person, organisation = data["person"], data["organisation"]
    shown = lambda value: Y if value is not None else N  # noqa: E731
    return {
        "email": shown(person["email"]),
        "orcid": shown(person["orcid"]),
        "contactVisibility": shown(person["contactVisibility"]),
        "pendingEmail": shown(person["pendingEmail"]),
        "hiddenContactDetails": person["hiddenContactDetails"],
        "communications": [g["slug"] for g in person["communications"]],
        "subscriptions": None if person["subscriptions"] is None else [g["slug"] for g in person["subscriptions"]],
        "individualMembership.history.reason": shown(person["individualMembership"]["history"][-1]["reason"]),
        "individualMembership.history.acceptedAgreements": shown(
            person["individualMembership"]["history"][-1]["acceptedAgreements"]),
        "Person.history": shown(person["history"]),
        "Person.invitations": shown(person["invitations"]),
        "Person.visibleAs": shown(person["visibleAs"]),
        "membership.removalNoticeOn": shown(organisation["membership"]["removalNoticeOn"]),
        "membership.removableFrom": shown(organisation["membership"]["removableFrom"]),
        "membership.history.reason": shown(organisation["membership"]["history"][-1]["reason"]),
        "Organisation.history": shown(organisation["history"]),
        **{f"{record}:{path}": shown(_at(data[record], path) or None)
           for record, paths in EVERYONE_SEES.items() for path in paths},
    }


@pytest.mark.parametrize("executor", ["planned", "graphql-core"])
@pytest.mark.parametrize("visibility", VISIBILITIES)
async def test_what_each_caller_sees_of_each_field(tom, visibility, executor):
    planned, reference = tom
    run = planned if executor == "planned" else reference
    version = (await run.as_viewer(CALLERS["staff"])('{ person(id: "per_tom") { version } }'))["person"]["version"]
    await _ok(run, CALLERS["staff"], "person", id="per_tom", expectedVersion=version,
              patch={"contactVisibility": visibility})
    index = VISIBILITIES.index(visibility)
    for caller, viewer in CALLERS.items():
        seen = _seen(await run.as_viewer(viewer)(QUERY))
        expected = {field: (by[caller][index] if isinstance(by[caller], tuple) else by[caller])
                    for field, by in EXPECTED.items()}
        assert seen == expected, (caller, visibility)
        if seen["email"] == Y:
            assert (await run.as_viewer(viewer)('{ person(id: "per_tom") { email } }'))["person"]["email"] == EMAIL


# The examples of issue 22, each now refused or impossible.

PRIYA, ANA, JEAN = CALLERS["primary"], CALLERS["member"], Viewer(role=MEMBER, person_id="per_jean", credential="oidc:jean")
STAFF_KEY = CALLERS["staff"]
ASSIGN = """mutation($input: AssignRoleContactInput!) { m: assignRoleContact(input: $input) {
    organisation { version } userErrors { field code message } } }"""
CREATE = """mutation($input: CreatePersonInput!) { m: createPerson(input: $input) {
    person { id version } userErrors { code message } } }"""
UPDATE_ORGANISATION = """mutation($input: UpdateOrganisationInput!) { m: updateOrganisation(input: $input) {
    organisation { version city } userErrors { code message } } }"""
LEAVE = """mutation($input: UpdatePersonInput!) { m: updatePerson(input: $input) {
    person { version affiliation { id } } userErrors { field code message } } }"""


@pytest.fixture
async def scratch(engine) -> AsyncIterator[Run]:
    async with directory_copy(engine, "test_privacy_examples") as db:
        yield Run(build_schema(), db)


async def _version(run: Run, kind: str, record_id: str) -> int:
    return (await run.as_viewer(STAFF_KEY)(f'{{ {kind}(id: "{record_id}") {{ version }} }}'))[kind]["version"]


async def _export_people(db, viewer: Viewer) -> dict[str, dict]:
    from httpx import ASGITransport, AsyncClient

    from memberdir import api_keys
    from memberdir.app import create_app
    from memberdir.settings import Settings

    issued = await api_keys.issue(db, "privacy export", viewer.role, viewer.person_id)
    transport = ASGITransport(app=create_app(Settings(), database=db), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/export/people.ndjson", headers={"X-API-Key": issued.secret_key})
    assert response.status_code == 200, response.text
    import json

    return {row["id"]: row for row in map(json.loads, response.text.splitlines())}


async def test_assigning_someone_a_role_never_shows_their_staff_only_details(scratch):
    """A Primary who could not see a person's STAFF-only e-mail assigns them as a
    communications contact: from then on too, queries and exports keep them hidden."""
    made = (await scratch.as_viewer(STAFF_KEY)(CREATE, input={
        "givenName": "Lin", "familyName": "Quiet", "email": "lin@helix.example", "orcid": "0000-0002-9079-593X",
        "country": "GB", "affiliation": "org_helix", "contactVisibility": "STAFF"}))["m"]
    assert made["userErrors"] == []
    lin = made["person"]["id"]
    details = f'{{ person(id: "{lin}") {{ email orcid hiddenContactDetails }} }}'
    hidden = {"email": None, "orcid": None, "hiddenContactDetails": ["EMAIL", "ORCID"]}
    assert (await scratch.as_viewer(PRIYA)(details))["person"] == hidden
    assigned = (await scratch.as_viewer(PRIYA)(ASSIGN, input={
        "organisationId": "org_helix", "expectedVersion": await _version(scratch, "organisation", "org_helix"),
        "role": "COMMUNICATIONS", "personId": lin, "workingGroupId": "grp_clinical"}))["m"]
    assert assigned["userErrors"] == []
    for role in ("ADMINISTRATOR",):  # even the role that keeps the contact list right
        assigned = (await scratch.as_viewer(PRIYA)(ASSIGN, input={
            "organisationId": "org_helix", "expectedVersion": await _version(scratch, "organisation", "org_helix"),
            "role": role, "personId": lin}))["m"]
        assert assigned["userErrors"] == []
    assert (await scratch.as_viewer(PRIYA)(details))["person"] == hidden
    contacts = '{ organisation(id: "org_helix") { contacts { person { id email orcid } } } }'
    listed = [c["person"] for c in (await scratch.as_viewer(PRIYA)(contacts))["organisation"]["contacts"]]
    assert {"id": lin, "email": None, "orcid": None} in listed
    row = (await _export_people(scratch.db, PRIYA))[lin]
    assert (row["email"], row["orcid"]) == (None, None)
    staff_row = (await _export_people(scratch.db, STAFF_KEY))[lin]
    assert staff_row["email"] == "lin@helix.example"  # the value is there: it is the rule that hides it


async def test_nobody_makes_someone_unaffiliated_a_role_contact_staff_included(scratch):
    for viewer in (ANA, STAFF_KEY):
        refused = (await scratch.as_viewer(viewer)(ASSIGN, input={
            "organisationId": "org_montreal", "expectedVersion": await _version(scratch, "organisation", "org_montreal"),
            "role": "COMMUNICATIONS", "personId": "per_tom", "workingGroupId": "grp_clinical"}))["m"]
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("FORBIDDEN", ["input", "personId"])]


async def test_leaving_the_organisation_is_refused_while_holding_roles(scratch):
    """Jean, Montréal's Administrator and its Clinical Work Stream contact, cannot clear
    his affiliation and stay Administrator: the refusal names what to hand over."""
    for viewer, patch in ((JEAN, {"affiliation": None}), (STAFF_KEY, {"affiliation": "org_helix"})):
        refused = (await scratch.as_viewer(viewer)(LEAVE, input={
            "id": "per_jean", "expectedVersion": await _version(scratch, "person", "per_jean"), "patch": patch}))["m"]
        error = refused["userErrors"][0]
        assert error["code"] == "CONFLICT" and error["field"] == ["input", "patch", "affiliation"]
        assert "ADMINISTRATOR" in error["message"] and "COMMUNICATIONS (Clinical Work Stream)" in error["message"]
    assert (await scratch('{ person(id: "per_jean") { affiliation { id } } }'))["person"]["affiliation"] == {"id": "org_montreal"}
    # Handed over, he may go.
    contacts = (await scratch('{ organisation(id: "org_montreal") { contacts { id person { id } } } }'))["organisation"]
    remove = """mutation($input: RemoveRoleContactInput!) { m: removeRoleContact(input: $input) { userErrors { code } } }"""
    for contact in [c for c in contacts["contacts"] if c["person"]["id"] == "per_jean"]:
        done = (await scratch.as_viewer(ANA)(remove, input={
            "organisationId": "org_montreal", "contactId": contact["id"],
            "expectedVersion": await _version(scratch, "organisation", "org_montreal")}))["m"]
        assert done["userErrors"] == []
    left = (await scratch.as_viewer(JEAN)(LEAVE, input={
        "id": "per_jean", "expectedVersion": await _version(scratch, "person", "per_jean"),
        "patch": {"affiliation": None}}))["m"]
    assert left["userErrors"] == [] and left["person"]["affiliation"] is None


async def test_a_role_kept_without_the_affiliation_counts_for_nothing(scratch):
    """Whatever left a contact without its affiliation (here written directly, as a race of
    an assignment and a departure could leave it), the ex-affiliate can no longer edit the
    organisation nor read what its managers read."""
    await _ok(scratch, STAFF_KEY, "notice", organisationId="org_montreal",
              expectedVersion=await _version(scratch, "organisation", "org_montreal"), reason="Dues unpaid")
    notice = '{ organisation(id: "org_montreal") { membership { removalNoticeOn } } }'
    assert (await scratch.as_viewer(JEAN)(notice))["organisation"]["membership"]["removalNoticeOn"] is not None
    communications = '{ person(id: "per_ana") { communications { slug } } }'
    assert (await scratch.as_viewer(JEAN)(communications))["person"]["communications"] == [{"slug": "data-work-stream"}]
    # Even as its Administrator, Jean never read a colleague's STAFF-only address.
    await _ok(scratch, STAFF_KEY, "person", id="per_ana", expectedVersion=await _version(scratch, "person", "per_ana"),
              patch={"contactVisibility": "STAFF"})
    address = '{ person(id: "per_ana") { email orcid } }'
    assert (await scratch.as_viewer(JEAN)(address))["person"] == {"email": None, "orcid": None}
    await scratch.db.people.update_one({"_id": "per_jean"}, {"$set": {"affiliation_id": None}})
    assert (await scratch.as_viewer(JEAN)(notice))["organisation"]["membership"]["removalNoticeOn"] is None
    refused = (await scratch.as_viewer(JEAN)(UPDATE_ORGANISATION, input={
        "id": "org_montreal", "expectedVersion": await _version(scratch, "organisation", "org_montreal"),
        "patch": {"city": "Laval"}}))["m"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert (await scratch.as_viewer(JEAN)(communications))["person"]["communications"] == []
    assert (await scratch.as_viewer(ANA)(communications))["person"]["communications"] == [{"slug": "data-work-stream"}]


async def test_anonymous_callers_read_no_subscription_and_no_removal_notice(scratch):
    await _ok(scratch, STAFF_KEY, "subscribe", personId="per_zoe", expectedVersion=1, workingGroupIds=["grp_clinical"])
    await _ok(scratch, STAFF_KEY, "notice", organisationId="org_lagos",
              expectedVersion=await _version(scratch, "organisation", "org_lagos"), reason="Dues unpaid")
    query = """{ person(id: "per_zoe") { communications { slug } }
                 organisation(id: "org_lagos") { membership { removalNoticeOn } } }"""
    for viewer in (ANONYMOUS, ANA):
        found = await scratch.as_viewer(viewer)(query)
        assert found == {"person": {"communications": []}, "organisation": {"membership": {"removalNoticeOn": None}}}
    found = await scratch.as_viewer(STAFF_KEY)(query)
    assert found["person"]["communications"] == [{"slug": "clinical-work-stream"}]
    assert found["organisation"]["membership"]["removalNoticeOn"] is not None


async def test_the_audit_logs_private_values_ask_the_rule(scratch):
    await _ok(scratch, STAFF_KEY, "person", id="per_tom", expectedVersion=1, patch={"orcid": ORCID})
    query = '{ auditLog(first: 5, filter: {recordId: "per_tom"}) { nodes { fields { field after redacted } } } }'
    fields = [f for n in (await scratch.as_viewer(STAFF_KEY)(query))["auditLog"]["nodes"] for f in n["fields"]]
    assert {"field": "orcid", "after": ORCID, "redacted": False} in fields
    assert privacy.may_see_audit_values(STAFF) and not privacy.may_see_audit_values(MEMBER)


async def test_every_role_contact_is_affiliated_in_the_directories_we_ship(directory, demo_db):
    from datastore.contact_invariants import contacts_without_affiliation

    assert await contacts_without_affiliation(directory) == []
    assert await contacts_without_affiliation(demo_db) == []


async def test_the_import_keeps_the_affiliation_rule_too(scratch, tmp_path):
    import json

    from datastore.importer import ImportRejected, import_files

    def ndjson(name: str, *records: dict):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        return path

    outsider = ndjson("outsider.ndjson", {"type": "contact", "organisation": "org_montreal", "person": "per_tom",
                                          "role": "SIGNER"})
    with pytest.raises(ImportRejected) as rejected:
        await import_files(scratch.db, [outsider])
    assert [p.field for p in rejected.value.problems] == ["person"]
    leaving = ndjson("leaving.ndjson", {"type": "person", "id": "per_jean", "affiliation": "org_helix"})
    with pytest.raises(ImportRejected) as rejected:
        await import_files(scratch.db, [leaving])
    assert [p.field for p in rejected.value.problems] == ["affiliation"]
    assert "ADMINISTRATOR" in str(rejected.value)
    # Moved together with a role for the new organisation, a person is welcome.
    joined = ndjson("joined.ndjson", {"type": "person", "id": "per_zoe", "affiliation": "org_helix"},
                    {"type": "contact", "organisation": "org_helix", "person": "per_zoe", "role": "SIGNER"})
    await import_files(scratch.db, [joined])
    from datastore.contact_invariants import contacts_without_affiliation

    assert await contacts_without_affiliation(scratch.db) == []


async def test_the_applicants_primary_must_be_affiliated_before_approval(scratch):
    from datastore.contact_invariants import contacts_without_affiliation

    zoe = Viewer(role=MEMBER, person_id="per_zoe", credential="oidc:zoe")
    create = """mutation($input: CreateOrganisationInput!) { m: createOrganisation(input: $input) {
        organisation { id version } userErrors { code message } } }"""
    decide = """mutation($input: DecideMembershipInput!) { m: decideMembership(input: $input) {
        organisation { version membership { status } } userErrors { code message } } }"""
    made = (await scratch.as_viewer(zoe)(create, input={"slug": "zoe-labs", "name": "Zoë Labs", "kind": "CORPORATION",
                                                         "country": "CH"}))["m"]
    org = made["organisation"]["id"]
    # Applying affiliated Zoë with it: she is its Primary, as any affiliated Primary is.
    zoe_now = await scratch.as_viewer(STAFF_KEY)('{ person(id: "per_zoe") { affiliation { id } } }')
    assert zoe_now["person"]["affiliation"] == {"id": org}
    edited = (await scratch.as_viewer(zoe)(UPDATE_ORGANISATION, input={
        "id": org, "expectedVersion": 1, "patch": {"city": "Basel"}}))["m"]
    assert edited["userErrors"] == []
    assert await contacts_without_affiliation(scratch.db) == []
    sam = await _version(scratch, "person", "per_sam")
    await _ok(scratch, STAFF_KEY, "person", id="per_sam", expectedVersion=sam, patch={"affiliation": org})
    for role in ("ADMINISTRATOR", "SIGNER"):
        assigned = (await scratch.as_viewer(STAFF_KEY)(ASSIGN, input={
            "organisationId": org, "expectedVersion": await _version(scratch, "organisation", org),
            "role": role, "personId": "per_sam"}))["m"]
        assert assigned["userErrors"] == []
    # An application made before applying affiliated the applicant has a Primary without one: not approved.
    await scratch.db.people.update_one({"_id": "per_zoe"}, {"$set": {"affiliation_id": None}})
    refused = (await scratch.as_viewer(STAFF_KEY)(decide, input={
        "organisationId": org, "expectedVersion": await _version(scratch, "organisation", org),
        "decision": "APPROVE"}))["m"]
    assert refused["userErrors"][0]["code"] == "CONFLICT" and "missing: PRIMARY" in refused["userErrors"][0]["message"]
    await _ok(scratch, STAFF_KEY, "person", id="per_zoe", expectedVersion=await _version(scratch, "person", "per_zoe"),
              patch={"affiliation": org})
    approved = (await scratch.as_viewer(STAFF_KEY)(decide, input={
        "organisationId": org, "expectedVersion": await _version(scratch, "organisation", org),
        "decision": "APPROVE"}))["m"]
    assert approved["userErrors"] == [] and approved["organisation"]["membership"]["status"] == "ACTIVE"
    assert await contacts_without_affiliation(scratch.db) == []


async def test_contact_details_need_no_lookup_and_communications_stay_batched(run_demo, recorder):
    found = await run_demo('{ organisations(first: 1) { nodes { contacts(roles: [PRIMARY]) { person { id } } } } }')
    primary = found["organisations"]["nodes"][0]["contacts"][0]["person"]["id"]
    manager = run_demo.as_viewer(Viewer(role=MEMBER, person_id=primary))
    recorder.reset()
    data = await manager("{ people(first: 100) { nodes { email orcid hiddenContactDetails } } }")
    assert any(n["hiddenContactDetails"] for n in data["people"]["nodes"])
    # The person's choice and the caller decide: nobody's role contacts are read.
    assert [c.split()[:2] for c in recorder.commands] == [["find", "people"]]
    counts = []
    for first in (5, 100):
        recorder.reset()
        data = await manager("query($n: Int) { people(first: $n) { nodes { communications { slug } } } }", n=first)
        assert len(data["people"]["nodes"]) == first
        counts.append(len(recorder.commands))
    assert counts[0] == counts[1], recorder.commands


def test_the_query_table_covers_every_field_of_person_and_organisation():
    private = {"email": "Person:email", "orcid": "Person:orcid", "contactVisibility": "Person:contactVisibility",
               "pendingEmail": "Person:pendingEmail",
               "hiddenContactDetails": "Person:hiddenContactDetails", "communications": "Person:communications",
               "subscriptions": "Person:subscriptions",
               "individualMembership.history.reason": "Person:individualMembership.history.reason",
               "individualMembership.history.acceptedAgreements":
                   "Person:individualMembership.history.acceptedAgreements",
               "Person.history": "Person:history", "Organisation.history": "Organisation:history",
               "Person.invitations": "Person:invitations", "Person.visibleAs": "Person:visibleAs",
               "membership.removalNoticeOn": "Organisation:membership.removalNoticeOn",
               "membership.removableFrom": "Organisation:membership.removableFrom",
               "membership.history.reason": "Organisation:membership.history.reason"}
    covered = {private.get(key) or key.replace("person:", "Person:").replace("organisation:", "Organisation:")
               for key in EXPECTED}
    schema = build_schema()._schema
    fields = {f"{kind}:{path}" for kind in (PERSON, ORGANISATION) for path in _fields_of(schema.type_map[kind])}
    assert covered == fields
