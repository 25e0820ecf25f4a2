"""Text folding for case- and accent-insensitive search and sorting.

Names are folded when stored (`name_folded`, `sort_name`) and search text is
folded the same way, so "soren" finds "Søren", "lodz" finds "Łódź" and
"strasse" finds "Straße". The transliteration is anyascii's, a maintained
table covering every script: names in other scripts fold to a Latin spelling,
and the same name typed in its own script folds to the same spelling.
"""

import unicodedata
from importlib.metadata import version

from anyascii import anyascii

# Stored folded fields were made by this fold; when it changes (a new rule
# here, or a new anyascii table), stored records are re-folded at start-up
# (datastore/derived.py).
FOLD_VERSION = f"2+anyascii-{version('anyascii')}"

# Characters that mean something in both PCRE (MongoDB) and RE2 (FerretDB).
_REGEX_SPECIALS = frozenset("\\.^$|?*+()[]{}")


def fold(text: str) -> str:
    """'Université de Montréal' -> 'universite de montreal'; 'Łódź' -> 'lodz'."""
    # NFKC first so fullwidth and compatibility forms ('ｍ', 'ﬁ') and
    # decomposed accents reach anyascii as the characters they stand for.
    latin = anyascii(unicodedata.normalize("NFKC", text))
    return " ".join(latin.casefold().split())


def literal_pattern(text: str) -> str:
    """A regex matching `text` literally, valid in both MongoDB and FerretDB."""
    return "".join("\\" + ch if ch in _REGEX_SPECIALS else ch for ch in text)


def contains_folded(text: str) -> dict:
    """A MongoDB condition: the folded field contains the folded `text`.

    Text that folds to nothing (only characters without a transliteration)
    matches nothing, rather than everything.
    """
    folded = fold(text)
    return {"$regex": literal_pattern(folded)} if folded else {"$in": []}
