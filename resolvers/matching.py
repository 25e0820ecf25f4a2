"""Affiliation matching: which organisations an affiliation string names
(datastore.matching), among those the caller may see."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from datastore.matching import index as matching_index
from datastore.matching.index import MatchIndex
from datastore.matching.matcher import Match, match
from datastore.records import arrival
from datastore.records.organisations import Organisation
from datastore.records.vocabulary import MembershipStatus, Role
from resolvers.context import Context
from resolvers.errors import BadArgument
from resolvers.viewer import Viewer

MAX_FIRST = 20
DEFAULT_FIRST = 5
# Longer than any affiliation; a longer text is refused, not truncated.
MAX_TEXT = 1_000
# Rows of one CSV request (POST /match/affiliations.csv).
MAX_ROWS = 10_000
# Aliases or acronyms an organisation holds at most (the limit on them as they arrive).
MATCHING_NAMES = arrival.ITEMS
# Never shown to anonymous callers: organisations that are not, or no longer, members.
HIDDEN_FROM_ANONYMOUS = frozenset({MembershipStatus.APPLICANT.value, MembershipStatus.DECLINED.value,
                                   MembershipStatus.REMOVED.value})


@dataclass(frozen=True, slots=True)
class AffiliationMatch:
    organisation: Organisation
    match: Match


def visible_to(viewer: Viewer):
    """Which organisations the viewer may be answered: anonymous callers never get applicants,
    declined or removed members; signed-in callers see every organisation, as `organisations` does."""
    if viewer.role is Role.ANONYMOUS:
        return lambda entry: entry.status not in HIDDEN_FROM_ANONYMOUS
    return lambda entry: True


async def current_index(ctx: Context) -> MatchIndex:
    """The matching index of the organisations as they are now (rebuilt when they changed)."""
    tokens = await ctx.loaders.generation.tokens()
    return await matching_index.HELD.index(ctx.db, tokens.get("organisations"))


def checked_text(text: str, argument: str = "text") -> str:
    if len(text) > MAX_TEXT:
        raise BadArgument(argument, f"at most {MAX_TEXT} characters, got {len(text)}")
    return text


async def match_affiliation(ctx: Context, text: str, first: int | None) -> list[AffiliationMatch]:
    first = DEFAULT_FIRST if first is None else first
    if not 1 <= first <= MAX_FIRST:
        raise BadArgument("first", f"between 1 and {MAX_FIRST}, got {first}")
    text = checked_text(text)
    index = await current_index(ctx)
    found = match(index, text, visible_to(ctx.viewer), first)
    organisations = await ctx.loaders.organisation.load_many([m.organisation_id for m in found])
    return [AffiliationMatch(o, m) for o, m in zip(organisations, found) if o is not None]


async def match_many(ctx: Context, texts: Sequence[str], chunk: int = 200):
    """The best match (or None) of each text, in order: yielded a chunk at a time,
    the CPU work off the event loop so other requests are served meanwhile."""
    index = await current_index(ctx)
    visible = visible_to(ctx.viewer)

    def best(batch: Sequence[str]) -> list[Match | None]:
        return [next(iter(match(index, t, visible, 1)), None) for t in batch]

    for start in range(0, len(texts), chunk):
        batch = texts[start:start + chunk]
        yield batch, await asyncio.to_thread(best, batch)

