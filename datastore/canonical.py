"""Canonical keys: the one form two values are compared on for uniqueness.

An e-mail address, an organisation's name or a slug can be typed many ways
that a person reads as the same: `Alice@X.org`, `ａｌｉｃｅ@x.org` (full
width), `alice@x.org.` (the DNS root's trailing dot), `ali\u200bce@x.org` (a
zero-width space), `аlice@x.org` (a Cyrillic "а" among Latin letters). Each
is reduced to one key, and a unique index on the key lets the engine refuse
the second record (datastore/indexes.py); a read before the write only gives
the friendlier message.

The key serves uniqueness only, never identity: sign-in and API keys match
the stored address exactly (memberdir/auth.py), so an account for `аlice@x`
can never act as `alice@x`.

Confusables are reduced (UTS #39) only where a local part or a domain mixes
scripts, and then only the letters of the other scripts, each to a letter of
the dominant script confusable with it: `pаypal` with a Cyrillic "а" keys as
`paypal`, while within one script distinct real addresses that look alike
(`rn`/`m`, `l`/`1`) stay distinct. The confusable classes and scripts are
Unicode's own (confusables.txt, Scripts.txt), as the maintained
`confusable-homoglyphs` package ships them.
"""

import re
import unicodedata
from functools import cache, lru_cache
from importlib.metadata import version

from confusable_homoglyphs import categories, confusables

from datastore.text import fold

# Stored keys were made by this definition; when it changes (a rule here, or
# new Unicode tables), stored keys are recomputed at start-up (datastore/derived.py).
CANONICAL_VERSION = f"1+confusable-homoglyphs-{version('confusable-homoglyphs')}"

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters
# that render as nothing (soft hyphen, zero-width space/joiners, bidi marks,
# word joiner, variation selectors, the BOM, tags...).
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_IGNORABLE = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _IGNORABLE_RANGES) + "]")
# Full stops other than "." that IDNA reads as one in a domain (U+FF0E becomes "." by NFKC).
_DOTS = str.maketrans({"\u3002": ".", "\uff61": "."})
# Scripts written together in one language: one script for the mixed-script test (UTS #39's augmented sets).
_WRITTEN_TOGETHER = (
    frozenset({"HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"HAN", "HANGUL"}),
    frozenset({"HAN", "BOPOMOFO"}),
)
# Characters that belong to no script of their own (digits, punctuation, combining marks).
_ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})


def is_ignorable(ch: str) -> bool:
    return _IGNORABLE.fullmatch(ch) is not None


def visible(text: str) -> str:
    """`text` without the characters that render as nothing."""
    return text if text.isascii() else _IGNORABLE.sub("", text)


def _normal(text: str) -> str:
    """NFKC, case folded (NFKC again: folding can undo it), nothing invisible, no edge spaces."""
    if text.isascii():  # already NFKC, nothing invisible: folding is lower-casing
        return text.lower().strip()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible(text)).casefold())
    return visible(folded).strip()


@cache
def _script(ch: str) -> str:
    """The character's script (Scripts.txt), as the package names it ('LATIN', 'CYRILLIC', 'COMMON'...)."""
    return categories.alias(ch)


def scripts(text: str) -> frozenset[str]:
    """The scripts of `text`'s letters (digits, punctuation and marks belong to any)."""
    return frozenset(_script(ch) for ch in text) - _ANY_SCRIPT


def mixes_scripts(text: str) -> bool:
    if text.isascii():  # Latin letters, digits and punctuation: one script
        return False
    found = scripts(text)
    return len(found) > 1 and not any(found <= together for together in _WRITTEN_TOGETHER)


def _preferred(ch: str) -> tuple:
    """Which of two characters confusable with each other stands for both: ASCII,
    then a character of no script or the Latin one, then the lower code point."""
    return (not ch.isascii(), _script(ch) not in _ANY_SCRIPT | {"LATIN"}, ord(ch))


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character -> its class's prototype.

    confusables.txt maps every confusable character (a source) to a prototype
    that maps to itself, so a class is a star: its prototype linked to each
    source. The package keeps each link in both directions; the prototype is
    the centre of the star, and of a pair, the one `_preferred`. A source
    whose prototype is a sequence of characters maps to that sequence."""
    links: dict[str, set[str]] = {}
    sequences: dict[str, str] = {}
    for ch, alikes in confusables.confusables_data.items():
        if len(ch) != 1:
            continue
        for alike in alikes:
            other = alike["c"]
            if len(other) == 1:
                links.setdefault(ch, set()).add(other)
                links.setdefault(other, set()).add(ch)
            else:
                sequences[ch] = other
    table: dict[str, str] = {}
    for ch, linked in links.items():
        if len(linked) > 1:  # a centre: its own prototype
            table[ch] = ch
            continue
        (other,) = linked
        centre = len(links[other]) > 1
        table[ch] = other if centre else min(ch, other, key=_preferred)
    return {**sequences, **table}


@cache
def _classes() -> dict[str, tuple[str, ...]]:
    """Each prototype -> every character of its class, the prototype first."""
    members: dict[str, list[str]] = {}
    for ch, prototype in _prototypes().items():
        if len(prototype) == 1 and ch != prototype:
            members.setdefault(prototype, [prototype]).append(ch)
    return {p: (p, *sorted(rest[1:], key=lambda ch: (ch != ch.casefold(), _preferred(ch)))) for p, rest in members.items()}


def _dominant(text: str) -> str:
    """The script most of `text`'s letters are in (a tie: Latin, else the first by name)."""
    counts: dict[str, int] = {}
    for ch in text:
        if (script := _script(ch)) not in _ANY_SCRIPT:
            counts[script] = counts.get(script, 0) + 1
    return min(counts, key=lambda s: (-counts[s], s != "LATIN", s))


def skeleton(text: str) -> str:
    """`text` with each letter of another script than its dominant one replaced by a
    confusable letter of the dominant script (Unicode's confusable classes, UTS #39):
    'pаypal' with a Cyrillic 'а' -> 'paypal'. Letters of the dominant script stay,
    so the result is what the same text typed in one script would be."""
    dominant = _dominant(text)
    prototypes, classes = _prototypes(), _classes()
    reduced = []
    for ch in unicodedata.normalize("NFC", text):
        script = _script(ch)
        if script not in _ANY_SCRIPT and script != dominant:
            same_class = classes.get(prototypes.get(ch, ""), ())
            ch = next((alike for alike in same_class if _script(alike) == dominant), ch)
        reduced.append(ch)
    return "".join(reduced)


def _part(text: str) -> str:
    return skeleton(text) if mixes_scripts(text) else text


def canonical_text(text: str) -> str:
    """One word's key (a slug, a local part): normalised, confusables reduced if scripts mix."""
    return _part(_normal(text))


# Keys are asked for each time a record is stored or a page's cursors are made.
@lru_cache(maxsize=65536)
def email_key(email: str) -> str:
    """The key two addresses are the same on ('ＡＬＩＣＥ@Example.org.' -> 'alice@example.org')."""
    normal = _normal(email).translate(_DOTS)
    local, at, domain = normal.rpartition("@")
    if not at:
        return _part(normal)
    return f"{_part(local)}@{_part(domain.rstrip('.'))}"


def slug_key(slug: str) -> str:
    """A slug's key. Slugs are lower-case ASCII letters, digits and hyphens
    (datastore/import_records.py), so a valid slug is its own key."""
    return canonical_text(slug)


@lru_cache(maxsize=65536)
def organisation_name_key(country_code: str, name: str) -> str:
    """Organisation names are unique per country on their folded form (datastore/text.py:
    case, accents, spacing and script transliterated away), invisible characters removed."""
    folded = fold(visible(name)) or canonical_text(name)
    return f"{country_code.upper()}|{folded}"
