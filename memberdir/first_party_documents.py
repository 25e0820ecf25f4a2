"""The first-party operations, collected from the sources into the trusted documents.

Read at build time from a checkout (not from an installed package):
- every `.graphql` file under frontend/src/: the pages' operations (each a
  named operation, imported by the page with Vite's `?raw`) and GraphiQL's
  default query;
- every ```graphql example of README.md and docs/api.md.

`memberdir documents` prints the manifest (memberdir.edge.trusted_documents);
it is committed as schema/trusted-documents.json and a test fails when it is
stale. Every document must parse and validate against the schema, and every
operation of a `.graphql` file must be named (clients, logs and metrics say
which operation ran by its name).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql.error import GraphQLError

from memberdir.edge.trusted_documents import document_id
from memberdir.settings import PROJECT_ROOT

PAGES = Path("frontend") / "src"
EXAMPLES = (Path("README.md"), Path("docs") / "api.md")
_EXAMPLE = re.compile(r"```graphql\n(.*?)```", flags=re.S)


@dataclass(frozen=True, slots=True)
class Source:
    where: str  # a file, or a file and the example's number in it
    text: str
    named_operations_only: bool


class NotADocument(ValueError):
    """A source that cannot be a trusted document; the message says which and why."""


def sources(root: Path = PROJECT_ROOT) -> list[Source]:
    found = [
        Source(str(path.relative_to(root)), path.read_text(), named_operations_only=True)
        for path in sorted((root / PAGES).rglob("*.graphql"))
        if "node_modules" not in path.parts
    ]
    for markdown in EXAMPLES:
        for number, text in enumerate(_EXAMPLE.findall((root / markdown).read_text()), start=1):
            found.append(Source(f"{markdown} example {number}", text, named_operations_only=False))
    return found


def manifest(schema: GraphQLSchema, root: Path = PROJECT_ROOT) -> dict[str, str]:
    """id -> document for every first-party operation; NotADocument naming the first that is not one."""
    documents: dict[str, str] = {}
    for source in sources(root):
        _check(schema, source)
        documents[document_id(source.text)] = source.text.strip()
    return documents


def _check(schema: GraphQLSchema, source: Source) -> None:
    try:
        document = parse(source.text)
    except GraphQLError as error:
        raise NotADocument(f"{source.where}: {error.message}") from None
    errors = validate(schema, document)
    if errors:
        raise NotADocument(f"{source.where}: {errors[0].message}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise NotADocument(f"{source.where}: holds no operation")
    if source.named_operations_only and any(o.name is None for o in operations):
        raise NotADocument(f"{source.where}: every first-party operation is named (`query Name {{ … }}`)")
