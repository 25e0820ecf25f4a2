"""Affiliation matching's vocabulary: how a candidate was found (as the ROR API names them)."""

from enum import Enum


class MatchingType(Enum):
    EXACT = "EXACT"  # the whole text is one of the organisation's names (folded)
    PHRASE = "PHRASE"  # a part of the text, departments and address left out, is one of its names
    ACRONYM = "ACRONYM"  # a part of the text is one of its acronyms
    COMMON_TERMS = "COMMON_TERMS"  # the words of one of its names, in another order or among others
    FUZZY = "FUZZY"  # a name similar to a part of the text (typos, other spellings)
    IDENTIFIER = "IDENTIFIER"  # its ROR id or URL is in the text
