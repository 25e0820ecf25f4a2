"""The planned executor and graphql-core give the same answers, errors included.

graphql-core (the schema built with `planned=False`) is the reference. Queries
are generated over the whole read schema (hypothesis-graphql), with arguments
drawn from the demo directory's real ids, slugs and cursors beside nonsense
ones, page sizes in and out of range, and nulls; then dressed with aliases,
a field asked twice, inline and named fragments, and @include/@skip. Each is
run through both executors as one kind of caller (anonymous, a member, an
organisation's Primary, staff), on fresh requests, behind the app's query
limits (a lower cost bound keeps answers small enough for the test command).

`data` must be equal, and so must `errors` (message, path, locations,
extensions). Errors are compared as sorted lists: graphql-core reports sibling
fields' errors in the order they finish, which is not this test's business;
which errors there are (the set null propagation leaves) is.
"""

import json
from dataclasses import dataclass
from typing import Any

import graphql
from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionSetNode,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from datastore.records.vocabulary import Role
from memberdir.execution import build_schema
from memberdir.execution.limits import QueryLimits, limit_extensions
from memberdir.execution.planned.execution import LEFT_TO_GRAPHQL_CORE, PLANNED, outcomes
from memberdir.settings import Settings
from resolvers.context import Context
from resolvers.viewer import ANONYMOUS, Viewer
from tests.security.test_fuzz import SCALARS

_settings = Settings()
LIMITS = QueryLimits(
    max_depth=_settings.max_depth,
    max_aliases=_settings.max_aliases,
    max_tokens=_settings.max_tokens,
    max_cost=20_000,
    max_expanded_fields=_settings.max_expanded_fields,
)
PLANNED_SCHEMA = build_schema(extensions=limit_extensions(LIMITS), planned=True)
REFERENCE = build_schema(extensions=limit_extensions(LIMITS), planned=False)
SCHEMA = REFERENCE._schema
READ_FIELDS = [name for name in SCHEMA.query_type.fields if name != "_service"]  # _service: the SDL, one string
# A query that asks for an interface or a union anywhere is left whole to graphql-core
# (not planned): most queries draw from the other root fields, so most are planned.
PLANNABLE_FIELDS = [name for name in READ_FIELDS if name not in ("node", "nodes", "_entities")]

# Mostly small pages (the cost rule counts each list at its size), and the edges of the range.
PAGE_SIZES = [0, 1, 1, 2, 2, 3, 3, 5, 20, 100, 101, 200, 201, 501, -1]
NONSENSE_IDS = ["org_0000000000", "per_nobody", "grp_", "", "x" * 65]
NONSENSE_STRINGS = ["nonsense", "WyJub25zZW5zZSJd", "", "gen", "NG", "ZZ", "clinical", "a" * 101]


@dataclass(frozen=True)
class Known:
    """What the demo directory holds: ids, slugs and cursors to draw arguments from, and callers."""

    ids: tuple[str, ...]
    strings: tuple[str, ...]
    viewers: dict[str, Viewer]


KNOWN_QUERY = """{
  organisations(first: 3) { pageInfo { endCursor } nodes { id slug contacts { role person { id } }
    people(first: 2) { pageInfo { endCursor } } } }
  people(first: 40) { pageInfo { endCursor } nodes { id roles { role } } }
  workingGroups(first: 3) { id slug roster(first: 2) { pageInfo { endCursor } nodes { id } } } }"""
_known: dict[int, Known] = {}


async def known(db) -> Known:
    if id(db) not in _known:
        staff = Viewer(role=Role.STAFF, person_id="per_staff")
        result = await REFERENCE.execute(KNOWN_QUERY, context_value=Context.for_request(db, viewer=staff))
        assert result.errors is None, result.errors
        data = result.data
        organisations, people, groups = data["organisations"], data["people"], data["workingGroups"]
        primary = next(c["person"]["id"] for o in organisations["nodes"] for c in o["contacts"] if c["role"] == "PRIMARY")
        member = next(p["id"] for p in people["nodes"] if not p["roles"])
        ids = [
            *(o["id"] for o in organisations["nodes"]), *(p["id"] for p in people["nodes"][:4]),
            *(g["id"] for g in groups), *(e["id"] for g in groups for e in g["roster"]["nodes"]), primary,
        ]
        cursors = [
            organisations["pageInfo"]["endCursor"], people["pageInfo"]["endCursor"],
            *(o["people"]["pageInfo"]["endCursor"] for o in organisations["nodes"]),
            *(g["roster"]["pageInfo"]["endCursor"] for g in groups),
        ]
        slugs = [*(o["slug"] for o in organisations["nodes"]), *(g["slug"] for g in groups)]
        _known[id(db)] = Known(
            ids=tuple(dict.fromkeys(ids)),
            strings=tuple(dict.fromkeys(s for s in [*slugs, *cursors, *ids] if s)),
            viewers={
                "anonymous": ANONYMOUS,
                "member": Viewer(role=Role.MEMBER, person_id=member),
                "primary": Viewer(role=Role.MEMBER, person_id=primary),
                "staff": staff,
            },
        )
    return _known[id(db)]


def documents(found: Known) -> st.SearchStrategy[graphql.DocumentNode]:
    scalars = {
        **SCALARS,
        "Int": st.sampled_from(PAGE_SIZES).map(nodes.Int),
        "ID": st.sampled_from([*found.ids, *NONSENSE_IDS]).map(nodes.String),
        "String": st.sampled_from([*found.strings, *NONSENSE_STRINGS]).map(nodes.String),
    }
    def over(fields: list[str]) -> st.SearchStrategy[graphql.DocumentNode]:
        return queries(SCHEMA, fields=fields, custom_scalars=scalars, print_ast=lambda document: document)

    return st.one_of(over(PLANNABLE_FIELDS), over(PLANNABLE_FIELDS), over(PLANNABLE_FIELDS), over(READ_FIELDS))


@st.composite
def dressed(draw: Any, document: graphql.DocumentNode) -> str:
    """The document with aliases, repeated fields, fragments and directives drawn in."""
    operation = document.definitions[0]
    fragments: list[FragmentDefinitionNode] = []
    selection_set = _dress(draw, operation.selection_set, SCHEMA.query_type, fragments)
    operation = graphql.OperationDefinitionNode(
        operation=operation.operation, name=operation.name, variable_definitions=(), directives=(),
        selection_set=selection_set,
    )
    return graphql.print_ast(graphql.DocumentNode(definitions=(operation, *fragments)))


def _directive(condition: str, value: bool) -> DirectiveNode:
    argument = graphql.ArgumentNode(name=NameNode(value="if"), value=nodes.Boolean(value))
    return DirectiveNode(name=NameNode(value=condition), arguments=(argument,))


DIRECTIVES = [(), (), (), ("include", True), ("include", False), ("skip", True), ("skip", False)]


def _dress(draw: Any, selection_set: SelectionSetNode, parent: Any, fragments: list) -> SelectionSetNode:
    selections = []
    for node in selection_set.selections:
        if not isinstance(node, FieldNode):  # hypothesis-graphql's own inline fragments (abstract types)
            selections.append(node)
            continue
        inner = node.selection_set
        definition = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
        if inner is not None and definition is not None:
            named = graphql.get_named_type(definition.type)
            if isinstance(named, graphql.GraphQLObjectType):
                inner = _dress(draw, inner, named, fragments)
        copies = draw(st.sampled_from([1, 1, 1, 2]))
        for copy in range(copies):
            alias = node.alias
            if copy or draw(st.sampled_from([False, False, True])):
                alias = NameNode(value=f"a{copy}_{node.name.value}")
            directive = draw(st.sampled_from(DIRECTIVES))
            selections.append(FieldNode(
                alias=alias, name=node.name, arguments=node.arguments, selection_set=inner,
                directives=(_directive(*directive),) if directive else (),
            ))
    dressed_set = SelectionSetNode(selections=tuple(selections))
    how = draw(st.sampled_from(["plain", "plain", "inline fragment", "named fragment"]))
    condition = NamedTypeNode(name=NameNode(value=parent.name))
    if how == "inline fragment":
        return SelectionSetNode(selections=(InlineFragmentNode(type_condition=condition, selection_set=dressed_set),))
    if how == "named fragment":
        name = NameNode(value=f"F{len(fragments)}")
        fragments.append(FragmentDefinitionNode(name=name, type_condition=condition, selection_set=dressed_set))
        return SelectionSetNode(selections=(FragmentSpreadNode(name=name),))
    return dressed_set


async def answers(db, query: str, viewer: Viewer, variables: dict | None = None) -> tuple[dict, dict]:
    """Both executors' answers, each on a request of its own."""
    found = []
    for schema in (PLANNED_SCHEMA, REFERENCE):
        result = await schema.execute(query, variable_values=variables, context_value=Context.for_request(db, viewer=viewer))
        errors = [error.formatted for error in result.errors or ()]
        found.append({"data": result.data, "errors": sorted(errors, key=lambda e: json.dumps(e, sort_keys=True))})
    return found[0], found[1]


EXAMPLES = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)


@EXAMPLES
@given(data=st.data())
async def test_generated_queries_answer_as_graphql_core(demo_db, data):
    found = await known(demo_db)
    query = data.draw(documents(found).flatmap(dressed), label="query")
    caller = data.draw(st.sampled_from(sorted(found.viewers)), label="caller")
    planned, reference = await answers(demo_db, query, found.viewers[caller])
    assert planned == reference, (caller, query)


# Written cases the generator would rarely draw: two bad arguments side by side, a bad
# cursor beside a batched field, null and out-of-range variables.
WRITTEN = {
    "two bad arguments": (
        "query($f: Int) { people(first: 10) { nodes { groups(first: $f) { role } roles(first: $f) { role } } } }",
        {"f": 201},
    ),
    "two bad arguments, the other order": (
        "query($f: Int) { people(first: 10) { nodes { roles(first: $f) { role } groups(first: $f) { role } } } }",
        {"f": 201},
    ),
    "a bad argument beside batched fields": (
        """query($f: Int) { organisations(first: 20) { nodes { contacts { role person { name affiliation { name } } }
           workingGroups(first: $f) { slug } people(first: 3) { nodes { groups { role } } } } } }""",
        {"f": -1},
    ),
    "errors on several levels": (
        """query($f: Int, $a: String) { organisations(first: 5) { nodes { name
           people(first: 3, after: $a) { nodes { name roles(first: $f) { role } } } } }
           workingGroups(first: 3) { slug children(first: $f) { slug } roster(first: 2) { totalCount } } }""",
        {"f": 101, "a": "nonsense"},
    ),
    "null page sizes": (
        "query($f: Int) { organisations(first: $f) { nodes { contacts(first: $f) { role } } } people(first: $f) { totalCount } }",
        {"f": None},
    ),
}


async def test_written_queries_answer_as_graphql_core_for_every_caller(demo_db):
    found = await known(demo_db)
    for name, (query, variables) in WRITTEN.items():
        for caller, viewer in found.viewers.items():
            planned, reference = await answers(demo_db, query, viewer, variables)
            assert planned == reference, (name, caller)
            assert reference["errors"] or name == "null page sizes", name


async def test_of_two_bad_arguments_the_first_in_the_document_is_reported(demo_db):
    for name, first in [("two bad arguments", "groups"), ("two bad arguments, the other order", "roles")]:
        query, variables = WRITTEN[name]
        for _ in range(3):  # whichever read would come back first
            planned, reference = await answers(demo_db, query, ANONYMOUS, variables)
            assert planned == reference
            assert [e["path"] for e in planned["errors"]] == [["people", "nodes", 0, first]]


async def test_a_planned_run_that_meets_an_error_leaves_it_to_graphql_core(demo_db):
    query, variables = WRITTEN["a bad argument beside batched fields"]
    before = outcomes[LEFT_TO_GRAPHQL_CORE], outcomes[PLANNED]
    planned, reference = await answers(demo_db, query, ANONYMOUS, variables)
    assert planned == reference and reference["errors"]
    assert (outcomes[LEFT_TO_GRAPHQL_CORE], outcomes[PLANNED]) == (before[0] + 1, before[1])


async def test_graphql_core_answers_a_failed_planned_run_on_fresh_loaders(demo_db):
    """Not on the loaders the attempt filled halfway: their reads finished in another
    order than a fresh request's would, so other errors would survive null propagation."""
    query, variables = WRITTEN["errors on several levels"]
    context = Context.for_request(demo_db)
    attempted = context.loaders
    before = outcomes[LEFT_TO_GRAPHQL_CORE]
    result = await PLANNED_SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert result.errors and outcomes[LEFT_TO_GRAPHQL_CORE] == before + 1
    assert context.loaders is not attempted
