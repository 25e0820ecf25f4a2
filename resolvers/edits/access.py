"""The facts resolvers.permissions decides on, read fresh for each mutation, and
the actor a change is recorded with."""

from datastore import contacts, people, rosters
from datastore.changes import Actor
from datastore.vocabulary import Role, RosterRole
from resolvers import permissions
from resolvers.context import Context
from resolvers.edits.outcome import forbidden
from resolvers.permissions import Action, Capacity, Facts

CHAIR_ROLES = (RosterRole.CHAIR, RosterRole.CO_CHAIR)


async def facts(
    ctx: Context, *, organisation_id: str | None = None, person_id: str | None = None, group_id: str | None = None
) -> Facts:
    viewer = ctx.viewer
    me = viewer.person_id if viewer.role is not Role.ANONYMOUS else None
    if me and await people.is_erased(ctx.db, me):
        me = None  # an erased person is nobody: no role, tenure or record of their own
    holds: frozenset = frozenset()
    chairs = False
    if me and organisation_id:
        holds = frozenset(c.role for c in await contacts.by_people(ctx.db, [me]) if c.organisation_id == organisation_id)
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
