"""An erased person's values, and finding them in text as whole case-folded tokens.

A token is a run of letters and digits of any script, composed (NFC), then
NFKC-normalised and case-folded; everything else (spaces, punctuation, "_",
"@") separates tokens. A value is found where its tokens stand in a row:
"Ana" in "asked ANA, then left", never in "Banana Genomics"; an e-mail
"ana.lima@x.example" in "write to ana.lima@x.example.".
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ERASED = "[erased]"
_TOKEN = re.compile(r"[^\W_]+")

Tokens = tuple[str, ...]


def folded_spans(text: str) -> list[tuple[str, int, int]]:
    """Each token of `text` (composed: NFC), folded, with where it stands in `text`."""
    spans = []
    for found in _TOKEN.finditer(text):
        # NFKC may turn one token into several ("①a" → "1a" stays one; "ǅ" folds to "dž").
        for part in _TOKEN.findall(unicodedata.normalize("NFKC", found.group()).casefold()):
            spans.append((part, found.start(), found.end()))
    return spans


def tokens(text: str) -> Tokens:
    """The case-folded tokens of `text`, as erasure compares them."""
    return tuple(token for token, _, _ in folded_spans(unicodedata.normalize("NFC", text)))


@dataclass(frozen=True, slots=True)
class Values:
    """An erased person's values as token sequences: `whole` (full name, e-mail,
    ORCID) erased everywhere; `names` (given and family names alone) only where
    a Field says so."""

    whole: tuple[Tokens, ...]
    names: tuple[Tokens, ...] = ()

    @classmethod
    def of(cls, full_name: str | None, given_name: str | None, family_name: str | None,
           email: str | None, orcid: str | None, *others: str | None) -> "Values":
        """`others`: more whole values (an address asked for and not yet confirmed)."""
        whole = [tokens(v) for v in (full_name, email, orcid, *others) if v]
        names = [tokens(v) for v in (given_name, family_name) if v]
        return cls(tuple(t for t in whole if t), tuple(t for t in names if t))

    # As stored in a change's plan: each sequence as its tokens joined by spaces
    # (some engines store no nested arrays: datastore/engines).
    @classmethod
    def from_plain(cls, values: dict) -> "Values":
        return cls(*(tuple(tokens(v) for v in values.get(kind, ())) for kind in ("whole", "names")))

    def to_plain(self) -> dict:
        return {"whole": [" ".join(v) for v in self.whole], "names": [" ".join(v) for v in self.names]}

    def sequences(self, names_alone: bool) -> tuple[Tokens, ...]:
        return self.whole + self.names if names_alone else self.whole


def matches(spans: list[tuple[str, int, int]], sequences: Iterable[Tokens]) -> list[tuple[int, int]]:
    """Where in the text each sequence stands, as (start, end) of its first and last token."""
    found = []
    folded = [token for token, _, _ in spans]
    for sequence in sequences:
        size = len(sequence)
        for at in range(len(folded) - size + 1):
            if tuple(folded[at:at + size]) == sequence:
                found.append((spans[at][1], spans[at + size - 1][2]))
    return found


def contains(text: str, sequences: Iterable[Tokens]) -> bool:
    return bool(matches(folded_spans(unicodedata.normalize("NFC", text)), sequences))


def scrubbed_text(text: str, sequences: Sequence[Tokens]) -> str:
    """`text` with every whole-token occurrence of `sequences` replaced by ERASED
    (composed, NFC, where it had any: an accent kept apart would split a token)."""
    composed = unicodedata.normalize("NFC", text)
    found = sorted(matches(folded_spans(composed), sequences))
    if not found:
        return text
    text = composed
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, last = [], 0
    for start, end in merged:
        pieces += [text[last:start], ERASED]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def found_in(text: str, values: Sequence[str]) -> list[str]:
    """Those of `values` that stand in `text` as whole tokens."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    wanted = [(value, tokens(value)) for value in values]
    # A first token nowhere, not even inside a word, spares tokenizing the text.
    wanted = [(value, sequence) for value, sequence in wanted if sequence and sequence[0] in folded]
    if not wanted:
        return []
    spans = folded_spans(unicodedata.normalize("NFC", text))
    return [value for value, sequence in wanted if matches(spans, [sequence])]
