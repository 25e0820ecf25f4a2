"""Client input that used to reach the database and fail inside: a lone surrogate in any
string argument is BAD_USER_INPUT naming the argument; `_entities` representations with
keys besides `__typename` and `id` resolve (the extra keys are ignored)."""

import json

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType, get_named_type, is_composite_type

from memberdir.execution import build_schema
from tests.security_helpers import assert_still_serves

LONE_SURROGATE = "a\ud800b"
REQUIRED = {"by": "COUNTRY", "id": '"per_ana"', "interval": "YEAR", "text": '"x"', "recordType": "PERSON"}  # other required arguments, as literals
SCHEMA = build_schema()._schema



def _cases():
    """(query, variables, argument) for every string-like argument of every root field,
    and every string-like field of an input-object argument."""
    for name, field in SCHEMA.query_type.fields.items():
        if name.startswith("_"):
            continue
        selection = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
        for arg_name, argument in field.args.items():
            named = get_named_type(argument.type)
            others = ", ".join(
                f"{other}: {REQUIRED[other]}" for other, a in field.args.items()
                if other != arg_name and isinstance(a.type, GraphQLNonNull)
            )
            prefix = f"{others}, " if others else ""
            if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID"):
                is_list = isinstance(argument.type.of_type if isinstance(argument.type, GraphQLNonNull) else argument.type, GraphQLList)
                value = [LONE_SURROGATE] if is_list else LONE_SURROGATE
                query = f"query($v: {argument.type}) {{ {name}({prefix}{arg_name}: $v){selection} }}"
                yield pytest.param(query, {"v": value}, arg_name, id=f"{name}.{arg_name}")
            elif isinstance(named, GraphQLInputObjectType):
                for inner, inner_field in named.fields.items():
                    inner_named = get_named_type(inner_field.type)
                    if inner_named.name not in ("String", "ID"):
                        continue
                    is_list = isinstance(inner_field.type.of_type if isinstance(inner_field.type, GraphQLNonNull) else inner_field.type, GraphQLList)
                    value = [LONE_SURROGATE] if is_list else LONE_SURROGATE
                    query = f"query($v: {inner_field.type}) {{ {name}({prefix}{arg_name}: {{{inner}: $v}}){selection} }}"
                    yield pytest.param(query, {"v": value}, f"{arg_name}.{inner}", id=f"{name}.{arg_name}.{inner}")


CASES = list(_cases())


def test_the_cases_cover_the_string_arguments():
    covered = {c.id for c in CASES}
    assert {"organisation.id", "organisation.slug", "organisations.filter.search", "organisations.filter.countries",
            "organisations.after", "people.filter.search", "workingGroups.filter.search", "person.id"} <= covered


@pytest.mark.parametrize("query, variables, argument", CASES)
async def test_a_lone_surrogate_in_a_string_argument_is_named(http, query, variables, argument):
    body = json.dumps({"query": query, "variables": variables})  # json escapes it as \ud800
    response = await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert "lone surrogate" in error["message"]
    await assert_still_serves(http)


async def test_a_lone_surrogate_in_a_nested_field_argument_or_a_representation_is_named(http):
    nested = 'query($v: String) { organisation(id: "org_lagos") { people(after: $v) { totalCount } } }'
    response = await http.post("/graphql", content=json.dumps({"query": nested, "variables": {"v": LONE_SURROGATE}}),
                               headers={"content-type": "application/json"})
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }"
    representations = [{"__typename": "Person", "id": LONE_SURROGATE}]
    response = await http.post("/graphql", content=json.dumps({"query": entities, "variables": {"r": representations}}),
                               headers={"content-type": "application/json"})
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "representations"}
    await assert_still_serves(http)


async def test_a_lone_surrogate_in_a_literal_is_a_syntax_error(http):
    response = await http.post("/graphql", json={"query": '{ organisation(slug: "\\ud800") { name } }'})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"].startswith("Syntax Error: Invalid Unicode escape sequence")


async def test_representations_with_extra_keys_resolve(http):
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { id name } ... on Person { id } } }"
    representations = [
        {"__typename": "Organisation", "id": "org_lagos", "name": "from the router", "contactVisibility": "PUBLIC"},
        {"__typename": "Person", "id": "per_ana", "extra": {"nested": [1, 2]}, "__extra": None},
    ]
    response = await http.post("/graphql", json={"query": query, "variables": {"r": representations}})
    assert response.json()["data"] == {
        "_entities": [{"id": "org_lagos", "name": "Lagos Rare Disease Foundation"}, {"id": "per_ana"}]
    }
