"""`memberdir supergraph`: Apollo's composition of the directory with other subgraphs."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from events_subgraph import schema as events_schema
from memberdir.cli import app

runner = CliRunner()
EVENTS_URL = "http://127.0.0.1:4002/graphql"


@pytest.fixture
def events_sdl(tmp_path) -> Path:
    path = tmp_path / "events.graphql"
    path.write_text(events_schema.as_str())
    return path


def test_composes_the_directory_with_a_subgraph_that_extends_it_by_key(events_sdl, tmp_path):
    out = tmp_path / "supergraph.graphql"
    result = runner.invoke(app, ["supergraph", f"events={events_sdl}@{EVENTS_URL}",
                                 "--directory-url", "http://directory:8000/graphql", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    supergraph = out.read_text()
    assert 'DIRECTORY @join__graph(name: "directory", url: "http://directory:8000/graphql")' in supergraph
    assert f'EVENTS @join__graph(name: "events", url: "{EVENTS_URL}")' in supergraph
    organisation = supergraph.split("type Organisation implements Node\n", 1)[1].split("{", 1)[0]
    assert '@join__type(graph: DIRECTORY, key: "id")' in organisation
    assert '@join__type(graph: EVENTS, key: "id")' in organisation
    assert "events: [Event!]! @join__field(graph: EVENTS)" in supergraph
    # Tags reach the supergraph, for contracts: a public variant leaves private fields out.
    assert 'email: String @join__field(graph: DIRECTORY) @tag(name: "private")' in supergraph
    assert 'contactVisibility: ContactVisibility @join__field(graph: DIRECTORY) @tag(name: "private")' in supergraph


def test_prints_the_supergraph_without_output(events_sdl):
    result = runner.invoke(app, ["supergraph", f"events={events_sdl}@{EVENTS_URL}"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("schema\n  @link(") and "type Event" in result.stdout


def test_composition_errors_fail_with_the_composers_messages(events_sdl, tmp_path):
    # Country is a value type both define; without @shareable on both, composition must refuse.
    unshared = tmp_path / "unshared.graphql"
    unshared.write_text(events_sdl.read_text().replace("type Country @shareable", "type Country"))
    out = tmp_path / "supergraph.graphql"
    result = runner.invoke(app, ["supergraph", f"events={unshared}@{EVENTS_URL}", "-o", str(out)])
    assert result.exit_code == 1
    assert 'error: INVALID_FIELD_SHARING: Non-shareable field "Country.code" is resolved from multiple subgraphs' in result.stderr
    assert result.stdout == "" and not out.exists()


def test_hints_are_shown_and_composition_still_succeeds(tmp_path):
    training = tmp_path / "training.graphql"
    training.write_text("""
extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@shareable"])
type Query { courses(first: Int = 20): CourseConnection! }
type CourseConnection { nodes: [String!]! pageInfo: PageInfo! }
type PageInfo @shareable { hasNextPage: Boolean endCursor: String }
""")
    result = runner.invoke(app, ["supergraph", f"training={training}@http://127.0.0.1:4003/graphql"])
    assert result.exit_code == 0, result.output
    assert 'hint: INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE: Type of field "PageInfo.hasNextPage"' in result.stderr
    assert "type CourseConnection" in result.stdout


def test_a_subgraph_that_is_not_graphql_is_an_error(tmp_path):
    broken = tmp_path / "broken.graphql"
    broken.write_text("type Query { oops(: Int }")
    result = runner.invoke(app, ["supergraph", f"broken={broken}@http://127.0.0.1:4003/graphql"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: INVALID_GRAPHQL: [broken] Syntax Error")


@pytest.mark.parametrize("argument, reason", [
    ("events", "expected NAME=FILE@URL"),
    ("events=missing.graphql@http://127.0.0.1:4002/graphql", "cannot read missing.graphql"),
])
def test_bad_subgraph_arguments_are_usage_errors(argument, reason):
    result = runner.invoke(app, ["supergraph", argument])
    assert result.exit_code == 2
    assert reason in re.sub(r"[\s│]+", " ", result.output)  # unwrapped from Rich's error box


def test_another_subgraph_can_require_the_private_contact_visibility(tmp_path):
    speakers = tmp_path / "speakers.graphql"
    speakers.write_text("""
extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@external", "@requires"])
enum ContactVisibility { PUBLIC MEMBERS STAFF }
type Person @key(fields: "id") {
  id: ID!
  "Null unless the caller is the person or staff: then treated as STAFF, the most restrictive."
  contactVisibility: ContactVisibility @external
  "The speaker's conference phone, shown as widely as the person allows."
  conferencePhone: String @requires(fields: "contactVisibility")
}
type Query { speakers: [Person!]! }
""")
    result = runner.invoke(app, ["supergraph", f"speakers={speakers}@http://127.0.0.1:4005/graphql"])
    assert result.exit_code == 0, result.output
    assert 'conferencePhone: String @join__field(graph: SPEAKERS, requires: "contactVisibility")' in result.stdout


def test_without_nodejs_the_command_says_what_is_missing():
    result = runner.invoke(app, ["supergraph"], env={"PATH": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith("Composer: Node.js (20 or later) is needed to compose")
