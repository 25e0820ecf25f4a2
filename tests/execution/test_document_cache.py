"""A document found valid is not validated again, and nothing a client sees changes for it
(memberdir.execution.document_cache): the cost rule still reads each request's variables, the
introspection rule still follows the caller, and the errors are those a full validation gives."""

from graphql import ValidationRule, parse, validate
from graphql.language import parser
from strawberry.extensions import SchemaExtension

from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.settings import Settings
from memberdir.execution import build_schema
from memberdir.execution.cost import cost_limit_rule, operation_variables
from memberdir.execution.document_cache import KnownDocuments, variable_rule_errors
from tests.security_helpers import client_for

LIMITS = Settings(max_cost=1000)
COSTLY = "query($n: Int) { organisations(first: $n) { nodes { people(first: 100) { nodes { name } } } } }"


def counting_extension(counts: list[int]) -> type[SchemaExtension]:
    """Adds a rule to every request's validation that counts the validations it runs in."""

    class Counted(ValidationRule):
        def __init__(self, context):
            super().__init__(context)
            counts.append(1)

    class AddCounted(SchemaExtension):
        def on_operation(self):
            context = self.execution_context
            context.validation_rules = (*context.validation_rules, Counted)
            yield

    return AddCounted


async def post(client, query: str, headers: dict | None = None, **variables):
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers or {})


async def test_a_document_found_valid_is_not_validated_again(directory):
    counts: list[int] = []
    async with client_for(directory, extensions=(counting_extension(counts),)) as client:
        for _ in range(3):
            response = await post(client, "{ countries { code } }")
            assert "errors" not in response.json()
        assert len(counts) == 1
        await post(client, "{ countries { name } }")  # another text: validated
        assert len(counts) == 2


async def test_an_invalid_document_is_validated_every_time(directory):
    counts: list[int] = []
    async with client_for(directory, extensions=(counting_extension(counts),)) as client:
        for _ in range(2):
            response = await post(client, "{ countries { nme } }")
            assert response.json()["errors"][0]["message"].startswith("Cannot query field 'nme'")
        assert len(counts) == 2


async def test_the_cost_follows_each_requests_variables(directory):
    async with client_for(directory, LIMITS) as fresh:
        expected = (await post(fresh, COSTLY, n=50)).json()["errors"]
    async with client_for(directory, LIMITS) as client:
        cheap = await post(client, COSTLY, n=5)
        assert "errors" not in cheap.json()
        assert cheap.json()["extensions"]["cost"]["requestedQueryCost"] == 505
        costly = await post(client, COSTLY, n=50)  # the same text, now known valid
        assert costly.json()["data"] is None
        assert costly.json()["errors"] == expected
        assert costly.json()["extensions"]["cost"]["requestedQueryCost"] == 5050
        again = await post(client, COSTLY, n=6)
        assert again.json()["extensions"]["cost"]["requestedQueryCost"] == 606


async def test_introspection_stays_refused_to_anonymous_callers_after_a_member_asked(directory):
    key = (await api_keys.issue(directory, "validation cache test", Role.MEMBER)).secret_key
    introspection = "{ __schema { queryType { name } } }"
    async with client_for(directory, Settings(environment="production")) as client:
        member = await post(client, introspection, headers={"x-api-key": key})
        assert member.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
        anonymous = await post(client, introspection)
        assert anonymous.json()["data"] is None
        assert "introspection" in anonymous.json()["errors"][0]["message"].lower()


async def test_each_operation_of_a_batch_is_costed_under_its_own_variables(directory):
    async with client_for(directory, LIMITS) as client:
        batch = [{"query": COSTLY, "variables": {"n": n}} for n in (5, 50, 6)]
        cheap, costly, again = (await client.post("/graphql", json=batch)).json()
        assert "errors" not in cheap and "errors" not in again
        assert costly["data"] is None
        assert costly["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert costly["errors"][0]["extensions"]["cost"] == 5050


def test_the_variable_rules_alone_report_what_validate_reports_up_to_its_error_limit():
    schema = build_schema()._schema
    rule = cost_limit_rule(10)
    for count in (1, 3, 150):
        document = parse(" ".join(f"query q{i}($n: Int) {{ organisations(first: $n) {{ totalCount }} }}" for i in range(count)))
        with operation_variables({"n": 50}):
            expected = validate(schema, document, [rule])
            found = variable_rule_errors(schema, document, [rule])
        assert [(e.message, e.locations, e.extensions) for e in found] == [
            (e.message, e.locations, e.extensions) for e in expected
        ]
    assert found[-1].message.startswith("Too many validation errors") and len(found) == 101


async def test_a_query_text_is_parsed_once(directory, monkeypatch):
    parsed: list[str] = []
    real_parse = parser.parse

    def counting_parse(source, *args, **kwargs):
        parsed.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr("strawberry.schema.schema.parse", counting_parse)
    async with client_for(directory) as client:
        for _ in range(3):
            assert "errors" not in (await post(client, "{ countries { code } }")).json()
        for _ in range(2):  # a syntax error is not remembered: parsed, and refused, each time
            assert (await post(client, "{ countries { code }")).json()["errors"][0]["message"].startswith("Syntax Error")
    assert parsed == ["{ countries { code } }", "{ countries { code }", "{ countries { code }"]


def test_the_memory_is_bounded():
    document = parse("{ a }")
    known = KnownDocuments(size=2, max_characters=10, max_total_characters=15)
    assert known.add("{ " + "a " * 10 + "}", {}, document) is None  # too long to remember
    for text in ("{ a }", "{ b }"):
        known.add(text, {}, document)
    assert known.get("{ a }", {}) is not None  # now the most recently used
    known.add("{ c }", {}, document)
    assert [known.get(t, {}) is not None for t in ("{ a }", "{ b }", "{ c }")] == [True, False, True]
    assert known.get("{ a }", {"max_tokens": 10}) is None  # parsed under other options
    known.add("{ dddd }", {}, document)  # 18 characters in all: over 15, the oldest goes
    assert [known.get(t, {}) is not None for t in ("{ a }", "{ c }", "{ dddd }")] == [False, True, True]
