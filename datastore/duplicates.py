"""Duplicate candidates: pairs of people (or organisations) that may be one, scored with reasons.

Kept up to date one record at a time, never by comparing all pairs: each
record has blocking keys (a person's folded family name within their country
and within their affiliation, since like names count only there, and their
ORCID; an organisation's ROR id, website domain, and its folded name and the
words of it within its country), stored as digests in `duplicate_keys` (no
value of a person is kept there). After a person or an organisation is
written, `refresh` compares it with the records sharing a key (an index
lookup) and replaces its pairs in `duplicate_candidates`. Similarity is
RapidFuzz's, over names folded as search folds them (datastore/text.py), so
"Łukasz Park" and "Lukasz Park" are one name and "Ł. Park" its initials.

Reasons are words a person reads ("same ORCID", "similar names, same
affiliation"); they quote no value, so erasure needs no scrub here (the
erased person's own keys and pairs are removed when their record is written).
"""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from datastore.client import Database
from datastore.documents import INSERT_BATCH, WHOLE_RESULT, count_matching
from datastore.records.vocabulary import RecordType
from datastore.text import fold as _fold

# A pair is a candidate from this score on.
THRESHOLD = 0.75
# Records read per key at most: a very common name's block is cut, never a scan.
BLOCK_LIMIT = 200
# Words too common in organisation names to block on.
_COMMON = frozenset({
    "university", "universite", "universidad", "universita", "universitat", "universiteit", "institute", "institut",
    "instituto", "of", "de", "the", "and", "for", "la", "le", "del", "der", "und", "et", "centre", "center", "national",
    "research", "hospital", "foundation", "genomics", "health", "inc", "ltd", "gmbh", "sa", "ag", "llc", "college",
})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """datastore.text.fold, kept: a record's names are folded once per pass, not once per pair."""
    return _fold(text)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _given_initial(given: str) -> str:
    folded = fold(given)
    return folded[:1]


@lru_cache(maxsize=200_000)
def _is_initial(given: str) -> bool:
    return len(re.sub(r"[^a-z]", "", fold(given))) <= 1 or bool(re.fullmatch(r"(\w\.\s*)+", given.strip()))


def person_keys(document: dict) -> list[str]:
    """Names are candidates only within one affiliation or country: the blocks say so too,
    so a common family name makes no block of thousands."""
    if document.get("erased"):
        return []
    family = fold(document.get("family_name") or "")
    keys = [f"family:{family}|country:{document.get('country') or '-'}"]
    if document.get("affiliation_id"):
        keys.append(f"family:{family}|affiliation:{document['affiliation_id']}")
    if document.get("orcid"):
        keys.append(f"orcid:{document['orcid'].strip().upper()}")
    return keys


def _domain(website: str | None) -> str | None:
    if not website:
        return None
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.") or None


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(name)) if len(w) > 2 and w not in _COMMON]


def organisation_keys(document: dict) -> list[str]:
    # The whole folded name too: every organisation has a key (build_missing counts on it).
    keys = [f"name:{document.get('country')}|{fold(document.get('name') or '')}"]
    keys += [f"word:{document.get('country')}|{word}" for word in _words(document.get("name") or "")]
    if document.get("ror_id"):
        keys.append(f"ror:{document['ror_id'].strip().lower()}")
    if domain := _domain(document.get("website")):
        keys.append(f"domain:{domain}")
    return keys


@dataclass(frozen=True, slots=True)
class Score:
    score: float
    reasons: tuple[str, ...]


def _combined(parts: list[float]) -> float:
    """Independent signals add up, never past 1."""
    missing = 1.0
    for part in parts:
        missing *= 1.0 - part
    return round(min(1.0, 1.0 - missing), 4)


def weight_of(a: dict, b: dict) -> tuple[str, float]:
    """Where two people are both found, and how much a like name then counts."""
    if a.get("affiliation_id") and a.get("affiliation_id") == b.get("affiliation_id"):
        return "same affiliation", 1.0
    if a.get("country") and a.get("country") == b.get("country"):
        return "same country", 0.9
    return "", 0.6


def score_people(a: dict, b: dict) -> Score:
    parts: list[float] = []
    reasons: list[str] = []
    if a.get("orcid") and a.get("orcid", "").strip().upper() == (b.get("orcid") or "").strip().upper():
        parts.append(0.95)
        reasons.append("same ORCID")
    if weight_of(a, b)[1] < THRESHOLD:  # names alone, in different places: never enough
        return Score(_combined(parts), tuple(reasons))
    given_a, given_b = a.get("given_name") or "", b.get("given_name") or ""
    family_a, family_b = fold(a.get("family_name") or ""), fold(b.get("family_name") or "")
    name_a, name_b = fold(f"{given_a} {a.get('family_name')}"), fold(f"{given_b} {b.get('family_name')}")
    same_place, weight = weight_of(a, b)
    name_score = 0.0
    raw_a, raw_b = f"{given_a} {a.get('family_name')}", f"{given_b} {b.get('family_name')}"
    if name_a == name_b and raw_a.casefold() != raw_b.casefold():
        name_score, name_reason = 1.0, "the same name once transliterated"
    elif name_a == name_b:
        name_score, name_reason = 1.0, "the same name"
    elif family_a == family_b and (_is_initial(given_a) or _is_initial(given_b)) and \
            _given_initial(given_a) == _given_initial(given_b):
        name_score, name_reason = 0.9, "initials that match the full given name"
    elif (similar := fuzz.token_sort_ratio(name_a, name_b) / 100) >= 0.85:
        name_score, name_reason = similar, "similar names"
    if name_score and weight * name_score >= THRESHOLD:
        parts.append(weight * name_score)
        reasons.append(f"{name_reason}, {same_place}" if same_place else name_reason)
    return Score(_combined(parts), tuple(reasons))


def score_organisations(a: dict, b: dict) -> Score:
    parts: list[float] = []
    reasons: list[str] = []
    if a.get("ror_id") and (a.get("ror_id") or "").strip().lower() == (b.get("ror_id") or "").strip().lower():
        parts.append(0.95)
        reasons.append("same ROR id")
    if (domain := _domain(a.get("website"))) and domain == _domain(b.get("website")):
        parts.append(0.85)
        reasons.append("same website domain")
    if a.get("country") == b.get("country"):
        similar = fuzz.token_set_ratio(fold(a.get("name") or ""), fold(b.get("name") or "")) / 100
        if similar >= 0.85:
            parts.append(similar * 0.9)
            reasons.append("similar names in the same country")
    return Score(_combined(parts), tuple(reasons))


_KINDS = {
    RecordType.PERSON: ("people", person_keys, score_people),
    RecordType.ORGANISATION: ("organisations", organisation_keys, score_organisations),
}


def pair_id(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def order_key(score: float, pair: str) -> str:
    """Highest score first, then by the pair's ids: one sortable text (the keyset)."""
    return f"{1_000_000 - round(score * 1_000_000):07d}|{pair}"


async def refresh(db: Database, record_type: RecordType, record_id: str) -> int:
    """Recompute the record's keys and its candidate pairs; how many pairs it has now."""
    collection, keys_of, score = _KINDS[record_type]
    document = await getattr(db, collection).find_one({"_id": record_id})
    keys = list(dict.fromkeys(_digest(k) for k in keys_of(document))) if document is not None else []
    await db.duplicate_candidates.delete_many({"ids": record_id})
    if not keys:
        await db.duplicate_keys.delete_one({"_id": record_id})
        return 0
    await db.duplicate_keys.replace_one(
        {"_id": record_id}, {"_id": record_id, "record_type": record_type.value, "keys": keys}, upsert=True
    )
    cursor = db.duplicate_keys.find(
        {"keys": {"$in": keys}, "record_type": record_type.value}, projection=["_id"],
        limit=BLOCK_LIMIT * len(keys), batch_size=WHOLE_RESULT,
    )
    others = [d["_id"] async for d in cursor if d["_id"] != record_id]
    if not others:
        return 0
    pairs = []
    async for other in getattr(db, collection).find({"_id": {"$in": others}}, batch_size=WHOLE_RESULT):
        if other.get("erased"):
            continue
        found = score(document, other)
        if found.score >= THRESHOLD:
            pair = pair_id(record_id, other["_id"])
            pairs.append({"_id": pair, "record_type": record_type.value, "ids": sorted((record_id, other["_id"])),
                          "score": found.score, "reasons": list(found.reasons),
                          "order_key": order_key(found.score, pair)})
    for pair in pairs:
        await db.duplicate_candidates.replace_one({"_id": pair["_id"]}, pair, upsert=True)
    return len(pairs)


async def rebuild(db: Database, record_type: RecordType) -> int:
    """Every record's keys and pairs anew, in one pass (after an import, a seed or a restore,
    which write records outside the mutations that refresh them); how many records have keys."""
    collection, keys_of, score = _KINDS[record_type]
    keyed: list[dict] = []
    blocks: dict[str, list[dict]] = {}
    async for document in getattr(db, collection).find({}, batch_size=WHOLE_RESULT):
        keys = list(dict.fromkeys(_digest(k) for k in keys_of(document)))
        if keys:
            keyed.append({"_id": document["_id"], "record_type": record_type.value, "keys": keys})
        for key in keys:
            blocks.setdefault(key, []).append(document)
    pairs: dict[str, dict] = {}
    for members in blocks.values():
        members = members[:BLOCK_LIMIT]
        for index, first in enumerate(members):
            for second in members[index + 1:]:
                if first["_id"] == second["_id"]:
                    continue
                pair = pair_id(first["_id"], second["_id"])
                if pair in pairs:
                    continue
                found = score(first, second)
                if found.score >= THRESHOLD:
                    pairs[pair] = {"_id": pair, "record_type": record_type.value,
                                   "ids": sorted((first["_id"], second["_id"])), "score": found.score,
                                   "reasons": list(found.reasons), "order_key": order_key(found.score, pair)}
    await db.duplicate_keys.delete_many({"record_type": record_type.value})
    await db.duplicate_candidates.delete_many({"record_type": record_type.value})
    for start in range(0, len(keyed), INSERT_BATCH):
        await db.duplicate_keys.insert_many(keyed[start:start + INSERT_BATCH], ordered=False)
    found_pairs = list(pairs.values())
    for start in range(0, len(found_pairs), INSERT_BATCH):
        await db.duplicate_candidates.insert_many(found_pairs[start:start + INSERT_BATCH], ordered=False)
    return len(keyed)


async def build_missing(db: Database) -> list[RecordType]:
    """At start-up: rebuild the kinds whose records are not all keyed (written by an import,
    a seed or a restore); the kinds rebuilt."""
    rebuilt = []
    for record_type, (collection, _, _) in _KINDS.items():
        records = await count_matching(getattr(db, collection), {"erased": {"$ne": True}})
        keyed = await count_matching(db.duplicate_keys, {"record_type": record_type.value})
        if records != keyed:
            await rebuild(db, record_type)
            rebuilt.append(record_type)
    return rebuilt


@dataclass(frozen=True, slots=True)
class Candidate:
    ids: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]
    order_key: str


async def page(db: Database, record_type: RecordType, after: str | None, limit: int) -> list[Candidate]:
    """Candidates of one kind, highest score first, after the keyset `after` (an order key)."""
    query: dict = {"record_type": record_type.value}
    if after is not None:
        query["order_key"] = {"$gt": after}
    cursor = db.duplicate_candidates.find(query, sort=[("order_key", 1)], limit=limit, batch_size=limit)
    return [Candidate(tuple(d["ids"]), d["score"], tuple(d["reasons"]), d["order_key"]) async for d in cursor]
