"""Text folding for case- and accent-insensitive search and sorting."""

import unicodedata

# Characters that mean something in both PCRE (MongoDB) and RE2 (FerretDB).
_REGEX_SPECIALS = frozenset("\\.^$|?*+()[]{}")


def fold(text: str) -> str:
    """'Université de Montréal' -> 'universite de montreal'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def literal_pattern(text: str) -> str:
    """A regex matching `text` literally, valid in both MongoDB and FerretDB."""
    return "".join("\\" + ch if ch in _REGEX_SPECIALS else ch for ch in text)


def contains_folded(text: str) -> dict:
    """A MongoDB condition: the folded field contains the folded `text`."""
    return {"$regex": literal_pattern(fold(text))}
