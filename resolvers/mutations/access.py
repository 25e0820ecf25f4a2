"""The facts resolvers.permissions decides on, read fresh for each mutation, and
the actor a change is recorded with."""

from datastore import contacts, organisations, people, rosters
from datastore.records.changes import Actor
from datastore.records.vocabulary import ContactRole, MembershipStatus, Role, RosterRole
from resolvers import permissions
from resolvers.context import Context
from resolvers.mutations.outcome import forbidden
from resolvers.permissions import Action, Capacity, Facts
from resolvers.relations import current_contacts

CHAIR_ROLES = (RosterRole.CHAIR, RosterRole.CO_CHAIR)


async def facts(
    ctx: Context, *, organisation_id: str | None = None, person_id: str | None = None, group_id: str | None = None
) -> Facts:
    viewer = ctx.viewer
    me = viewer.person_id if viewer.role is not Role.ANONYMOUS else None
    found = await people.by_ids(ctx.db, [me]) if me else []
    if found and found[0].erased:
        me = None  # an erased person is nobody: no role, tenure or record of their own
    holds: frozenset = frozenset()
    chairs = False
    if me and organisation_id:
        # Only a role held for the organisation the caller is affiliated with now counts
        # (resolvers.relations): a person who left keeps no power from a role not handed over.
        mine = await contacts.by_people(ctx.db, [me])
        held = current_contacts(found[0] if found else None, mine)
        holds = frozenset(c.role for c in held if c.organisation_id == organisation_id)
        if not holds and any(c.organisation_id == organisation_id and c.role is ContactRole.PRIMARY for c in mine):
            # The one exception: the person who applied for a new organisation is its Primary
            # before anyone can be affiliated with it, while it is an applicant.
            applying = await organisations.by_ids(ctx.db, [organisation_id])
            if applying and applying[0].status is MembershipStatus.APPLICANT:
                holds = frozenset({ContactRole.PRIMARY})
    if me and group_id:
        chairs = any(
            e.group_id == group_id and e.role in CHAIR_ROLES and e.active_on(ctx.today)
            for e in await rosters.by_people(ctx.db, [me])
        )
    return Facts(role=viewer.role, person=me is not None, is_self=bool(me and me == person_id), holds=holds,
                 chairs=chairs)


def require(action: Action, found: Facts) -> Capacity:
    """The capacity the caller acts in, or a FORBIDDEN refusal."""
    acting = permissions.capacity(action, found)
    if acting is None:
        raise forbidden(action.value)
    return acting


def _key_id(ctx: Context) -> str | None:
    credential = ctx.viewer.credential or ""
    return credential.removeprefix("api-key:") if credential.startswith("api-key:") else None


def actor(ctx: Context, acting: Capacity) -> Actor:
    viewer = ctx.viewer
    role = viewer.role.value if acting is Capacity.STAFF else acting.value
    return Actor(role=role, person_id=viewer.person_id, key_id=_key_id(ctx))


def identity(ctx: Context) -> str:
    """Whose retries are the same caller's: Actor.identity of whatever capacity they act in."""
    return _key_id(ctx) or ctx.viewer.person_id or ctx.viewer.role.value
