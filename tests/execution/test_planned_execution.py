"""Planned execution answers exactly as graphql-core does.

graphql-core (the schema built with `planned=False`) is the reference: every
query here, written or generated, must give the same data and the same errors
through both, as each kind of caller. The written ones must also actually be
planned, or the comparison would prove nothing.
"""

import asyncio
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType, get_named_type
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries

from datastore.records.vocabulary import Role
from resolvers.context import Context
from resolvers.viewer import ANONYMOUS, Viewer
from memberdir.execution import build_schema
from memberdir.execution.document_cache import reuse_documents
from memberdir.execution.planned import execution
from memberdir.execution.planned.execution import outcomes
from memberdir.execution.planned.plan import Completion, _serializer
from memberdir.execution.planned.run import _already_json, _settle
from tests.security.test_fuzz import SCALARS

PLANNED = build_schema()
REFERENCE = build_schema(planned=False)

VIEWERS = {
    "anonymous": ANONYMOUS,
    "member": Viewer(role=Role.MEMBER, person_id="per_tom"),
    "primary": Viewer(role=Role.MEMBER, person_id="per_priya"),  # Helix's Primary
    "staff": Viewer(role=Role.STAFF, person_id="per_ana"),
}

PLANNABLE = {
    "a": """{ organisations(first: 100, filter: {continents: [AFRICA]}) { totalCount nodes { name
            country { name } contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name } } } } }""",
    "b": """{ organisations(first: 100) { nodes { name contacts { role person { name affiliation { name }
            groups { role group { name } } } } } } }""",
    "c": """{ workingGroup(slug: "data-work-stream") { roster(first: 500) { totalCount nodes { role since until
            person { name affiliation { name } } } } } }""",
    "d": "{ membershipStats(by: COUNTRY) { key label count } }",
    "aliases, fragments, __typename": """{ first: organisations(first: 2) { ...page }
            rest: organisations(first: 3, orderBy: UPDATED_ASC) { ...page edges { cursor node { id } } } }
            fragment page on OrganisationConnection { __typename pageInfo { hasNextPage endCursor }
            nodes { ... on Organisation { __typename slug kind sectors designations } } }""",
    "contact details and privacy": """{ people(first: 50) { nodes { id name givenName familyName email orcid
            contactVisibility hiddenContactDetails country { code name continent } roles { role organisation { slug } }
            communications { slug } individualMembership { status since history { status on reason } } } } }""",
    "membership and its history": """{ organisations(first: 30) { nodes { membership { status joinedOn
            lastReviewedOn nextReviewDue removalNoticeOn history { status on reason } } version updatedAt
            website rorId city continent workingGroups { slug } people(first: 3) { totalCount nodes { name } } } } }""",
    "groups": """{ workingGroups { slug kind active description parent { slug } children { slug }
            chairs { name } organisations { slug } roster(first: 5, activeOn: "2024-01-01") {
            pageInfo { hasNextPage } edges { cursor node { id role active group { slug } } } } } }""",
    "one of each": """query($slug: String!, $skip: Boolean!) { organisation(slug: $slug) { name
            contacts @skip(if: $skip) { id workingGroup { slug } } } person(id: "per_priya") { name }
            countries(continent: OCEANIA) { code name } unknown: organisation(slug: "nobody-here") { name } }""",
    "statistics across two dimensions": """{ membershipStats(by: CONTINENT, thenBy: SECTOR,
            filter: {statuses: [ACTIVE]}) { key label count breakdown { key label count } } }""",
}
VARIABLES = {"slug": "helix-genomics", "skip": False}

NOT_PLANNED = {
    "introspection": "{ __schema { queryType { name } } }",
    "an interface": '{ node(id: "per_priya") { id ... on Person { name } } }',
    "entities": '{ _entities(representations: [{__typename: "Person", id: "per_priya"}]) { ... on Person { name } } }',
}
ERRORS = {
    "a first over the maximum": "{ organisations(first: 101) { nodes { name } } }",
    "a bad cursor, beside good fields": '{ organisations(after: "nonsense") { nodes { name } } countries { code } }',
    "two ids": '{ organisation(id: "org_x", slug: "y") { name } }',
}


def _context(db, viewer: Viewer) -> Context:
    return Context.for_request(db, viewer=viewer)


async def _both(db, query: str, viewer: Viewer = ANONYMOUS, variables: dict | None = None) -> tuple[Any, Any]:
    planned = await PLANNED.execute(query, variable_values=variables, context_value=_context(db, viewer))
    reference = await REFERENCE.execute(query, variable_values=variables, context_value=_context(db, viewer))
    return _answer(planned), _answer(reference)


def _answer(result) -> dict:
    return {"data": result.data, "errors": [e.formatted for e in result.errors or ()]}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("name", PLANNABLE)
async def test_plannable_queries_are_planned_and_answer_as_graphql_core(directory, name, viewer):
    before = outcomes["planned"]
    planned, reference = await _both(directory, PLANNABLE[name], VIEWERS[viewer], VARIABLES)
    assert outcomes["planned"] == before + 1, "the query was not planned"
    assert planned == reference
    assert reference["errors"] == [] and reference["data"]


async def test_a_plan_is_made_once_per_operation_and_variables(directory, monkeypatch):
    made = []

    class CountingPlanner(execution.Planner):
        def plan(self):
            made.append(self.executor.variable_values.coerced)
            return super().plan()

    monkeypatch.setattr(execution, "Planner", CountingPlanner)
    monkeypatch.setattr(execution, "known_plans", execution.KnownPlans())
    reusing = build_schema(extensions=[reuse_documents()])  # as the app's: one parsed document per text
    query = """query($n: Int!, $skip: Boolean!) { organisations(first: $n) { nodes { slug
        contacts @skip(if: $skip) { id person { email } } } } }"""
    asked = [{"n": 1, "skip": True}, {"n": 3, "skip": False}, {"n": 1, "skip": True}, {"n": 3, "skip": False}]
    last_answers = {}
    for variables in asked:
        for name in ("anonymous", "staff"):
            viewer = VIEWERS[name]
            result = await reusing.execute(query, variable_values=variables, context_value=_context(directory, viewer))
            expected = await REFERENCE.execute(query, variable_values=variables, context_value=_context(directory, viewer))
            planned, reference = _answer(result), _answer(expected)
            assert planned == reference
            nodes = planned["data"]["organisations"]["nodes"]
            assert len(nodes) == variables["n"] and all(("contacts" in n) != variables["skip"] for n in nodes)
            last_answers[name] = planned
    assert last_answers["anonymous"] != last_answers["staff"]  # one plan, each viewer's own contact details
    assert made == asked[:2]  # each operation and variables planned once, for every viewer


async def test_the_comparison_queries_on_the_demo_directory(demo_db):
    for name in "abcd":
        before = outcomes["planned"]
        planned, reference = await _both(demo_db, PLANNABLE[name].replace("data-work-stream", "clinical-work-stream"))
        assert outcomes["planned"] == before + 1
        assert planned == reference and len(str(reference["data"])) > 1000


@pytest.mark.parametrize("name", NOT_PLANNED)
async def test_what_the_plan_does_not_cover_is_left_to_graphql_core(directory, name):
    before = outcomes["not planned"]
    planned, reference = await _both(directory, NOT_PLANNED[name])
    assert outcomes["not planned"] == before + 1
    assert planned == reference


@pytest.mark.parametrize("name", ERRORS)
async def test_errors_come_from_graphql_core_with_their_paths(directory, name):
    planned, reference = await _both(directory, ERRORS[name])
    assert planned == reference
    assert reference["errors"] and all(e.get("path") for e in reference["errors"])


async def test_each_resolver_is_resumed_as_soon_as_what_it_waits_for_is_done():
    # One resolver holds a lock (as a pool holds a connection) while it waits; the
    # other waits for the lock. Resumed only together, neither would ever finish.
    lock = asyncio.Lock()

    async def holder() -> str:
        async with lock:
            await asyncio.sleep(0.01)
            return "held"

    async def waiter() -> str:
        async with lock:
            return "waited"

    column = [holder(), waiter()]
    await asyncio.wait_for(_settle([column]), timeout=5)
    assert column == ["held", "waited"]


def _reaches_abstract(type_, seen: set[str]) -> bool:
    """Whether an answer of this type can hold an interface or a union, at any depth."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return True
    if not isinstance(named, GraphQLObjectType) or named.name in seen:
        return False
    seen.add(named.name)
    return any(_reaches_abstract(field.type, seen) for field in named.fields.values())


# Root fields whose answers hold no interface or union, found by walking the schema (so a field
# added later that leads to one is left out by construction): the plan covers all of them.
READ_FIELDS = [name for name, field in REFERENCE._schema.query_type.fields.items()
               if name != "_service" and not _reaches_abstract(field.type, set())]
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)


@EXAMPLES
@given(query=queries(REFERENCE._schema, fields=READ_FIELDS, custom_scalars=SCALARS))
async def test_generated_read_queries_are_planned_and_answer_as_graphql_core(directory, query):
    for viewer in (ANONYMOUS, VIEWERS["staff"]):
        before = outcomes["planned"]
        planned, reference = await _both(directory, query, viewer)
        assert planned == reference, query
        if not reference["errors"]:
            assert outcomes["planned"] == before + 1, f"not planned: {query}"


@EXAMPLES
@given(query=queries(REFERENCE._schema, custom_scalars=SCALARS))
async def test_generated_queries_over_the_whole_schema_answer_as_graphql_core(directory, query):
    planned, reference = await _both(directory, query, VIEWERS["staff"])
    assert planned == reference, query


@pytest.mark.parametrize(
    ("exact", "nullable", "column", "passed"),
    [
        (str, False, ["a", "b"], True),
        (str, True, ["a", None], True),
        (str, False, ["a", None], False),  # a null where none may be: graphql-core reports it
        (str, False, ["a", 1], False),  # serialized value by value
        (int, False, [0, -(2**31), 2**31 - 1], True),
        (int, False, [1, 2**31], False),  # past 32 bits: graphql-core's error
        (int, False, [1, True], False),  # a bool is not an Int's own value
        (int, True, [1, None], False),  # min() and max() cannot look past None
        (None, False, ["a"], False),  # an enum or a custom scalar always serializes
        (bool, False, [], True),
    ],
)
def test_a_leaf_column_passes_unchanged_only_when_every_value_is_its_own_json(exact, nullable, column, passed):
    completion = Completion(nullable=nullable, serialize=str, exact=exact)
    assert _already_json(completion, column) is passed


def test_an_enum_member_serializes_as_strawberrys_serializer_names_it():
    type_map = PLANNED._schema.type_map
    enum_types = [t for t in type_map.values() if isinstance(t, GraphQLEnumType) and hasattr(t, "wrapped_cls")]
    assert len(enum_types) > 10
    for type_ in enum_types:
        serialize = _serializer(type_)
        for member in type_.wrapped_cls:
            assert serialize(member) == type_.serialize(member), (type_.name, member)
    role = type_map["ContactRole"]
    assert _serializer(role)("PRIMARY") == role.serialize("PRIMARY") == "PRIMARY"  # not a member: Strawberry's own answer


async def test_a_selection_under_an_empty_list_is_planned_and_its_arguments_are_never_checked(directory):
    """graphql-core calls no resolver without a parent: `first: -1` under an empty page is no error."""
    query = "{ organisationsNeedingPrimary(first: 0) { contacts(roles: [], first: -1) { role } } }"
    before = outcomes["planned"]
    planned, reference = await _both(directory, query, VIEWERS["staff"])
    assert planned == reference == {"data": {"organisationsNeedingPrimary": []}, "errors": []}
    assert outcomes["planned"] == before + 1
