"""Invitations: recommending, inviting, answering and withdrawing (datastore.invitations).

Each step that tells someone (a recommendation the chairs, an invitation the
person, an answer the inviter) carries its notifications in its own Write
(resolvers.invitation_notifications), written in the same claimed change.

A chair's way onto a roster is an invitation the person accepts: accepting
writes the roster entry in the same change as the invitation's ACCEPTED (one
claim, both or neither). Every step is a change of the invitation, in the
audit log. Two rules are checked again once the change is claimed, where
every other writer's claim is visible: an answer is refused after the end of
`expiresOn` (UTC) at the instant of its claim, whatever the expiry sweep has
done; and a sender's recommendations and invitations of the UTC day, claims
in flight included, stay within the daily limit.
"""

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from datastore import groups, individuals, invitations, people, rosters, writes
from datastore.records import arrival
from datastore.records.changes import Change
from datastore.records.invitations import OPEN, Invitation, expired_at, new_id
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import ChangeAction, InvitationStatus, RecordType, RosterRole
from datastore.writes import Effect, Write
from resolvers import invitation_notifications as owed
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_version, commit
from resolvers.mutations.outcome import Refused, UserErrorCode, not_found, refuse
from resolvers.mutations.rosters import MEMBER_ROLES, REMOVED
from resolvers.permissions import Action, Capacity

# An invitation is answerable for at most this long.
LONGEST = timedelta(days=365)
EXPIRED = "This invitation expired at the end of {day} (UTC): it can no longer be answered."
OVER_LIMIT = ("You have made {limit} recommendations and invitations today (UTC), the most one sender may make in "
              "a day; nothing was sent. Try again tomorrow.")
# Refusals raised once claimed (writes.RuleBroken, answered CONFLICT by the write path's caller),
# by how their message starts, and the code each is answered with instead.
_CLAIM_REFUSALS = ((EXPIRED.split("{")[0], UserErrorCode.INVALID_TRANSITION),
                   (OVER_LIMIT.split("{")[0], UserErrorCode.RATE_LIMITED))


def _code_of(error) -> UserErrorCode:
    return next((code for start, code in _CLAIM_REFUSALS if error.message.startswith(start)), error.code)


async def load(ctx: Context, invitation_id: str, path: str = "invitation") -> Invitation:
    found = await invitations.by_ids(ctx.db, [invitation_id])
    if not found:
        raise not_found("invitation", path)
    return found[0]


async def _group(ctx: Context, group_id: str, path: str = "group"):
    found = await groups.by_ids(ctx.db, [group_id])
    if not found:
        raise not_found("group", path)
    return found[0]


async def _person(ctx: Context, person_id: str, path: str = "person"):
    found = await people.by_ids(ctx.db, [person_id])
    if not found or found[0].erased:
        raise not_found("person", path)
    return found[0]


def _message(given: str | None) -> str | None:
    """Plain text of at most arrival.TEXT characters: no control characters but line breaks and tabs."""
    if given is None or not given.strip():
        return None
    if len(given) > arrival.TEXT:
        raise refuse(UserErrorCode.INVALID, f"message: at most {arrival.TEXT} characters (got {len(given)})", "message")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in given):
        raise refuse(UserErrorCode.INVALID, "message must be plain text (no control characters).", "message")
    return given.strip()


async def _not_on_roster(ctx: Context, group_id: str, person_id: str) -> None:
    """Refused when the person serves on the group now (or from a later day already set)."""
    for entry in await rosters.by_people(ctx.db, [person_id]):
        if entry.group_id == group_id and (entry.until is None or entry.until >= ctx.today):
            raise refuse(UserErrorCode.CONFLICT, f"The person is already on this group's roster ({entry.role.value} "
                         f"since {entry.since.isoformat()}).", "person")
    if await individuals.removed_or_being_removed(ctx.db, person_id):
        raise refuse(UserErrorCode.CONFLICT, REMOVED, "person")


async def _none_open(ctx: Context, group_id: str, person_id: str) -> None:
    for waiting in await invitations.open_for(ctx.db, group_id, person_id):
        what = "a recommendation" if waiting.status is InvitationStatus.RECOMMENDED else "an invitation"
        hint = " (invite following it: give it as recommendation)" if what == "a recommendation" else ""
        raise refuse(UserErrorCode.CONFLICT, f"The person already has {what} for this group waiting: "
                     f"{waiting.id}{hint}.", "person")


# Rate limit: one sender's recommendations and invitations per UTC day.

def _sender(ctx: Context) -> tuple[str, str]:
    """Whose daily limit a send counts against: the person, else the key (as the audit log records them)."""
    if ctx.viewer.person_id:
        return ("actor.person_id", ctx.viewer.person_id)
    return ("actor.key_id", access.actor(ctx, Capacity.STAFF).key_id or ctx.viewer.role.value)


def _day_start(instant: datetime) -> datetime:
    return datetime.combine(instant.astimezone(UTC).date(), time(), tzinfo=UTC)


def _over_limit(limit: int) -> str:
    return OVER_LIMIT.format(limit=limit)


async def _within_limit(ctx: Context) -> None:
    limit = ctx.invitations_per_day
    if await invitations.sent_since(ctx.db, _sender(ctx), _day_start(datetime.now(UTC))) >= limit:
        raise refuse(UserErrorCode.RATE_LIMITED, _over_limit(limit))


def _limit_check(ctx: Context, then: writes.ClaimCheck | None = None) -> writes.ClaimCheck:
    """Once claimed: this send and every other claimed today stay within the limit (of two
    at once past it, the one checking later sees the other's claim)."""
    sender, limit = _sender(ctx), ctx.invitations_per_day
    message = _over_limit(limit)

    async def check(change: Change) -> None:
        if await invitations.sent_since(ctx.db, sender, _day_start(change.at)) > limit:
            raise writes.RuleBroken(message)
        if then is not None:
            await then(change)

    return check


def _not_removed(ctx: Context, person_id: str) -> writes.ClaimCheck:
    async def check(change: Change) -> None:
        if await individuals.removed_or_being_removed(ctx.db, person_id):
            raise writes.RuleBroken(REMOVED, "person")

    return check


async def _commit(ctx: Context, write: Write, current: Invitation | None, acting: Capacity, cmid: str | None,
                  checked: writes.ClaimCheck | None = None) -> Invitation:
    try:
        await commit(ctx, write, expected=current.version if current else None, acting=acting,
                     client_mutation_id=cmid, reload=lambda: load(ctx, write.owner_id), checked=checked)
    except Refused as refused:
        # A rule checked once claimed answers with its own code, not the write path's CONFLICT.
        errors = [replace(e, code=_code_of(e)) for e in refused.errors]
        raise Refused(*errors, current=refused.current) from None
    return await load(ctx, write.owner_id)


def _check_role(role: RosterRole, acting: Capacity) -> None:
    if role not in MEMBER_ROLES and acting is not Capacity.STAFF:
        raise refuse(UserErrorCode.FORBIDDEN, "Only staff invite or recommend for CHAIR, CO_CHAIR or STAFF; "
                     "chairs and organisations for MEMBER, CONTRIBUTOR or OBSERVER.", "role")


async def recommend(ctx: Context, group_id: str, person_id: str, organisation_id: str, role: RosterRole,
                    message: str | None, reason: str | None, cmid: str | None) -> Invitation:
    """The organisation's Primary or Administrator puts one of its people forward for a group."""
    group = await _group(ctx, group_id)
    acting = access.require(Action.RECOMMEND_FOR_GROUP, await access.facts(ctx, organisation_id=organisation_id))
    _check_role(role, acting)
    person = await _person(ctx, person_id)
    if person.affiliation_id != organisation_id:
        raise refuse(UserErrorCode.INVALID, "The person is not affiliated with this organisation: an organisation "
                     "recommends its own people.", "person")
    text = _message(message)
    await _not_on_roster(ctx, group.id, person.id)
    await _none_open(ctx, group.id, person.id)
    await _within_limit(ctx)
    now = datetime.now(UTC)
    created = Invitation(
        id=new_id(), group_id=group.id, person_id=person.id, role=role,
        status=InvitationStatus.RECOMMENDED, created_at=now, recommended_by=organisation_id,
        recommender_id=ctx.viewer.person_id, message=text,
    )
    write = invitations.write_of(None, created, ChangeAction.RECOMMEND, reason=reason,
                                 notifications=await owed.recommendation(ctx, created))
    return await _commit(ctx, write, None, acting, cmid, _limit_check(ctx))


def _expiry(ctx: Context, given: date | None) -> date:
    day = given or ctx.today + timedelta(days=ctx.invitation_days)
    if day < ctx.today or day > ctx.today + LONGEST:
        raise refuse(UserErrorCode.INVALID, f"expiresOn must lie between today ({ctx.today.isoformat()}) and "
                     f"{(ctx.today + LONGEST).isoformat()}.", "expiresOn")
    return day


async def invite(ctx: Context, group_id: str, person_id: str, role: RosterRole, message: str | None,
                 expires_on: date | None, recommendation_id: str | None, reason: str | None,
                 cmid: str | None) -> Invitation:
    """A chair of the group (or staff) invites the person, following a recommendation or not."""
    group = await _group(ctx, group_id)
    acting = access.require(Action.INVITE_TO_GROUP, await access.facts(ctx, group_id=group.id))
    _check_role(role, acting)
    person = await _person(ctx, person_id)
    text, day = _message(message), _expiry(ctx, expires_on)
    before = None
    if recommendation_id is not None:
        before = await load(ctx, recommendation_id, "recommendation")
        if before.group_id != group.id or before.person_id != person.id:
            raise refuse(UserErrorCode.INVALID, "The recommendation is for another group or person.", "recommendation")
        if before.status is not InvitationStatus.RECOMMENDED:
            raise refuse(UserErrorCode.INVALID_TRANSITION, f"The recommendation is {before.status.value}: "
                         "only a RECOMMENDED one can be followed by an invitation.", "recommendation")
        await _not_on_roster(ctx, group.id, person.id)
    else:
        await _not_on_roster(ctx, group.id, person.id)
        await _none_open(ctx, group.id, person.id)
    await _within_limit(ctx)
    now = datetime.now(UTC)
    invited = Invitation(
        id=before.id if before else new_id(), group_id=group.id, person_id=person.id, role=role,
        status=InvitationStatus.INVITED, created_at=before.created_at if before else now,
        recommended_by=before.recommended_by if before else None,
        recommender_id=before.recommender_id if before else None,
        invited_by=ctx.viewer.person_id, message=text, expires_on=day,
        version=before.version if before else 1,
    )
    write = invitations.write_of(before, invited, ChangeAction.INVITE, reason=reason,
                                 notifications=await owed.invitation(ctx, invited))
    return await _commit(ctx, write, before, acting, cmid, _limit_check(ctx))


def _answerable(invitation: Invitation, instant: datetime) -> None:
    if invitation.status is not InvitationStatus.INVITED:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"This invitation is {invitation.status.value}: only an INVITED one can be answered.")
    if expired_at(invitation.expires_on, instant):
        raise refuse(UserErrorCode.INVALID_TRANSITION, EXPIRED.format(day=invitation.expires_on.isoformat()))


def _in_time(ctx: Context, invitation: Invitation, then: writes.ClaimCheck) -> writes.ClaimCheck:
    """Once claimed: answered by the end of expiresOn (UTC) at the instant of the claim."""
    day = invitation.expires_on
    message = EXPIRED.format(day=day.isoformat() if day else "")

    async def check(change: Change) -> None:
        if expired_at(day, change.at):
            raise writes.RuleBroken(message)
        await then(change)

    return check


async def answer(ctx: Context, invitation_id: str, accept: bool, expected: int, reason: str | None,
                 cmid: str | None) -> Invitation:
    """The person accepts (the roster entry is added in the same change, from today) or declines."""
    current = await load(ctx, invitation_id)
    acting = access.require(Action.ANSWER_INVITATION, await access.facts(ctx, person_id=current.person_id))
    check_version(current, expected)
    now = datetime.now(UTC)
    _answerable(current, now)
    if not accept:
        after = replace(current, status=InvitationStatus.DECLINED, answered_at=now)
        write = invitations.write_of(current, after, ChangeAction.DECLINE, reason=reason,
                                     notifications=await owed.answered(ctx, after, now))
        return await _commit(ctx, write, current, acting, cmid, _in_time(ctx, current, _nothing))
    await _not_on_roster(ctx, current.group_id, current.person_id)
    entry = RosterEntry(current.group_id, current.person_id, current.role, now.date(), version=1, updated_at=now)
    after = replace(current, status=InvitationStatus.ACCEPTED, answered_at=now, roster_entry_id=entry.id)
    write = invitations.write_of(
        current, after, ChangeAction.ACCEPT, reason=reason,
        effects=(Effect("roster", entry.id, rosters.to_document(entry)),), about=(RecordType.ROSTER_ENTRY, entry.id),
        notifications=await owed.answered(ctx, after, now),
    )
    return await _commit(ctx, write, current, acting, cmid,
                         _in_time(ctx, current, _not_removed(ctx, current.person_id)))


async def _nothing(change: Change) -> None:
    return None


async def withdraw(ctx: Context, invitation_id: str, expected: int, reason: str | None,
                   cmid: str | None) -> Invitation:
    """A recommendation by its organisation's Primary or Administrator (or staff); an invitation by
    the chair who sent it, any current chair of the group, or staff."""
    current = await load(ctx, invitation_id)
    if current.expires_on is None and current.recommended_by is not None:  # never invited: a recommendation
        facts = await access.facts(ctx, organisation_id=current.recommended_by)
        acting = access.require(Action.WITHDRAW_RECOMMENDATION, facts)
    else:
        facts = await access.facts(ctx, group_id=current.group_id)
        sent = ctx.viewer.person_id is not None and facts.person and ctx.viewer.person_id == current.invited_by
        acting = access.require(Action.WITHDRAW_INVITATION, replace(facts, sent=sent))
    check_version(current, expected)
    if current.status not in OPEN:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"This invitation is {current.status.value} already: only a RECOMMENDED or INVITED one can be "
                     "withdrawn.")
    after = replace(current, status=InvitationStatus.WITHDRAWN)
    write = invitations.write_of(current, after, ChangeAction.WITHDRAW, reason=reason)
    return await _commit(ctx, write, current, acting, cmid)
