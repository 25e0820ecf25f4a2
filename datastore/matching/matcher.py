"""Affiliation strings to organisations, in the spirit of the ROR API's
affiliation matching (README, "Matching"):

1. A ROR id or URL anywhere in the text answers its organisation (IDENTIFIER).
2. The text is cut at commas, semicolons, dashes and brackets. Segments that
   are an address (digits, street words) are dropped; a country or a city of
   the directory (or a near spelling of one) is a hint; a segment that starts
   with a department word ("Dept. of Genetics") is dropped, or cut where an
   organisation word starts in it ("... University of Toronto"). Each
   remaining segment alone, and each run of adjacent ones (hints included), is
   a piece that may name the organisation.
3. Candidates are the organisations whose names share the rarest words with
   the text as a whole and with each segment (an inverted index of words,
   typos corrected against its vocabulary), the best CANDIDATES of each, plus
   those whose acronym a segment is: never a scan of every organisation.
4. Each candidate's names are scored against each piece with RapidFuzz (the
   best of the edit ratio, the ratio with words sorted, and the ratio of loose
   spellings); a name whose words all occur in a piece scores by how much of
   the piece it covers; a piece holding part of the text loses up to PART_COST.
5. Hints lower scores: a named country the organisation is not in costs
   COUNTRY_PENALTY, a named city that is not its own CITY_PENALTY.
6. `chosen`: the best candidate, when its score is at least THRESHOLD and
   MARGIN ahead of the next organisation's.
"""

import heapq
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from datastore.records.matching import MatchingType
from datastore.matching.index import ROR_ID, Entry, MatchIndex, acronym_key
from datastore.matching.words import (
    DEPARTMENT_WORDS,
    ORGANISATION_WORDS,
    country_names,
    is_address,
    loose,
    squashed,
    words,
)

THRESHOLD = 0.90
MARGIN = 0.05
# Scores below this are not answered at all.
FLOOR = 0.5
CANDIDATES = 30
COUNTRY_PENALTY = 0.20
CITY_PENALTY = 0.06
# What a piece covering none of the text would lose (scaled by what it leaves out).
PART_COST = 0.15
# An acronym with the organisation's city or country named, and alone.
ACRONYM_SCORE = 0.95
ACRONYM_ALONE = 0.85
# A short segment this similar to a city of the directory is that city, misspelt.
CITY_SIMILARITY = 84
# A loose spelling's similarity counts for a little less than the spelling's.
LOOSE_WEIGHT = 0.97
# Typos: a word unknown to the index is read as the closest known word at least this similar.
CORRECTION = 80
_SEPARATORS = re.compile(r"[,;|()\[\]\n\t]+|\s[-–—]\s")


@dataclass(frozen=True, slots=True)
class Match:
    organisation_id: str
    name: str
    score: float
    chosen: bool
    matching_type: MatchingType
    matched_text: str


@dataclass(frozen=True, slots=True)
class _Piece:
    normal: str
    text: str
    # How much of what may name the organisation the piece holds, in (0, 1].
    coverage: float
    # Spelt loosely (words.loose): a name spelt in another script and back.
    loose: str = ""


@dataclass
class _Reading:
    """What the text says: pieces that may name the organisation, and hints."""

    pieces: list[_Piece]
    countries: set[str]
    cities: set[str]
    acronyms: list[tuple[str, str]]  # (key, text)
    rors: list[str]
    # Normal forms of the segments that may name the organisation, and of all of them with the hints.
    segments: list[str] = field(default_factory=list)
    whole: str = ""


# Segments read at most: a longer text is a list, not an affiliation.
_MOST_SEGMENTS = 8


def _read(text: str, index: MatchIndex) -> _Reading:
    reading = _Reading([], set(), set(), [], [o[1] for o in ROR_ID.finditer(text.lower())])
    by_country = country_names()
    # (normal, raw, names the organisation rather than a place)
    kept: list[tuple[str, str, bool]] = []
    every_word: list[str] = []
    for raw in (s.strip() for s in _SEPARATORS.split(text)):
        tokens = words(raw)
        every_word += tokens
        if not tokens or "ror" in tokens and ROR_ID.search(raw.lower()) or ROR_ID.fullmatch(raw.lower()):
            continue
        if (key := acronym_key(raw)) in index.acronyms:
            reading.acronyms.append((key, raw))
        joined = " ".join(tokens)
        if joined in by_country:
            reading.countries.add(by_country[joined])
            kept.append((joined, raw, False))
            continue
        if joined in index.cities or (len(tokens) <= 3 and (city := _city_like(index, joined))):
            reading.cities.add(joined if joined in index.cities else city)
            kept.append((joined, raw, False))
            continue
        if is_address(tokens):
            continue
        if tokens[0] in DEPARTMENT_WORDS:
            start = next((i for i, t in enumerate(tokens) if i and t in ORGANISATION_WORDS), None)
            if start is None:
                continue
            tokens = tokens[start:]
        for size in (3, 2, 1):  # a country named at the start or the end of a segment
            for part in (tokens[-size:], tokens[:size]):
                if len(tokens) > size and " ".join(part) in by_country:
                    reading.countries.add(by_country[" ".join(part)])
        kept.append((" ".join(tokens), raw, True))
    for size in (1, 2, 3):  # every city the text names, anywhere
        reading.cities.update(c for i in range(len(every_word) - size + 1)
                              if (c := " ".join(every_word[i:i + size])) in index.cities)
    kept = kept[:_MOST_SEGMENTS]
    naming = sum(len(n) for n, _, names in kept if names) or 1
    pieces: dict[str, _Piece] = {}
    for start in range(len(kept)):
        for end in range(start + 1, len(kept) + 1):
            group = kept[start:end]
            if not any(names for *_, names in group):
                continue
            normal_text = " ".join(n for n, _, _ in group)
            coverage = min(1.0, sum(len(n) for n, _, names in group if names) / naming)
            piece = _Piece(normal_text, ", ".join(r for _, r, _ in group), coverage, loose(normal_text))
            if normal_text not in pieces or pieces[normal_text].coverage < coverage:
                pieces[normal_text] = piece
    reading.pieces = list(pieces.values())
    reading.segments = [n for n, _, names in kept if names]
    reading.whole = " ".join(n for n, _, _ in kept)
    return reading


def _city_like(index: MatchIndex, text: str) -> str | None:
    """The directory's city `text` is a misspelling of, if any."""
    found = process.extractOne(text, index.city_list, scorer=fuzz.ratio, score_cutoff=CITY_SIMILARITY)
    return found[0] if found else None


def _known(index: MatchIndex, word: str) -> str | None:
    """The word as the index knows it: itself, or (a typo) the closest known word."""
    if word in index.postings:
        return word
    if len(word) < 4:
        return None
    found = process.extractOne(word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=CORRECTION)
    return found[0] if found else None


def _candidates(index: MatchIndex, reading: _Reading, visible: Callable[[Entry], bool]) -> list[int]:
    """The organisations sharing the rarest words with the text as a whole, and
    with each segment on its own (so a long department name cannot crowd out
    the organisation's)."""
    known: dict[str, str | None] = {}
    chosen: dict[int, None] = {}
    for text in dict.fromkeys([reading.whole, *reading.segments]):
        rarity: defaultdict[int, float] = defaultdict(float)
        for word in set(text.split()):
            if word not in known:
                known[word] = _known(index, word)
            if (found := known[word]) is not None:
                weight = index.idf[found]
                for position in index.postings[found]:
                    rarity[position] += weight
        best = heapq.nlargest(CANDIDATES * 2, rarity.items(), key=lambda item: item[1])
        for position in [p for p, _ in best if visible(index.entries[p])][:CANDIDATES]:
            chosen[position] = None
    return list(chosen)


def _score_names(entry: Entry, pieces: list[_Piece]) -> tuple[float, MatchingType, str]:
    best = (0.0, MatchingType.FUZZY, "")
    for piece in pieces:
        piece_words = set(piece.normal.split())
        # A name that says all of what the text says beats one that says a part of it.
        weight = 1 - PART_COST * (1 - piece.coverage)
        for name, loose_name in zip(entry.names, entry.loose):
            if piece.normal == name:
                similar, kind = 1.0, MatchingType.PHRASE
            else:
                similar = max(fuzz.ratio(piece.normal, name), fuzz.token_sort_ratio(piece.normal, name),
                              fuzz.ratio(piece.loose, loose_name) * LOOSE_WEIGHT) / 100
                kind = MatchingType.COMMON_TERMS if similar == 1.0 else MatchingType.FUZZY
                name_words = name.split()
                if len(name_words) >= 2 and set(name_words) <= piece_words:
                    covered = 0.70 + 0.25 * len(name) / max(len(piece.normal), 1)
                    if covered > similar:
                        similar, kind = covered, MatchingType.COMMON_TERMS
            # On a tie a phrase is the better reading (the words as written, not only the same words).
            if similar * weight > best[0] or similar * weight == best[0] and kind is MatchingType.PHRASE:
                best = (similar * weight, kind, piece.text)
    return best


def match(index: MatchIndex, text: str, visible: Callable[[Entry], bool], first: int = 5) -> list[Match]:
    """The best `first` organisations `text` may name, best first, among those `visible`."""
    reading = _read(text, index)
    found: dict[int, tuple[float, MatchingType, str]] = {}
    for ror in reading.rors:
        position = index.rors.get(ror)
        if position is not None and visible(index.entries[position]):
            found[position] = (1.0, MatchingType.IDENTIFIER, ror)
    if found:
        return _answer(index, found, first, reading, identified=True)
    whole = squashed(text)
    for position in _candidates(index, reading, visible):
        entry = index.entries[position]
        if whole in entry.exact:
            found[position] = (1.0, MatchingType.EXACT, text.strip())
            continue
        found[position] = _score_names(entry, reading.pieces)
    for key, raw in reading.acronyms:
        for position in index.acronyms[key]:
            entry = index.entries[position]
            # An acronym alone is ambiguous: trusted only with the organisation's own city or country named.
            named = entry.country in reading.countries or entry.city in reading.cities
            score = ACRONYM_SCORE if named else ACRONYM_ALONE
            if visible(entry) and found.get(position, (0.0,))[0] < score:
                found[position] = (score, MatchingType.ACRONYM, raw)
    return _answer(index, found, first, reading, identified=False)


def _hinted(entry: Entry, score: float, reading: _Reading) -> float:
    if reading.countries and entry.country not in reading.countries:
        score -= COUNTRY_PENALTY
    if reading.cities and entry.city not in reading.cities:
        score -= CITY_PENALTY
    return max(0.0, min(1.0, score))


def _answer(index: MatchIndex, found: dict, first: int, reading: _Reading, identified: bool) -> list[Match]:
    scored = []
    for position, (score, kind, matched) in found.items():
        entry = index.entries[position]
        final = score if identified else _hinted(entry, score, reading)
        if final >= FLOOR:
            scored.append((round(final, 4), kind, matched, entry))
    scored.sort(key=lambda s: (-s[0], s[3].name, s[3].id))
    chosen = bool(scored) and (identified or (
        scored[0][0] >= THRESHOLD and (len(scored) == 1 or scored[0][0] - scored[1][0] >= MARGIN)
    ))
    return [
        Match(entry.id, entry.name, score, chosen and rank == 0, kind, matched)
        for rank, (score, kind, matched, entry) in enumerate(scored[:first])
    ]
