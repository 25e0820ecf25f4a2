"""The register of automatically persisted queries (Apollo's APQ), per process.

A client sends a query's SHA-256 alone; when it is unknown here the client
sends the query with its hash once, and it is kept. Bounded in entries and in
characters (MEMBERDIR_PERSISTED_QUERIES_MAX_ENTRIES, ..._MAX_CHARACTERS), the
least recently used dropped first, so a client registering endless documents
cannot grow it. Each process keeps its own: a client whose hash another worker
does not know is answered PERSISTED_QUERY_NOT_FOUND and registers again there,
as the protocol expects. Forgotten on an erasure (a text may quote a person).
"""

from collections import OrderedDict

from datastore.erasure import forget_on_erasure


class PersistedQueries:
    def __init__(self, max_entries: int, max_characters: int):
        self.max_entries, self.max_characters = max_entries, max_characters
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._characters = 0
        forget_on_erasure(self)

    def __len__(self) -> int:
        return len(self._texts)

    @property
    def characters(self) -> int:
        return self._characters

    def clear(self) -> None:
        self._texts.clear()
        self._characters = 0

    def get(self, sha256_hex: str) -> str | None:
        text = self._texts.get(sha256_hex)
        if text is not None:
            self._texts.move_to_end(sha256_hex)
        return text

    def register(self, sha256_hex: str, text: str) -> None:
        """Keep `text` under its hash (checked by the caller); one longer than the whole register is not kept."""
        if len(text) > self.max_characters or sha256_hex in self._texts:
            return
        self._texts[sha256_hex] = text
        self._characters += len(text)
        while len(self._texts) > self.max_entries or self._characters > self.max_characters:
            _, dropped = self._texts.popitem(last=False)
            self._characters -= len(dropped)
