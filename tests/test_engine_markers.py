"""Every test module that talks to the database either runs on every engine
(`pytestmark = pytest.mark.database`: `make test` runs `pytest -m database` on
the second engine) or is listed here with the reason it need not.

How a module is found to talk to the database: tests/engine_markers.py.
"""

from pathlib import Path

from tests.engine_markers import collect, problems

PROJECT_ROOT = Path(__file__).parent.parent

# The second run is kept to the datastore, the queries and the write path, which
# must behave alike on every engine; what these modules test sits above that
# (HTTP, the CLI, execution, permissions) or is about one engine, and its reads
# and writes are the ones the marked modules make.
ENGINE_SPECIFIC = {
    "tests/browser/test_pages.py": "pages in Chromium; every number they show is a query the marked schema tests "
                                   "(tests/schema/test_stats.py, test_organisations.py) run on both engines",
    "tests/browser/test_stories_member.py": "the pages for members in Chromium, signed in through a provider; every "
                                            "change they make is a mutation tests/writes/ runs on both engines",
    "tests/browser/test_stories_manage.py": "the manage and staff pages in Chromium, signed in through a provider; "
                                            "every change they make is a mutation tests/writes/ runs on both engines",
    "tests/cli/test_cli.py": "the command line as a user runs it (options, messages, exit codes); import, dump and "
                             "restore themselves are marked in tests/datastore/",
    "tests/datastore/test_folding.py": "search folding of typed text; search's reads are the `search` filters that "
                                       "tests/schema/test_organisations.py and test_people.py run on both engines",
    "tests/datastore/test_import_merge.py": "the import's merge rules and messages through the CLI; its writes go "
                                            "through the write path, which tests/datastore/test_import.py and "
                                            "tests/writes/ exercise on both engines",
    "tests/datastore/test_search_grams.py": "which gram a search reads through; the searches' answers are checked on "
                                            "both engines by the marked schema tests",
    "tests/datastore/test_page_windows.py": "SecantusDB's page windows against one unbounded read (its strategy, "
                                            "datastore/engines/secantusdb.py, whatever the engine); FerretDB is "
                                            "never read by page windows",
    "tests/edge/test_answer_reuse.py": "ETags, 304s and the response cache, edge behaviour; the generation tokens "
                                       "they stand on are read and written by tests/datastore/test_generations.py "
                                       "on both engines",
    "tests/edge/test_bodies.py": "HTTP request bodies and keep-alive on uvicorn; the queries behind them are plain",
    "tests/edge/test_cors.py": "CORS and the origin check, HTTP edge behaviour",
    "tests/edge/test_exports.py": "export formats, headers and refusals; the exports' reads are the organisation, "
                                  "people, roster and statistics queries the marked schema tests run on both engines "
                                  "(FerretDB reads a whole collection per chunk, so these take minutes there)",
    "tests/edge/test_http.py": "the HTTP surface (/graphql, GraphiQL, /healthz, /readyz), edge behaviour",
    "tests/edge/test_http_spec.py": "GraphQL over HTTP and its audit suite, edge behaviour",
    "tests/edge/test_hygiene.py": "compression, cache headers and HEAD, edge behaviour",
    "tests/edge/test_page_headers.py": "headers sent with the pages, edge behaviour",
    "tests/edge/test_tracing.py": "spans around a request and its commands (PyMongo's command monitoring, alike on "
                                  "every engine); the query they trace is one the marked schema tests run on both",
    "tests/edge/test_trusted_documents.py": "which document a request runs (ids, APQ, trusted-documents-only mode), "
                                            "edge behaviour; the documents' reads are plain queries",
    "tests/embedded/test_disk_full.py": "a full disk under SecantusDB's WiredTiger (its own engine on a tmpfs); "
                                        "FerretDB's SQLite fails otherwise and is not the served default",
    "tests/embedded/test_workers.py": "`serve --workers 2` over the default engine: process supervision, the same "
                                      "on any engine (tests/embedded/test_embedded.py covers each engine's start)",
    "tests/properties/test_answer_cache.py": "the response cache against `serve --workers 2` on the default engine: "
                                             "edge behaviour; the tokens it relies on are tested on both engines "
                                             "(tests/datastore/test_generations.py)",
    "tests/execution/test_cost_bound.py": "the cost rule bounds the answer's size; counted on the demo data, not "
                                          "dependent on the engine",
    "tests/execution/test_document_cache.py": "validation kept per query text, in process; the reads are plain",
    "tests/execution/test_executors_agree.py": "the planned executor against graphql-core on generated queries over "
                                               "the same loaded records; both read through the loaders the marked "
                                               "schema tests run on both engines",
    "tests/execution/test_fragments.py": "fragment documents refused before execution, in process",
    "tests/execution/test_planned_execution.py": "the planned executor against graphql-core over the same loaded "
                                                 "records; both read through the loaders the marked schema tests "
                                                 "run on both engines",
    "tests/execution/test_request_checks.py": "argument checks before the database (surrogates, representations)",
    "tests/federation/test_gateway.py": "Apollo Gateway across two subgraphs; the entity reads are the loaders "
                                        "tests/schema/test_batching.py runs on both engines",
    "tests/ops/test_collector.py": "Python's cycle collector in a serving process",
    "tests/ops/test_config.py": "refused configuration: `serve` stops before any engine starts",
    "tests/ops/test_logs.py": "log lines per request, edge behaviour",
    "tests/ops/test_metrics.py": "Prometheus metrics, edge behaviour",
    "tests/ops/test_rate_limits.py": "per-client budgets, kept in process",
    "tests/schema/test_access_patterns.py": "index use as the engine's `explain` reports it: FerretDB reports plans "
                                            "as SQL, not MongoDB's stages",
    "tests/schema/test_audit.py": "the audit log and change feed as GraphQL reads them; the audit entries are "
                                  "written by the write path, marked in tests/writes/",
    "tests/schema/test_bad_input.py": "argument errors named before the database is read",
    "tests/schema/test_nodes.py": "Relay node ids over the loaders tests/schema/test_batching.py runs on both engines",
    "tests/schema/test_readme.py": "README's examples; the query shapes they use are those of the marked schema tests",
    "tests/schema/test_review_due.py": "a filter and order the marked tests/schema/test_organisations.py reads on "
                                       "both engines with the same query operators",
    "tests/schema/test_trends.py": "membershipTrend against a plain count; its aggregate uses the stages "
                                   "tests/schema/test_stats.py runs on both engines",
    "tests/schema/test_updated_since.py": "updatedSince and UPDATED_ASC, keyset pages of the same shape as the marked "
                                          "tests/schema/test_organisations.py",
    "tests/security/test_auth.py": "API keys and OIDC tokens, checked at the edge",
    "tests/security/test_fuzz.py": "a bounded fuzz of the schema for internal errors, on the default engine",
    "tests/security/test_injection.py": "client values reach the driver only as typed values; checked on the "
                                        "commands sent, whatever answers them",
    "tests/security/test_limits.py": "hostile queries refused before they cost anything",
    "tests/writes/test_concurrency.py": "probes the engine's own atomicity; FerretDB 1.24 fails it by design, which "
                                        "is why the write path claims by insert (tests/writes/test_writes.py)",
    "tests/writes/test_mutations_groups.py": "who may change groups and the payloads; the writes are the write path's, "
                                             "marked in tests/writes/test_writes.py and test_cross_record_rules.py",
    "tests/writes/test_mutations_people.py": "who may change people and what they see; the writes are the write "
                                             "path's, marked in tests/writes/",
    "tests/writes/test_mutations_rosters.py": "who may change rosters and the payloads; the writes are the write "
                                              "path's, marked in tests/writes/",
    "tests/writes/test_writes_keep_derived.py": "derived fields set by mutations; filters read them in the marked "
                                                "schema tests",
}


def test_every_database_module_is_marked_or_listed(tmp_path):
    modules = collect(PROJECT_ROOT, tmp_path / "report.json", "tests")
    assert len(modules) > 50 and sum(m.marked for m in modules) >= 20
    assert problems(modules, ENGINE_SPECIFIC) == []


UNMARKED = '''
def test_reads(engine):
    assert engine
'''


def test_an_unmarked_database_module_fails_the_check(tmp_path):
    """A module whose test asks for the engine, through another fixture, and is
    neither marked nor listed; a marked one and one with no database pass."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text("[pytest]\nmarkers =\n    database: runs on every engine\n")
    (project / "tests" / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef engine():\n    return 'engine'\n\n"
        "@pytest.fixture\ndef db(engine):\n    return engine\n"
    )
    (project / "tests" / "test_unmarked.py").write_text("def test_reads(db):\n    assert db\n")
    (project / "tests" / "test_marked.py").write_text(
        "import pytest\n\npytestmark = pytest.mark.database\n" + UNMARKED
    )
    (project / "tests" / "test_serves.py").write_text("def test_serves():\n    assert ['memberdir', 'serve']\n")
    (project / "tests" / "test_pure.py").write_text("def test_sums():\n    assert 1 + 1 == 2\n")
    modules = collect(project, tmp_path / "report.json", "tests")
    assert [(m.path, m.talks_to_database, m.marked) for m in modules] == [
        ("tests/test_marked.py", True, True),
        ("tests/test_pure.py", False, False),
        ("tests/test_serves.py", True, False),
        ("tests/test_unmarked.py", True, False),
    ]
    found = problems(modules, {"tests/test_serves.py": "starts an engine of its own, for one engine only"})
    assert len(found) == 1 and found[0].startswith("tests/test_unmarked.py talks to the database")
    assert problems(modules, {"tests/test_serves.py": "", "tests/test_pure.py": "no database at all, listed"}) == [
        "tests/test_pure.py is listed as engine-specific but does not talk to the database",
        "tests/test_unmarked.py talks to the database: mark it `pytestmark = pytest.mark.database` (run on every "
        "engine) or list it in ENGINE_SPECIFIC with the reason it need not be",
        "tests/test_serves.py: say why it need not run on every engine (got '')",
    ]
