"""Every GraphQL document the pages send is a named operation in a .graphql
file under frontend/src/ (issue 27's trusted-documents manifest is extracted
from them), one operation a file, and valid against the schema the app serves:
a field renamed in the API breaks this test, not a page in a person's hands."""

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from memberdir.execution import build_schema
from memberdir.settings import PROJECT_ROOT

SOURCES = PROJECT_ROOT / "frontend" / "src"
DOCUMENTS = sorted(SOURCES.rglob("*.graphql"))
# The start of an operation written inline: `query Name(`, `mutation {`, `query {`...
INLINE_OPERATION = re.compile(r"\b(query|mutation|subscription)\s*[A-Za-z_]*\s*(\(\s*\$|\{)")


def _name(path: Path) -> str:
    return str(path.relative_to(SOURCES))


def test_the_pages_keep_their_documents_in_graphql_files():
    assert len(DOCUMENTS) >= 10, DOCUMENTS


@pytest.fixture(scope="module")
def schema():
    return build_schema()._schema


@pytest.mark.parametrize("path", DOCUMENTS, ids=_name)
def test_each_document_is_one_named_operation_valid_against_the_schema(path: Path, schema):
    document = parse(path.read_text(encoding="utf-8"))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, "one operation a file: the pages send the file as it is"
    assert operations[0].name is not None, "named: the manifest and the logs know it by its name"
    assert operations[0].name.value == path.stem, "the file is named after its operation"
    assert validate(schema, document) == []


def test_no_page_builds_a_document_from_strings():
    """The pages and the dashboard import their documents (`?raw`); none writes one inline
    (GraphiQL's example query is the person's to edit, not a document the pages send)."""
    offenders = [
        _name(source) for folder in ("pages", "dashboard") for source in (SOURCES / folder).rglob("*.js*")
        if INLINE_OPERATION.search(source.read_text(encoding="utf-8"))
    ]
    assert offenders == []
