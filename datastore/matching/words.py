"""Words of affiliation strings and organisation names, brought to one form.

Both sides go through the same steps, so a name and a string that says it
differently meet: folded as search folds (datastore.text: case, accents and
other scripts), cut into words, each abbreviation or other-language form of a
common word replaced by one English word ("Univ", "Universität", "Uniwersytet"
-> "university"), exonyms of cities by the city's own name ("Copenhagen",
"Københavns" -> "kobenhavn"), and words that tell nothing (of, de, für, Inc.)
dropped.
"""

import re
from functools import cache

import pycountry

from datastore.text import fold

_WORD = re.compile(r"[a-z0-9]+")

_SAME_WORD: dict[str, tuple[str, ...]] = {
    "university": ("univ", "uni", "universitat", "universitaet", "universite", "universidad", "universidade",
                   "universita", "uniwersytet", "universiteit", "universitet", "universitetet", "univerzita",
                   "universitatea", "universiti", "universitas", "yliopisto", "egyetem", "daxue", "daigaku"),
    "institute": ("inst", "institut", "instituto", "istituto", "instytut", "instituut", "institutet"),
    "department": ("dept", "dep", "dpt", "departement", "departamento", "dipartimento", "abteilung"),
    "centre": ("ctr", "cntr", "cent", "center", "centro", "zentrum", "centrum"),
    "hospital": ("hosp", "hopital", "hospitalier", "ospedale", "krankenhaus", "klinikum", "hospitales"),
    "laboratory": ("lab", "labs", "laboratoire", "laboratorio", "labor", "laboratories"),
    "foundation": ("fdn", "found", "fundacion", "fondation", "fundacao", "fondazione", "stiftung", "fundacja"),
    "national": ("natl", "nat", "nacional", "nationale", "nazionale"),
    "medicine": ("med", "medicina", "medecine", "medizin"),
    "genomics": ("genom", "genomic", "genomique", "genomica", "genomik", "genomica"),
    "genetics": ("genet", "genetique", "genetica", "genetik"),
    "technologies": ("tech", "techn", "technol", "technology", "technologie"),
    "school": ("sch", "schl", "escuela", "ecole", "scuola"),
    "college": ("coll",),
    "health": ("hlth", "sante", "salud", "saude", "gesundheit"),
    "science": ("sci", "sciences"),
    "division": ("div",),
    "ministry": ("min", "ministerio", "ministere", "ministerium"),
    "children": ("childrens", "child"),
    # Cities by the name the demo and most members use for them.
    "kobenhavn": ("copenhagen", "kobenhavns"),
    "munchen": ("munich", "muenchen"),
    "wien": ("vienna",),
    "praha": ("prague",),
    "warszawa": ("warsaw", "warszawski"),
    "krakow": ("cracow",),
    "lisboa": ("lisbon",),
    "milano": ("milan",),
    "roma": ("rome",),
    "torino": ("turin",),
    "geneve": ("geneva", "genf"),
    "zurich": ("zuerich",),
    "bruxelles": ("brussels", "brussel"),
    "athina": ("athens", "athinon"),
    "montreal": (),
    "bengaluru": ("bangalore",),
}
CANONICAL = {variant: word for word, variants in _SAME_WORD.items() for variant in variants}
# Compound words written as one in German and Dutch.
SPLIT = {"humangenetik": ("human", "genetics"), "humangenetica": ("human", "genetics")}

# Words that tell nothing about which organisation: articles, prepositions,
# legal forms, and the "s" of a possessive ("Children's").
STOPWORDS = frozenset(
    "of the and for at in on a an de del della degli di da do dos das du des la le les l d s y e et i "
    "fur und der die das zu van von voor en het og och af w na "
    "inc ltd llc plc gmbh ag sa srl spa bv nv co corp corporation limited pty kk ab as oy".split()
)

# A segment starting with one of these names a part of an organisation.
DEPARTMENT_WORDS = frozenset("department division faculty laboratory unit section chair group programme program "
                             "service clinic".split())
# Words that start an organisation's name inside a longer segment
# ("Department of Genetics University of Toronto").
ORGANISATION_WORDS = frozenset("university institute hospital college school centre foundation ministry".split())
# Words of a street address.
STREET_WORDS = frozenset("street st road rd avenue ave av rue strasse str via calle avenida boulevard blvd lane "
                         "box po floor building bldg suite cedex platz weg straat vej gatan".split())


def words(text: str) -> list[str]:
    """'Univ. de Montréal' -> ['university', 'montreal']."""
    found: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in SPLIT:
            found += SPLIT[word]
            continue
        word = CANONICAL.get(word, word)
        if word not in STOPWORDS:
            found.append(word)
    return found


def normal(text: str) -> str:
    return " ".join(words(text))


def squashed(text: str) -> str:
    """Folded with punctuation as spaces, nothing else changed: what EXACT compares."""
    return " ".join(_WORD.findall(fold(text)))


def is_address(tokens: list[str]) -> bool:
    return any(any(c.isdigit() for c in t) for t in tokens) or any(
        t in STREET_WORDS or t.endswith("strasse") or t.endswith("gade") for t in tokens
    )


@cache
def country_names() -> dict[str, str]:
    """Normal form of every country's name, official and common, -> ISO alpha-2 code."""
    found: dict[str, str] = {}
    for entry in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if name := getattr(entry, attribute, None):
                found.setdefault(normal(name), entry.alpha_2)
    for name, code in {
        "usa": "US", "us": "US", "united states america": "US", "uk": "GB", "england": "GB", "scotland": "GB",
        "wales": "GB", "great britain": "GB", "deutschland": "DE", "espana": "ES", "brasil": "BR", "italia": "IT",
        "nederland": "NL", "netherlands": "NL", "holland": "NL", "schweiz": "CH", "suisse": "CH", "sverige": "SE",
        "norge": "NO", "danmark": "DK", "polska": "PL", "osterreich": "AT", "korea": "KR", "south korea": "KR",
        "russia": "RU", "turkey": "TR", "turkiye": "TR", "vietnam": "VN", "viet nam": "VN", "czech republic": "CZ",
        "mexico": "MX", "peoples republic china": "CN", "pr china": "CN", "iran": "IR", "taiwan": "TW",
    }.items():
        found[name] = code
    return found


_LOOSE = str.maketrans({"c": "k", "q": "k", "y": "i", "w": "v", "z": "s", "h": None, "x": "ks"})
_DOUBLE = re.compile(r"(.)\1+")


def loose(normal_text: str) -> str:
    """A spelling that survives a round trip through another script: 'klinikal genetiks' and
    'clinical genetics' -> 'klinikal genetiks' (c, q as k; y as i; w as v; no h; letters once)."""
    return _DOUBLE.sub(r"\1", normal_text.translate(_LOOSE))
