"""Aliases and acronyms of the demo organisations, as staff would record them:
the name in the country's language (and script), an English form of a name
in another language, and the acronym of a name of three words or more.

Worked out from the name's pattern alone (no random draw), so adding them
left every other demo value as it was.
"""

import re

# "University of {city}" as the country's own language says it.
_UNIVERSITY_IN = {
    **dict.fromkeys(["DE", "AT", "CH"], "Universität {city}"),
    **dict.fromkeys(["FR", "BE", "MA", "TN", "SN", "CM", "LU"], "Université de {city}"),
    **dict.fromkeys(["ES", "MX", "CU", "CR", "PA", "GT", "AR", "CL", "CO", "PE", "UY", "EC", "VE", "BO", "PY"],
                    "Universidad de {city}"),
    **dict.fromkeys(["PT", "BR"], "Universidade de {city}"),
    "IT": "Università di {city}",
    "PL": "Uniwersytet {city}",
    "NL": "Universiteit {city}",
    "SE": "{city} universitet",
    "NO": "Universitetet i {city}",
    "DK": "{city}s Universitet",
    "CZ": "Univerzita {city}",
}
# French-speaking cities of bilingual countries: the Université de Montréal, de Genève.
_FRENCH_CITIES = {"Montréal", "Genève"}
# The university's name in the country's own script: (city, name).
_NATIVE = {
    "Tokyo": "東京大学", "Osaka": "大阪大学", "Sendai": "仙台大学",
    "Beijing": "北京大学", "Shanghai": "上海大学", "Shenzhen": "深圳大学",
    "Seoul": "서울대학교", "Daejeon": "대전대학교", "Taipei": "臺北大學",
    "Athína": "Πανεπιστήμιο Αθηνών", "Tel Aviv": "אוניברסיטת תל אביב", "Cairo": "جامعة القاهرة",
    "Riyadh": "جامعة الرياض", "Bangkok": "มหาวิทยาลัยกรุงเทพ",
}
_SMALL_WORDS = {"of", "de", "for", "the", "für", "para", "la", "di", "i", "and", "—"}


def _university_aliases(city: str, code: str) -> list[str]:
    found = []
    if city in _FRENCH_CITIES:
        found.append(f"Université de {city}")
    elif code == "DK":
        found.append("Københavns Universitet" if city == "København" else f"{city} Universitet")
    elif code in _UNIVERSITY_IN:
        found.append(_UNIVERSITY_IN[code].format(city=city))
    if city in _NATIVE:
        found.append(_NATIVE[city])
    return found


def acronym(name: str) -> str | None:
    """'Toronto Institute of Genomic Medicine' -> 'TIGM'; None under three words."""
    words = [w for w in re.split(r"[\s,.()-]+|['’]s\b", name) if w and w.casefold() not in _SMALL_WORDS]
    if len(words) < 3 or any(not w[0].isalpha() for w in words):
        return None
    return "".join(w[0].upper() for w in words)


def matching_names(pattern: str, city: str, code: str, country: str, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(aliases, acronyms) of the organisation named after `pattern`."""
    name = pattern.format(city=city, country=country, word=word)
    aliases: list[str] = []
    acronyms: list[str] = []
    match pattern:
        case "University of {city}":
            aliases += _university_aliases(city, code)
        case "Université de {city} — Centre de Génomique":
            aliases += [f"Université de {city}, Centre de Génomique", f"University of {city} Genomics Centre"]
        case "Universität {city}, Institut für Humangenetik":
            aliases += [f"Institut für Humangenetik, Universität {city}", f"University of {city} Institute of Human Genetics"]
        case "Ministry of Health of {country}":
            aliases.append(f"{country} Ministry of Health")
            acronyms.append("MOH")
        case "Hôpital {word} de {city}":
            aliases.append(f"{word} Hospital {city}")
        case "Fundación {word} para la Genómica":
            aliases.append(f"{word} Foundation for Genomics")
        case "{word} Bioinformatics Ltd" | "{word} Health Data Inc.":
            aliases.append(name.rsplit(" ", 1)[0])
    if (initials := acronym(name)) and initials not in acronyms:
        acronyms.append(initials)
    return tuple(aliases), tuple(acronyms)
