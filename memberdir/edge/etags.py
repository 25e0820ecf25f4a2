"""Strong ETags for GraphQL GET answers and exports, and If-None-Match.

A generation ETag names what the answer was computed from, so a later request
can tell it is still current from the generation tokens alone, without
running the query, in any process (README, "Conditional requests"):

    "g<collections><d>.<digest>"

where <collections> is a bit mask of the directory's collections the answer
read (answer_cache.KEPT_OVER, sorted), `d` is there when it read today's date,
and the digest is a SHA-256 of the request (document, operation name,
variables, or an export's path and parameters), the caller (for anyone not
anonymous), the tokens of those collections and the date. Answers that read
anything else get a content ETag, `"c.<digest>"` of the caller and the
answer's data: a match is known only once the query ran.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date

from memberdir.edge.answer_cache import KEPT_OVER

_ORDER = sorted(KEPT_OVER)


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def generation_etag(request: tuple, caller: str, under: Iterable[tuple[str, str]], day: date | None) -> str:
    under = tuple(sorted(under))
    mask = sum(1 << _ORDER.index(collection) for collection, _ in under)
    digest = _digest(request, caller, under, day.isoformat() if day else None)
    return f'"g{mask:x}{"d" if day else ""}.{digest}"'


def content_etag(caller: str, data: bytes) -> str:
    digest = hashlib.sha256(caller.encode() + b"\0" + data).hexdigest()[:40]
    return f'"c.{digest}"'


def candidates(if_none_match: str) -> list[str]:
    """The entity tags of an If-None-Match field; weak ones compare as strong (RFC 9110, 13.1.2)."""
    return [tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()]


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = candidates(if_none_match)
    return "*" in tags or etag in tags


def still_current(
    if_none_match: str | None, request: tuple, caller: str, tokens: Mapping[str, str | None], today: date
) -> str | None:
    """The generation ETag among those sent that the current tokens give again, if any."""
    for tag in candidates(if_none_match or ""):
        read = _generation_reads(tag)
        if read is None:
            continue
        collections, dated = read
        under = [(c, tokens.get(c)) for c in collections]
        if any(token is None for _, token in under):
            continue
        if generation_etag(request, caller, under, today if dated else None) == tag:  # type: ignore[arg-type]
            return tag
    return None


def _generation_reads(tag: str) -> tuple[list[str], bool] | None:
    if not (tag.startswith('"g') and tag.endswith('"') and "." in tag):
        return None
    head = tag[2:tag.index(".")]
    dated = head.endswith("d")
    try:
        mask = int(head.removesuffix("d"), 16)
    except ValueError:
        return None
    if mask >= 1 << len(_ORDER):
        return None
    return [c for i, c in enumerate(_ORDER) if mask >> i & 1], dated


