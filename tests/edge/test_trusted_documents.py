"""Trusted documents, automatically persisted queries and trusted-documents-only mode
(memberdir/edge/documents.py), and the manifest they read (schema/trusted-documents.json)."""

import asyncio
import hashlib
import json
import re

import pytest

from datastore.records.vocabulary import Role
from edge_helpers import live_server
from memberdir import api_keys, first_party_documents
from memberdir.edge.persisted_queries import PersistedQueries
from memberdir.edge.trusted_documents import MANIFEST, TrustedDocuments, document_id
from memberdir.execution import build_schema
from memberdir.app import create_app
from memberdir.settings import PROJECT_ROOT, Settings
from memberdir.supergraph import NODE_PROJECT
from tests.security_helpers import client_for, error_codes, messages

TRUSTED = TrustedDocuments.load()
OVERVIEW = (PROJECT_ROOT / "frontend/src/dashboard/operations/DashboardOverview.graphql").read_text()
UNTRUSTED = '{ organisation(id: "org_lagos") { name } }'
MUTATION_EXAMPLE = next(
    text for text in json.loads(MANIFEST.read_text()).values() if "mutation {\n  updateOrganisation" in text
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_the_committed_manifest_is_current():
    built = first_party_documents.manifest(build_schema()._schema)
    assert json.loads(MANIFEST.read_text()) == built, (
        "schema/trusted-documents.json is stale: run `.venv/bin/memberdir documents > schema/trusted-documents.json`"
    )


def test_the_manifest_holds_the_pages_graphiql_and_the_examples():
    sources = first_party_documents.sources()
    where = [s.where for s in sources]
    assert "frontend/src/dashboard/operations/DashboardOverview.graphql" in where
    assert "frontend/src/graphiql/Overview.graphql" in where
    assert sum(w.startswith("README.md example") for w in where) >= 15
    assert all(TRUSTED.trusts(s.text) for s in sources)


def test_pages_hold_their_operations_in_graphql_files_only():
    """The rule that keeps the manifest whole: no operation written inside page code."""
    inline = re.compile(r"`\s*(query|mutation|subscription)\b\s*\w*\s*[({]")
    found = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "frontend/src").rglob("*")
        if path.suffix in {".js", ".jsx", ".ts", ".tsx"} and inline.search(path.read_text())
    ]
    assert found == [], "write each operation as a named operation in a .graphql file imported with ?raw"


def test_a_source_that_is_not_a_document_is_named(tmp_path):
    (tmp_path / "frontend/src/page").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("")
    (tmp_path / "docs/api.md").write_text("")
    (tmp_path / "frontend/src/page/Anonymous.graphql").write_text("{ countries { name } }")
    with pytest.raises(first_party_documents.NotADocument, match="Anonymous.graphql: every first-party operation is named"):
        first_party_documents.manifest(build_schema()._schema, tmp_path)


async def test_a_trusted_document_by_id_over_get_and_post(http):
    identifier = f"sha256:{document_id(OVERVIEW)}"
    by_get = await http.get("/graphql", params={"documentId": identifier, "variables": '{"filter": {"continents": ["AFRICA"]}}'})
    by_post = await http.post("/graphql", json={"documentId": identifier, "variables": {"filter": {"continents": ["AFRICA"]}}})
    sent = await http.post("/graphql", json={"query": OVERVIEW, "variables": {"filter": {"continents": ["AFRICA"]}}})
    assert by_get.status_code == by_post.status_code == 200, by_get.text
    assert by_get.json()["data"] == by_post.json()["data"] == sent.json()["data"]
    assert by_get.json()["data"]["organisations"]["totalCount"] > 0


async def test_unknown_malformed_or_doubled_document_ids_are_refused(http):
    unknown = await http.post("/graphql", json={"documentId": "sha256:" + "0" * 64})
    malformed = await http.get("/graphql", params={"documentId": "md5:abc"})
    both = await http.post("/graphql", json={"documentId": f"sha256:{document_id(OVERVIEW)}", "query": OVERVIEW})
    assert error_codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert error_codes(malformed) == ["BAD_REQUEST"] and "sha256:" in messages(malformed)
    assert error_codes(both) == ["BAD_REQUEST"] and "not both" in messages(both)
    newer = await http.post("/graphql", json={"documentId": "sha256:" + "0" * 64},
                            headers={"accept": "application/graphql-response+json"})
    assert newer.status_code == 400 and "data" not in newer.json()


async def test_a_mutation_by_id_over_get_is_405_and_runs_nothing(http):
    response = await http.get("/graphql", params={"documentId": f"sha256:{document_id(MUTATION_EXAMPLE)}"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"


async def test_automatic_persisted_queries_register_once_checked(http):
    query = '{ organisation(id: "org_lagos") { name slug } }'
    digest = sha256(query)
    first = await http.post("/graphql", json={"extensions": apq(digest)})
    assert error_codes(first) == ["PERSISTED_QUERY_NOT_FOUND"]
    wrong = await http.post("/graphql", json={"query": query + " ", "extensions": apq(digest)})
    assert error_codes(wrong) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    still_unknown = await http.get("/graphql", params={"extensions": json.dumps(apq(digest))})
    assert error_codes(still_unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = await http.post("/graphql", json={"query": query, "extensions": apq(digest)})
    assert registered.json()["data"]["organisation"]["name"] == "Lagos Rare Disease Foundation"
    by_hash = await http.get("/graphql", params={"extensions": json.dumps(apq(digest))})  # Apollo Client's GET
    by_id = await http.post("/graphql", json={"documentId": f"sha256:{digest}"})
    assert by_hash.json()["data"] == by_id.json()["data"] == registered.json()["data"]
    version_2 = await http.post("/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": digest}}})
    assert error_codes(version_2) == ["BAD_REQUEST"] and "Unsupported persisted query version" in messages(version_2)


async def test_a_persisted_query_miss_is_what_apollo_clients_look_for(http):
    """Apollo Gateway retries with the query only on this exact message; Apollo Client and Router
    also on the code; all of them in a 200 answer, whatever media type they accept."""
    miss = await http.post("/graphql", json={"extensions": apq("1" * 64)},
                           headers={"accept": "application/graphql-response+json"})
    assert miss.status_code == 200 and miss.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    assert "data" not in miss.json()


def test_the_register_is_bounded_in_entries_and_characters():
    register = PersistedQueries(max_entries=3, max_characters=100)
    for n in range(5):
        register.register(f"h{n}", "x" * 10)
    assert len(register) == 3 and register.get("h0") is None and register.get("h4") == "x" * 10
    register.get("h2")  # recently used: kept
    register.register("big", "y" * 85)
    assert register.get("h2") is not None and register.get("h3") is None and register.characters <= 100
    register.register("huge", "z" * 101)
    assert register.get("huge") is None


@pytest.fixture(scope="module")
async def keys(directory):
    async def issued(role: Role, any_document: bool = False) -> dict[str, str]:
        key = await api_keys.issue(directory, f"trusted documents {role.value}", role, any_document=any_document)
        return {"authorization": f"Bearer {key.secret_key}"}

    return {
        "member": await issued(Role.MEMBER),
        "member-any": await issued(Role.MEMBER, any_document=True),
        "staff": await issued(Role.STAFF),
    }


async def test_trusted_documents_only_refuses_other_documents_below_staff(directory, keys):
    async with client_for(directory, Settings(trusted_documents_only=True)) as http:
        refused = await http.post("/graphql", json={"query": UNTRUSTED})
        assert error_codes(refused) == ["TRUSTED_DOCUMENTS_ONLY"]
        assert "MEMBERDIR_TRUSTED_DOCUMENTS_ONLY" in messages(refused)
        assert error_codes(await http.post("/graphql", json={"query": UNTRUSTED}, headers=keys["member"])) == [
            "TRUSTED_DOCUMENTS_ONLY"
        ]
        # The manifest's documents run: by id, or by their text (as read from the file, last newline and all).
        by_id = await http.get("/graphql", params={"documentId": f"sha256:{document_id(OVERVIEW)}"})
        by_text = await http.post("/graphql", json={"query": OVERVIEW}, headers=keys["member"])
        assert by_id.json()["data"] == by_text.json()["data"] and by_id.json()["data"]["organisations"]["totalCount"] > 0
        # Staff and keys issued with --any-document run anything.
        for caller in ("staff", "member-any"):
            response = await http.post("/graphql", json={"query": UNTRUSTED}, headers=keys[caller])
            assert response.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}, caller


async def test_trusted_documents_only_refuses_registering_and_the_register(directory, keys):
    query = '{ organisation(id: "org_lagos") { name country { name } } }'
    digest = sha256(query)
    async with client_for(directory, Settings(trusted_documents_only=True)) as http:
        refused = await http.post("/graphql", json={"query": query, "extensions": apq(digest)})
        assert error_codes(refused) == ["TRUSTED_DOCUMENTS_ONLY"] and "registering" in messages(refused)
        # Staff may register, but what they registered is not a way in for others.
        staff = await http.post("/graphql", json={"query": query, "extensions": apq(digest)}, headers=keys["staff"])
        assert staff.json()["data"]["organisation"]["name"] == "Lagos Rare Disease Foundation"
        assert (await http.post("/graphql", json={"extensions": apq(digest)}, headers=keys["staff"])).json()["data"]
        for headers in ({}, keys["member"]):
            assert error_codes(await http.post("/graphql", json={"extensions": apq(digest)}, headers=headers)) == [
                "PERSISTED_QUERY_NOT_FOUND"
            ]
            assert error_codes(await http.post("/graphql", json={"documentId": f"sha256:{digest}"}, headers=headers)) == [
                "PERSISTED_QUERY_NOT_FOUND"
            ]
        # A trusted document by its APQ hash runs for anyone.
        trusted = await http.post("/graphql", json={"extensions": apq(document_id(OVERVIEW))})
        assert trusted.json()["data"]["organisations"]["totalCount"] > 0


async def test_the_any_document_flag_is_kept_on_the_key(directory):
    from datastore import api_keys as stored_keys

    issued = await api_keys.issue(directory, "router", Role.MEMBER, any_document=True)
    plain = await api_keys.issue(directory, "plain", Role.MEMBER)
    assert (await stored_keys.by_id(directory, issued.record.id)).any_document is True
    assert (await stored_keys.by_id(directory, plain.record.id)).any_document is False


async def _apollo_apq_client(base: str, query: str, times: int) -> list[dict]:
    """Apollo Gateway's own subgraph client, with automatic persisted queries on (tools/federation/apq-client.mjs)."""
    process = await asyncio.create_subprocess_exec(
        "node", str(NODE_PROJECT / "apq-client.mjs"), f"{base}/graphql", query, str(times),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=NODE_PROJECT,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]


async def test_apollos_own_apq_client_registers_then_sends_the_hash_alone(directory):
    query = '{ organisation(id: "org_lagos") { name slug } }'
    async with live_server(create_app(Settings(), database=directory)) as base:
        first, second = await _apollo_apq_client(base, query, 2)
    assert first["data"] == second["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation", "slug": "lagos-rare-disease-foundation"}}
    assert [s["query"] for s in first["sent"]] == [False, True]  # the hash, PersistedQueryNotFound, then the query
    assert [s["query"] for s in second["sent"]] == [False]  # the hash alone
    assert {s["hash"] for s in first["sent"] + second["sent"]} == {sha256(query)}


async def test_apollos_apq_client_under_trusted_documents_only(directory):
    trusted = OVERVIEW.strip()  # a manifest document, as the manifest holds it
    async with live_server(create_app(Settings(trusted_documents_only=True), database=directory)) as base:
        [known] = await _apollo_apq_client(base, trusted, 1)
        [other] = await _apollo_apq_client(base, UNTRUSTED, 1)
    assert known["data"]["organisations"]["totalCount"] > 0 and [s["query"] for s in known["sent"]] == [False]
    assert other["data"] is None and [s["query"] for s in other["sent"]] == [False, True]
    assert [e["extensions"]["code"] for e in other["errors"]] == ["TRUSTED_DOCUMENTS_ONLY"]
