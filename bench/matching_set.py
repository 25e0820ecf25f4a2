"""The labelled evaluation set of affiliation matching, made from the demo
directory (scale 1) by a seeded generator:

    .venv/bin/python -m bench.matching_set      # writes bench/matching_set.csv

Each row: an affiliation string as people write them, its label (the id of
the demo organisation it names, or empty when it names no member) and the kind
of noise it was made with. The set is committed, and was frozen before the
matcher was tuned: change the generator only with a new seed and a new file.

Organisations whose name (without the "(city)" or number the demo adds to a
repeated name) is shared with another of the same city are left out as
targets: they are duplicates, which no string can tell apart.
"""

import csv
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

from datastore import demo
from datastore.records import countries
from datastore.records.organisations import Organisation

SEED = 26_0001
PATH = Path(__file__).with_name("matching_set.csv")
PER_KIND = 50

DEPARTMENTS = ["Department of Genetics", "Dept. of Medical Genetics", "Division of Genomic Medicine",
               "Department of Biochemistry", "Dept of Pathology", "Laboratory of Human Genomics",
               "Faculty of Medicine", "Centre for Rare Diseases", "Unit of Clinical Bioinformatics"]
STREETS = ["Main Street", "Rue de la Paix", "Hauptstraße", "Avenida Central", "King's Road", "Via Roma",
           "University Avenue", "Calle Mayor"]
ABBREVIATIONS = [("University", "Univ."), ("Universität", "Univ."), ("Université", "Univ."), ("Institute", "Inst."),
                 ("Institut", "Inst."), ("Hospital", "Hosp."), ("Centre", "Ctr."), ("Center", "Ctr."),
                 ("National", "Natl."), ("Department", "Dept."), ("Foundation", "Fdn."), ("Medicine", "Med."),
                 ("Laboratory", "Lab."), ("Technologies", "Tech."), ("Genomics", "Genom.")]
# Real institutions and plausible ones the demo has not got.
NOT_MEMBERS = [
    "Massachusetts Institute of Technology, Cambridge, MA, USA", "Karolinska Institutet, Stockholm, Sweden",
    "Wellcome Sanger Institute, Hinxton, UK", "Broad Institute of MIT and Harvard",
    "Max Planck Institute for Molecular Genetics, Berlin", "Department of Biology, Stanford University, CA, USA",
    "EMBL-EBI, Wellcome Genome Campus", "University of Oslo, Norway", "Universidad de Chile, Santiago",
    "Peking Union Medical College Hospital", "Institut Pasteur, Paris, France", "Johns Hopkins University",
    "University of Cape Coast, Ghana", "Garvan Institute of Medical Research, Sydney",
    "Hospital for Sick Children, Toronto", "Kyoto University Graduate School of Medicine",
    "Seoul National University College of Medicine", "Tata Memorial Centre, Mumbai, India",
    "Instituto Nacional de Medicina Genómica, Ciudad de México", "Makerere University College of Health Sciences",
    "Helmholtz Zentrum München", "Radboud University Medical Center, Nijmegen",
    "Department of Statistics, University of Auckland", "Indian Institute of Science",
    "Weizmann Institute of Science", "https://ror.org/05a28rw58", "Independent researcher",
    "Retired", "Self-employed consultant, Lisbon", "Acme Widgets Corp.", "https://ror.org/0zzzzzzzz",
]
NEW_WORDS = ["Zymo", "Nexa", "Orbita", "Geneva", "Solace", "Kestrel", "Tandem", "Arcadia", "Borealis", "Cobalt"]
# Letter for letter, as a name is spelt in another script (a hard "c" as "k").
CYRILLIC = dict(zip("abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхкы"))
GREEK = dict(zip("abgdezhiklmnxoprstyfuc", "αβγδεζηικλμνξοπρστυφυκ"))


def base_name(name: str) -> str:
    return re.sub(r" (\(.*\)|\d+)$", "", name)


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    at = rng.randrange(1, len(w) - 2)
    match rng.choice(("swap", "drop", "double", "replace")):
        case "swap":
            w = w[:at] + w[at + 1] + w[at] + w[at + 2:]
        case "drop":
            w = w[:at] + w[at + 1:]
        case "double":
            w = w[:at] + w[at] + w[at:]
        case _:
            w = w[:at] + rng.choice("aeioulnrst") + w[at + 1:]
    words[i] = w
    return " ".join(words)


def other_script(rng: random.Random, text: str) -> str:
    table = rng.choice((CYRILLIC, GREEK))
    return "".join(table.get(c, table.get(c.lower(), c)) for c in without_accents(text))


def address(rng: random.Random, o: Organisation) -> str:
    country = countries.country(o.country_code).name  # type: ignore[union-attr]
    return f"{rng.randrange(1, 400)} {rng.choice(STREETS)}, {rng.randrange(1000, 99999)} {o.city}, {country}"


def reordered(name: str) -> str | None:
    """'University of Boston' -> 'Boston University'; 'X, Y' -> 'Y, X'."""
    if ", " in name:
        first, rest = name.split(", ", 1)
        return f"{rest}, {first}"
    if m := re.match(r"^(University|Ministry of Health|Université|Universidad|Universidade) (?:of|de) (.+)$", name):
        return f"{m[2]} {m[1]}"
    if m := re.match(r"^(.+) (Public Health Agency|Genome Foundation|Children's Hospital)$", name):
        return f"{m[2]}, {m[1]}"
    return None


def targets(orgs: list[Organisation]) -> list[Organisation]:
    """Organisations a string can name alone: no other of the same base name and city."""
    same = Counter((base_name(o.name), o.city) for o in orgs)
    return [o for o in orgs if same[(base_name(o.name), o.city)] == 1]


def rows(seed: int = SEED) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    orgs = demo.generate(1).organisations
    names = {base_name(o.name) for o in orgs} | {a for o in orgs for a in o.aliases}
    pool = targets(orgs)
    shared = Counter(base_name(o.name) for o in orgs)
    found: list[tuple[str, str, str]] = []

    def add(o: Organisation | None, text: str, kind: str) -> None:
        found.append((text, o.id if o else "", kind))

    def pick(condition=lambda o: True) -> Organisation:
        return rng.choice([o for o in pool if condition(o)])

    def name_of(o: Organisation) -> str:
        """The name as a writer knows it: with its city when another city's organisation shares it."""
        base = base_name(o.name)
        return f"{base}, {o.city}" if shared[base] > 1 else base

    for _ in range(PER_KIND):
        o = pick()
        add(o, name_of(o), "clean")
    for _ in range(PER_KIND):
        o = pick()
        add(o, f"{rng.choice(DEPARTMENTS)}, {name_of(o)}", "department")
    for _ in range(PER_KIND):
        o = pick()
        add(o, f"{name_of(o)}, {address(rng, o)}", "address")
    for _ in range(PER_KIND):
        o = pick(lambda o: any(long in o.name for long, _ in ABBREVIATIONS))
        text = name_of(o)
        for long, short in ABBREVIATIONS:
            if rng.random() < 0.8:
                text = text.replace(long, rng.choice((short, short.rstrip("."))))
        add(o, text, "abbreviation")
    for _ in range(PER_KIND):
        o = pick(lambda o: without_accents(o.name) != o.name or any(without_accents(a) != a for a in o.aliases))
        text = rng.choice([n for n in (name_of(o), *o.aliases) if without_accents(n) != n])
        add(o, without_accents(text), "accents")
    for _ in range(PER_KIND):
        o = pick(lambda o: reordered(base_name(o.name)) is not None)
        text = reordered(base_name(o.name))
        add(o, f"{text}, {o.city}" if shared[base_name(o.name)] > 1 else text, "word_order")
    for _ in range(PER_KIND):
        o = pick()
        add(o, typo(rng, name_of(o)), "typo")
    for _ in range(PER_KIND):
        o = pick()
        native = [a for a in o.aliases if not a.isascii() and any(ord(c) > 0x2FF for c in a)]
        add(o, native[0] if native and rng.random() < 0.6 else other_script(rng, name_of(o)), "script")
    for _ in range(PER_KIND):
        o = pick(lambda o: o.ror_id is not None)
        ror = o.ror_id or ""
        text = rng.choice((ror, ror.removeprefix("https://"), ror.rsplit("/", 1)[1],
                           f"{rng.choice(DEPARTMENTS)}, {name_of(o)} ({ror})", f"ROR: {ror.rsplit('/', 1)[1]}"))
        add(o, text, "ror")
    for _ in range(PER_KIND // 2):
        o = pick(lambda o: bool(o.acronyms))
        country = countries.country(o.country_code).name  # type: ignore[union-attr]
        add(o, f"{o.acronyms[-1]}, {o.city}, {country}", "acronym")
    for _ in range(PER_KIND // 2):
        o = pick(lambda o: bool(o.aliases) and any(a.isascii() for a in o.aliases))
        alias = rng.choice([a for a in o.aliases if a.isascii()])
        add(o, f"{rng.choice(DEPARTMENTS)}, {alias}", "alias")
    for _ in range(PER_KIND):
        # Named by its city's country alone: another country has an organisation of the same name.
        o = pick(lambda o: shared[base_name(o.name)] > 1 and o.city)
        country = countries.country(o.country_code).name  # type: ignore[union-attr]
        same = [p for p in orgs if base_name(p.name) == base_name(o.name) and p.country_code == o.country_code]
        if len(same) == 1:
            add(o, f"{base_name(o.name)}, {country}", "country")
        else:
            add(o, f"{base_name(o.name)}, {o.city}, {country}", "country")
    for text in NOT_MEMBERS:
        add(None, text, "none")
    while sum(1 for *_, kind in found if kind == "none") < 2 * PER_KIND:
        city = rng.choice([c for cs in demo.CITIES.values() for c in cs])
        text = rng.choice((f"University of {city}", f"{rng.choice(NEW_WORDS)} Genomics", f"{city} Cancer Institute",
                           f"{rng.choice(NEW_WORDS)} Therapeutics, {city}", f"Dept. of Surgery, {city} Medical College"))
        if text not in names:
            add(None, text, "none")
    return found


def main() -> None:
    found = rows()
    with PATH.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label", "noise"])
        writer.writerows(found)
    print(f"{len(found)} rows -> {PATH} ({dict(Counter(kind for *_, kind in found))})")


if __name__ == "__main__":
    main()
