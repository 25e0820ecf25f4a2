"""Who sees an invitation, and the invitations of a group or a person.

An invitation is seen by the person, the group's current chairs and co-chairs,
the recommending organisation's current Primary and Administrator, and staff
(`visible_to`, the rule, pure); anyone else gets null (node, payloads) and the
lists are null for all but those the contract names.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from datastore import invitations
from datastore.records.invitations import Invitation
from datastore.records.vocabulary import InvitationStatus, Role
from resolvers.context import Context
from resolvers.groups import CHAIR_ROLES
from resolvers.pagination import Page, PageRequest, page_from_query
from resolvers import relations
from resolvers.privacy import PERSON
from resolvers.relations import managed_ids

DEFAULT_PAGE, MAX_PAGE = 20, 100
# The record the schema shows (the schema imports no datastore module of its own).
InvitationRecord = Invitation


@dataclass(frozen=True, slots=True)
class Standing:
    """What is known of the caller: their role, person, chaired groups and managed organisations."""

    role: Role
    person_id: str | None = None
    chairs: frozenset[str] = frozenset()
    manages: frozenset[str] = frozenset()


def visible_to(invitation: Invitation, standing: Standing) -> bool:
    """The rule: the person, the group's chairs, the recommending organisation's Primary and Administrator, staff."""
    if standing.role is Role.ANONYMOUS:
        return False
    if standing.role.at_least(Role.STAFF):
        return True
    return (
        (standing.person_id is not None and standing.person_id == invitation.person_id)
        or invitation.group_id in standing.chairs
        or (invitation.recommended_by is not None and invitation.recommended_by in standing.manages)
    )


async def standing(ctx: Context) -> Standing:
    viewer = ctx.viewer
    if viewer.role is Role.ANONYMOUS:
        return Standing(viewer.role)
    if viewer.role.at_least(Role.STAFF) or viewer.person_id is None:
        return Standing(viewer.role, viewer.person_id)
    me = await ctx.loaders.person.load(viewer.person_id)
    if me is None or me.erased:
        return Standing(viewer.role)
    tenures = await ctx.loaders.roster_of_person.load(viewer.person_id)
    chaired = frozenset(e.group_id for e in tenures if e.role in CHAIR_ROLES and e.active_on(ctx.today))
    return Standing(viewer.role, viewer.person_id, chaired, await managed_ids(ctx))


async def visible(ctx: Context, invitation: Invitation | None) -> Invitation | None:
    """The invitation if the caller may see it, else None."""
    if invitation is None:
        return None
    return invitation if visible_to(invitation, await standing(ctx)) else None


async def _page(ctx: Context, owner_field: str, owner_id: str, statuses: Iterable[InvitationStatus] | None,
                first: int | None, after: str | None) -> Page[Invitation]:
    request = PageRequest.of(f"invitations:{owner_field}", first, after, default=DEFAULT_PAGE, cap=MAX_PAGE,
                             key_types=(str, str))
    wanted = frozenset(InvitationStatus(s.value if hasattr(s, "value") else s) for s in statuses or ())

    async def fetch(key, limit):
        return await invitations.page(ctx.db, owner_field, owner_id, wanted, key, limit)

    async def count() -> int:
        return await invitations.count(ctx.db, owner_field, owner_id, wanted)

    return await page_from_query(request, fetch, lambda i: i.sort_key, count)


async def of_group(ctx: Context, group_id: str, statuses, first: int | None, after: str | None
                   ) -> Page[Invitation] | None:
    """A group's invitations, newest first: for its current chairs and staff; None for others."""
    found = await standing(ctx)
    if not (found.role.at_least(Role.STAFF) or (found.role is not Role.ANONYMOUS and group_id in found.chairs)):
        return None
    return await _page(ctx, "group_id", group_id, statuses, first, after)


async def of_person(ctx: Context, person_id: str, statuses, first: int | None, after: str | None
                    ) -> Page[Invitation] | None:
    """A person's invitations, newest first: for the person and staff (resolvers.privacy's row); None for others."""
    if not await relations.sees(ctx, PERSON, person_id, "invitations"):
        return None
    return await _page(ctx, "person_id", person_id, statuses, first, after)
