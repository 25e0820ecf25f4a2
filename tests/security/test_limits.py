"""Hostile queries and requests are refused before they cost anything, and the server keeps serving."""

import asyncio
import json

import pytest
from strawberry.extensions import SchemaExtension

from memberdir.settings import Settings
from tests.security_helpers import assert_still_serves, client_for, error_codes, messages

LIMITS = Settings(max_depth=6, max_aliases=3, max_tokens=200, max_cost=1000, max_batch_operations=3, max_body_bytes=4096)


@pytest.fixture(scope="module")
async def limited(directory):
    async with client_for(directory, LIMITS) as client:
        yield client


async def post(client, query: str, **variables):
    return await client.post("/graphql", json={"query": query, "variables": variables})


async def test_deep_nesting_is_refused(limited):
    deep = '{ person(id: "per_ana") { affiliation { people { nodes { affiliation { people { nodes { name } } } } } } } }'
    response = await post(limited, deep)
    assert response.json()["data"] is None
    assert "exceeds maximum operation depth of 6" in messages(response)
    await assert_still_serves(limited)


async def test_alias_flood_is_refused(limited):
    flood = "{ " + " ".join(f"a{i}: countries {{ code }}" for i in range(10)) + " }"
    response = await post(limited, flood)
    assert response.json()["data"] is None
    assert "10 aliases found. Allowed: 3" in messages(response)
    await assert_still_serves(limited)


async def test_token_flood_is_refused_while_parsing(limited):
    flood = "{ " + " ".join(["__typename"] * 300) + " }"
    response = await post(limited, flood)
    assert response.json()["data"] is None
    assert "more than 200 tokens" in messages(response)
    await assert_still_serves(limited)


async def test_huge_page_cost_is_refused_before_running(limited, recorder):
    costly = "query($n: Int) { organisations(first: $n) { nodes { people(first: 100) { nodes { name } } } } }"
    response = await post(limited, costly, n=50)
    assert response.json()["data"] is None
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 5050, "limit": 1000}
    assert "Ask for smaller pages" in error["message"]
    # The same query with small pages runs.
    small = await post(limited, costly, n=5)
    assert small.status_code == 200 and "errors" not in small.json()
    await assert_still_serves(limited)


async def test_batch_flood_is_refused(limited):
    batch = [{"query": "{ countries { code } }"}] * 4
    response = await limited.post("/graphql", json=batch)
    assert response.status_code == 400
    assert "At most 3 operations in one batched request, got 4" in response.text
    allowed = await limited.post("/graphql", json=batch[:3])
    assert allowed.status_code == 200 and len(allowed.json()) == 3
    await assert_still_serves(limited)


async def test_oversize_body_is_refused_with_413(limited):
    padding = "#" + "x" * 5000 + "\n"
    response = await limited.post("/graphql", json={"query": padding + "{ countries { code } }"})
    assert response.status_code == 413
    assert error_codes(response) == ["REQUEST_TOO_LARGE"]
    await assert_still_serves(limited)


async def test_oversize_body_without_a_declared_length_is_refused(limited):
    async def chunks():
        for _ in range(10):
            yield b" " * 1000  # JSON whitespace: a body that would parse
        yield json.dumps({"query": "{ countries { code } }"}).encode()

    response = await limited.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    await assert_still_serves(limited)


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", None]
)
async def test_post_without_json_content_type_is_refused_with_415(limited, content_type):
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps({"query": "{ countries { code } }"})
    response = await limited.post("/graphql", content=body, headers=headers)
    assert response.status_code == 415
    assert error_codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]
    await assert_still_serves(limited)


async def test_mutation_over_get_is_refused(limited):
    # The schema has no mutations yet; any mutation over GET is refused all the same.
    response = await limited.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert error_codes(response) == ["METHOD_NOT_ALLOWED"]
    assert messages(response) == "Mutations are sent with POST"
    query = await limited.get("/graphql", params={"query": "{ countries(continent: OCEANIA) { code } }"})
    assert query.status_code == 200 and {"code": "AU"} in query.json()["data"]["countries"]
    await assert_still_serves(limited)


class HangOnOrganisations(SchemaExtension):
    """Test-only: resolving `organisations` never finishes, so only the deadline can end it."""

    def resolve(self, _next, root, info, *args, **kwargs):
        if info.field_name == "organisations":
            return asyncio.Event().wait()
        return _next(root, info, *args, **kwargs)


async def test_slow_query_is_cancelled_at_the_deadline(directory):
    settings = Settings(execution_deadline_seconds=1.0)  # room for the ordinary query after it on a loaded machine
    async with client_for(directory, settings, extensions=(HangOnOrganisations,)) as client:
        response = await post(client, "{ organisations { totalCount } }")
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert error_codes(response) == ["DEADLINE_EXCEEDED"]
        assert "1 s deadline" in messages(response)
        await assert_still_serves(client)


PRODUCTION = Settings(environment="production")


async def test_no_introspection_for_anonymous_callers_in_production(directory):
    async with client_for(directory, PRODUCTION) as client:
        response = await post(client, "{ __schema { types { name } } }")
        assert response.json()["data"] is None
        assert "introspection" in messages(response).lower()
        typename = await post(client, "{ __typename }")  # not introspection: allowed
        assert typename.json()["data"] == {"__typename": "Query"}
        await assert_still_serves(client)


async def test_introspection_is_open_in_development(limited):
    response = await post(limited, "{ __type(name: \"Person\") { name } }")
    assert response.json()["data"] == {"__type": {"name": "Person"}}


async def test_no_field_suggestions_in_production(directory):
    typo = '{ organisation(id: "org_lagos") { nme } }'
    async with client_for(directory) as development:
        assert "Did you mean 'name'" in messages(await post(development, typo))
    async with client_for(directory, PRODUCTION) as client:
        response = await post(client, typo)
        assert messages(response) == "Cannot query field 'nme' on type 'Organisation'."
        enum_typo = await post(client, "query($o: OrganisationOrder) { organisations(orderBy: $o) { totalCount } }", o="NAME_AS")
        assert "NAME_AS" in messages(enum_typo) and "Did you mean" not in messages(enum_typo)
        await assert_still_serves(client)


class FailInsideCountries(SchemaExtension):
    """Test-only: an internal failure with a secret in its message."""

    def resolve(self, _next, root, info, *args, **kwargs):
        if info.field_name == "countries":
            raise RuntimeError("mongodb://admin:secret@db.internal failed")
        return _next(root, info, *args, **kwargs)


async def test_internal_errors_are_masked(directory):
    async with client_for(directory, PRODUCTION, extensions=(FailInsideCountries,)) as client:
        response = await post(client, "{ countries { code } }")
        assert response.status_code == 200
        assert "secret" not in response.text and "RuntimeError" not in response.text
        assert messages(response) == "Unexpected error."
        await assert_still_serves(client)


async def test_default_limits_let_graphiql_and_the_readme_examples_through(http):
    from graphql import get_introspection_query

    introspection = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True)
    response = await post(http, introspection)
    assert "errors" not in response.json() and response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    readme = """query AfricanMembers($after: String) {
      organisations(filter: {continents: [AFRICA], statuses: [ACTIVE]}, first: 50, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { name country { name } contacts(roles: [PRIMARY, ADMINISTRATOR, SIGNER]) { role person { name email } } } } }"""
    assert "errors" not in (await post(http, readme)).json()
    roster = '{ workingGroup(slug: "clinical-work-stream") { name chairs { name } roster(first: 500) { totalCount nodes { role since until active person { name affiliation { name } } } } } }'
    assert "errors" not in (await post(http, roster)).json()
