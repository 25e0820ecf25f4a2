"""The trusted documents: the first-party clients' operations, by their SHA-256.

`memberdir documents` (memberdir/first_party_documents.py) collects them from
the sources (the pages' `.graphql` files, GraphiQL's default, the README's and
docs/api.md's examples) into schema/trusted-documents.json, a JSON object
`{"<sha256 hex>": "<document>"}` (the format of GraphQL Code Generator's
persisted documents). The file is committed beside the SDL and reviewed like
code, since in trusted-documents-only mode it is the list of what callers below
staff may run; a test fails when it is stale.

A document's id is the SHA-256 of its text with the surrounding whitespace
stripped, so a client sending a `.graphql` file as read (with its last newline)
is recognised too.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

import schema

MANIFEST = Path(schema.__file__).resolve().parent / "trusted-documents.json"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def document_id(text: str) -> str:
    """The hex SHA-256 a document is known by."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


def manifest_text(documents: Mapping[str, str]) -> str:
    """The manifest file for `documents` (id -> text), sorted so a rebuild changes nothing."""
    return json.dumps(dict(sorted(documents.items())), indent=2, ensure_ascii=False) + "\n"


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str]):
        for key, text in documents.items():
            if key != document_id(text):
                raise ValueError(f"the trusted document {key[:12]}… is not the SHA-256 of its text; rebuild the manifest")
        self._by_id = dict(documents)

    @classmethod
    def load(cls, path: Path = MANIFEST) -> "TrustedDocuments":
        return cls(json.loads(path.read_text()))

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, sha256_hex: str) -> str | None:
        return self._by_id.get(sha256_hex)

    def trusts(self, text: str) -> bool:
        """Whether `text` is, but for surrounding whitespace, a trusted document."""
        return document_id(text) in self._by_id
