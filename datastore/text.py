"""Text folding for case- and accent-insensitive search and sorting.

Names are folded when stored (`name_folded`, `sort_name`) and search text is
folded the same way, so "soren" finds "Søren", "lodz" finds "Łódź" and
"strasse" finds "Straße". The transliteration is anyascii's, a maintained
table covering every script: names in other scripts fold to a Latin spelling,
and the same name typed in its own script folds to the same spelling.

Searches are served by a trigram index (the pg_trgm idea): every record stores
the distinct 3-character substrings of its folded name (`name_grams`, spaces
included, so grams span words), and a search looks up one gram of its text
through that index before the regex on `name_folded` decides the real match.
"""

import unicodedata
from importlib.metadata import version

from anyascii import anyascii

# Stored folded fields were made by this fold; when it changes (a new rule
# here, or a new anyascii table), stored records are re-folded at start-up
# (datastore/derived.py).
FOLD_VERSION = f"2+anyascii-{version('anyascii')}"

# Characters that mean something in both PCRE (MongoDB) and RE2 (an embedded engine's).
_REGEX_SPECIALS = frozenset("\\.^$|?*+()[]{}")


def fold(text: str) -> str:
    """'Université de Montréal' -> 'universite de montreal'; 'Łódź' -> 'lodz'."""
    # NFKC first so fullwidth and compatibility forms ('ｍ', 'ﬁ') and
    # decomposed accents reach anyascii as the characters they stand for.
    latin = anyascii(unicodedata.normalize("NFKC", text))
    return " ".join(latin.casefold().split())


def literal_pattern(text: str) -> str:
    """A regex matching `text` literally, valid in both PCRE and RE2."""
    return "".join("\\" + ch if ch in _REGEX_SPECIALS else ch for ch in text)


GRAM = 3

# Characters of Latin-script names (and the space between words), most common
# first: a gram of rare characters is in few names, so few are read. Any other
# character (a digit, punctuation) counts as rarest.
_COMMON_FIRST = " aeinorlsthudcmkgbpvyfwzjxq"


def grams(folded: str) -> list[str]:
    """The distinct 3-character substrings of a folded name, sorted:
    'zoe muller' -> [' mu', 'e m', 'ler', 'lle', 'mul', 'oe ', 'ull', 'zoe'].
    Names shorter than 3 characters have none."""
    return sorted({folded[i:i + GRAM] for i in range(len(folded) - GRAM + 1)})


def searchable_name(name: str) -> dict:
    """The stored fields a search of `name` reads: its folded form and its grams."""
    folded = fold(name)
    return {"name_folded": folded, "name_grams": grams(folded)}


def reads_by_gram(text: str) -> bool:
    """Whether a search of `text` reads through the grams index (else it scans)."""
    return len(fold(text)) >= GRAM


def _commonness(gram: str) -> int:
    return sum(len(_COMMON_FIRST) - _COMMON_FIRST.index(c) if c in _COMMON_FIRST else 0 for c in gram)


def rarest_gram(folded: str) -> str:
    """The gram of `folded` least likely to be common ('silva' -> 'ilv'); ties
    go to the first in sorted order, so the same text always reads the same."""
    return min(grams(folded), key=lambda gram: (_commonness(gram), gram))


def search_condition(text: str) -> dict:
    """The filter conditions of a search: the folded name contains the folded
    `text` as plain text. Callers put them first in their filter: an engine
    reads a filter of several conditions through the index of the first one
    it can serve, in key order (datastore/engines).

    One gram, not `$all` of them: an engine serves `$all` (and `$in`)
    through an index only with exactly one value, MongoDB too reads `$all`
    through one value's index entries and filters the rest, and the regex is
    exact anyway: the gram only narrows what is read. Text shorter than a gram
    has none, so it is the regex alone, a scan of the collection (see
    `reads_by_gram`). Text that folds to nothing (only characters without a
    transliteration) matches nothing, rather than everything.
    """
    folded = fold(text)
    if not folded:
        return {"name_folded": {"$in": []}}
    contains = {"$regex": literal_pattern(folded)}
    if len(folded) < GRAM:
        return {"name_folded": contains}
    return {"name_grams": rarest_gram(folded), "name_folded": contains}
