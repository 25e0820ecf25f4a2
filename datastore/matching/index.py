"""The index the matcher narrows candidates through, built in memory from the
organisations collection once per generation of it (datastore.generations):
a read of every organisation's names when one changed, none otherwise.

What it holds: each organisation's names (its name, the name without a
parenthesised part, its aliases) in normal form (datastore.matching.words);
for each word, the organisations whose names hold it and how rare it is (an
inverse document frequency); acronyms; ROR ids; the cities' normal forms.
"""

import asyncio
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from datastore import reads
from datastore.client import Database
from datastore.matching.words import loose, normal, squashed

_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
ROR_ID = re.compile(r"(?<![a-z0-9])(0[a-z0-9]{8})(?![a-z0-9])")


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    name: str
    status: str
    country: str
    city: str  # normal form, "" when unknown
    # Normal forms of the name, the name without its parenthesised part, each alias.
    names: tuple[str, ...]
    # The same, spelt loosely (datastore.matching.words.loose).
    loose: tuple[str, ...]
    # Each name and alias folded with punctuation as spaces (EXACT).
    exact: frozenset[str]


@dataclass
class MatchIndex:
    entries: list[Entry] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    acronyms: dict[str, list[int]] = field(default_factory=dict)
    rors: dict[str, int] = field(default_factory=dict)
    cities: frozenset[str] = frozenset()
    city_list: list[str] = field(default_factory=list)


def acronym_key(text: str) -> str:
    """'EMBL-EBI' and 'embl ebi' -> 'emblebi'."""
    return "".join(ch for ch in squashed(text) if ch.isalnum())


def build(documents: list[dict]) -> MatchIndex:
    index = MatchIndex()
    postings: defaultdict[str, set[int]] = defaultdict(set)
    acronyms: defaultdict[str, list[int]] = defaultdict(list)
    for position, document in enumerate(sorted(documents, key=lambda d: d["_id"])):
        name = document["name"]
        aliases = document.get("aliases") or []
        names = tuple(dict.fromkeys(n for n in (normal(name), normal(_PARENTHESISED.sub("", name)),
                                                *(normal(a) for a in aliases)) if n))
        index.entries.append(Entry(
            id=document["_id"], name=name, status=document["status"], country=document["country"],
            city=normal(document.get("city") or ""), names=names, loose=tuple(loose(n) for n in names),
            exact=frozenset(squashed(n) for n in (name, *aliases)),
        ))
        for word in {w for n in names for w in n.split()}:
            postings[word].add(position)
        for acronym in document.get("acronyms") or []:
            if key := acronym_key(acronym):
                acronyms[key].append(position)
        if ror := document.get("ror_id"):
            if found := ROR_ID.search(ror.lower()):
                index.rors[found[1]] = position
    total = max(1, len(index.entries))
    index.postings = {word: sorted(found) for word, found in postings.items()}
    index.idf = {word: math.log(1 + total / len(found)) for word, found in postings.items()}
    index.vocabulary = sorted(postings)
    index.acronyms = dict(acronyms)
    index.cities = frozenset(e.city for e in index.entries if e.city)
    index.city_list = sorted(index.cities)
    return index


_FIELDS = ["name", "aliases", "acronyms", "status", "country", "city", "ror_id"]


async def load(db: Database) -> MatchIndex:
    documents = await db.organisations.find({}, projection=_FIELDS).to_list()
    # Normalising thousands of names is CPU work: off the event loop.
    return await asyncio.to_thread(build, documents)


class Held:
    """The index of the current generation of organisations, one per process.
    Built at most once per generation however many requests ask at once."""

    def __init__(self) -> None:
        self._token: str | None = None
        self._index: MatchIndex | None = None
        self._lock = asyncio.Lock()

    async def index(self, db: Database, token: str | None) -> MatchIndex:
        reads.note("organisations")  # what it stands for, also when held (datastore.reads)
        if token is None:  # a bulk write running: nothing may be kept
            return await load(db)
        if self._token == token and self._index is not None:
            return self._index
        async with self._lock:
            if self._token != token or self._index is None:
                index = await load(db)
                self._token, self._index = token, index
            return self._index


HELD = Held()
