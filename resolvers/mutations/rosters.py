"""Rosters: adding a tenure to a group (a change of the group) and ending one (a change of the entry).

Staff add tenures directly; a chair's way onto the roster is an invitation
(resolvers.mutations.invitations), whose acceptance writes the tenure.

Dates lie within the range datastore.records.arrival states (not before 2000, at most a
year ahead); further back than 90 days only staff date a tenure. Nobody is
added to a roster while their individual membership is REMOVED: checked before
the change's claim and again after it (datastore.individuals), so a removal
made at the same time is seen.
"""

from dataclasses import replace
from datetime import UTC, date, datetime

from datastore import edits, groups, individuals, people, rosters, writes
from datastore.records import arrival
from datastore.records.changes import Change
from datastore.records.groups import Group
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import ChangeAction, RecordType, RosterRole
from datastore.writes import Effect
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_settled, check_version, commit, merged
from resolvers.mutations.outcome import UserErrorCode, not_found, refuse
from resolvers.permissions import Action, Capacity

SECTION = "roster"
# Chairs and co-chairs fill these; officers (CHAIR, CO_CHAIR, STAFF) are staff's to name.
MEMBER_ROLES = frozenset({RosterRole.MEMBER, RosterRole.CONTRIBUTOR, RosterRole.OBSERVER})


def action_for(role: RosterRole, *, ending: bool = False) -> Action:
    if role not in MEMBER_ROLES:
        return Action.ADD_ROSTER_OFFICER
    return Action.END_ROSTER_MEMBER if ending else Action.ADD_ROSTER_MEMBER


async def load(ctx: Context, entry_id: str, path: str = "entryId") -> RosterEntry:
    found = await rosters.by_ids(ctx.db, [entry_id])
    if not found:
        raise not_found("roster entry", path)
    return found[0]


async def _group(ctx: Context, group_id: str) -> Group:
    found = await groups.by_ids(ctx.db, [group_id])
    if not found:
        raise not_found("group", "groupId")
    return found[0]


def _check_day(ctx: Context, day: date, acting: Capacity, name: str) -> None:
    """Within the range, and backdated beyond BACKDATING by staff only."""
    if problem := arrival.tenure_day_problem(day, ctx.today, starts=name == "since"):
        raise refuse(UserErrorCode.INVALID, f"{name} must be {problem}.", name)
    if day < ctx.today - arrival.BACKDATING and acting is not Capacity.STAFF:
        days = arrival.BACKDATING.days
        raise refuse(UserErrorCode.FORBIDDEN, f"Only staff may date a tenure more than {days} days back "
                     f"(before {(ctx.today - arrival.BACKDATING).isoformat()}).", name)


REMOVED = "This person's individual membership was removed: they cannot be added to a roster."


def _not_removed_check(ctx: Context, person_id: str) -> writes.ClaimCheck:
    """Once claimed: the person's membership is not REMOVED, nor being made so by a change in flight."""

    async def check(change: Change) -> None:
        if await individuals.removed_or_being_removed(ctx.db, person_id):
            raise writes.RuleBroken(REMOVED, "personId")

    return check


async def add(ctx: Context, group_id: str, expected: int, person_id: str, role: RosterRole, since: date | None,
              reason: str | None, cmid: str | None) -> RosterEntry:
    """A new tenure, version 1, written with the group's next version."""
    group = await _group(ctx, group_id)
    acting = access.require(action_for(role), await access.facts(ctx, group_id=group.id))
    check_version(group, expected)
    found = await people.by_ids(ctx.db, [person_id])
    if not found or found[0].erased:
        raise not_found("person", "personId")
    start = since or ctx.today
    _check_day(ctx, start, acting, "since")
    if await individuals.removed_or_being_removed(ctx.db, person_id):
        raise refuse(UserErrorCode.CONFLICT, REMOVED, "personId")
    entry = merged(SECTION, None, {"group": group.id, "person": person_id, "role": role.value,
                                   "since": start.isoformat()})
    held = await rosters.by_people(ctx.db, [person_id])
    if any(e.group_id == group.id and e.role is role and (e.id == entry.id or e.active_on(start)) for e in held):
        raise refuse(UserErrorCode.CONFLICT, f"The person already serves on this group as {role.value} on that day.",
                     "personId")
    created = replace(entry, version=1, updated_at=datetime.now(UTC))
    write = edits.write_of(
        "groups", group, group, ChangeAction.CREATE, reason=reason,
        effects=(Effect(SECTION, entry.id, rosters.to_document(created)),),
        fields=edits.field_changes(SECTION, None, entry), about=(RecordType.ROSTER_ENTRY, entry.id),
    )
    await commit(ctx, write, expected=group.version, acting=acting, client_mutation_id=cmid,
                 reload=lambda: _group(ctx, group.id), checked=_not_removed_check(ctx, person_id))
    return await load(ctx, entry.id)


async def end(ctx: Context, entry_id: str, expected: int, until: date | None, reason: str | None,
              cmid: str | None) -> RosterEntry:
    """Ends a tenure on `until` (today by default): chairs end member roles, staff any."""
    current = await load(ctx, entry_id)
    acting = access.require(action_for(current.role, ending=True), await access.facts(ctx, group_id=current.group_id))
    check_version(current, expected)
    last_day = until or ctx.today
    if last_day < current.since:
        raise refuse(UserErrorCode.INVALID, f"until is before the tenure began ({current.since.isoformat()}).",
                     "until")
    if current.until is not None and current.until < ctx.today:
        raise refuse(UserErrorCode.INVALID_TRANSITION, f"This tenure already ended on {current.until.isoformat()}.")
    _check_day(ctx, last_day, acting, "until")
    after = merged(SECTION, current, {"until": last_day.isoformat()})
    if not edits.field_changes(SECTION, current, after):
        await check_settled(ctx, current)
        return current
    write = edits.write_of(SECTION, current, after, ChangeAction.UPDATE, reason=reason)
    await commit(ctx, write, expected=current.version, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, current.id))
    return await load(ctx, current.id)
