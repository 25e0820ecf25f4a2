"""Changing organisations: profile, creation, designations and the membership lifecycle."""

from dataclasses import replace
from datetime import UTC, datetime

from datastore import contacts, edits, organisations, people
from datastore.records.contacts import RoleContact
from datastore.records.memberships import ORGANISATION_TRANSITIONS, UNDER_NOTICE, StatusChange, may_move
from datastore.records.organisations import Organisation
from datastore.records.vocabulary import ChangeAction, ContactRole, MembershipStatus
from resolvers import owed_notifications
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_settled, check_version, commit, merged
from resolvers.mutations.outcome import UserErrorCode, not_found, refuse
from resolvers.organisations import removable_from
from resolvers.permissions import Action
from resolvers.relations import current_contacts_of

SECTION = "organisations"
PEOPLE_SECTION = "people"
# Fields only staff change, whoever else may change the profile.
MATCHING_NAMES = ("aliases", "acronyms")
# Approving an applicant or reinstating a lapsed member needs all three held.
REQUIRED_CONTACTS = (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER)


async def load(ctx: Context, organisation_id: str, path: str = "organisationId") -> Organisation:
    found = await organisations.by_ids(ctx.db, [organisation_id])
    if not found:
        raise not_found("organisation", path)
    return found[0]


async def _save(
    ctx: Context, current: Organisation | None, after: Organisation, action: ChangeAction, acting,
    reason: str | None, cmid: str | None, owed: tuple = (),
) -> Organisation:
    write = replace(edits.write_of(SECTION, current, after, action, reason=reason), notifications=owed)
    await commit(ctx, write, expected=current.version if current else None, acting=acting,
                 client_mutation_id=cmid, reload=lambda: load(ctx, after.id))
    return await load(ctx, after.id)


async def _name_is_free(ctx: Context, organisation: Organisation, *path: str) -> None:
    """Names are unique per country on their folded form (datastore/canonical.py); the
    unique index refuses a second one anyway, this says which field."""
    holder = await organisations.name_holder(ctx.db, organisation.country_code, organisation.name)
    if holder is not None and holder != organisation.id:
        raise refuse(UserErrorCode.CONFLICT,
                     "An organisation of that name in that country is already in the directory.", *path, "name")


async def update(ctx: Context, organisation_id: str, expected: int, given: dict, reason: str | None,
                 cmid: str | None) -> Organisation:
    current = await load(ctx, organisation_id, "id")
    facts = await access.facts(ctx, organisation_id=current.id)
    acting = access.require(Action.UPDATE_ORGANISATION, facts)
    if any(name in given for name in MATCHING_NAMES):
        access.require(Action.SET_MATCHING_NAMES, facts)
    check_version(current, expected)
    after = merged(SECTION, current, given, "patch")
    if after == current:
        await check_settled(ctx, current)
        return current
    if (after.name, after.country_code) != (current.name, current.country_code):
        await _name_is_free(ctx, after, "patch")
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, reason, cmid)


async def create(ctx: Context, given: dict, reason: str | None, cmid: str | None) -> Organisation:
    """A new organisation starts as an APPLICANT; a person applying becomes its Primary."""
    acting = access.require(Action.CREATE_ORGANISATION, await access.facts(ctx))
    if await organisations.by_slug(ctx.db, given.get("slug") or ""):
        raise refuse(UserErrorCode.CONFLICT, "That slug is already in use; choose another.", "slug")
    fields = {**given, "id": edits.new_id("org", given.get("slug") or ""), "status": MembershipStatus.APPLICANT.value,
              "history": [{"status": MembershipStatus.APPLICANT.value, "on": ctx.today.isoformat(), "reason": reason}]}
    after = merged(SECTION, None, fields)
    # An application in the name of an organisation already in the directory is refused.
    await _name_is_free(ctx, after)
    effects, claims = (), ()
    if acting.value == "applicant" and ctx.viewer.person_id:
        effects = (edits.contact_effect(RoleContact(after.id, ctx.viewer.person_id, ContactRole.PRIMARY)),)
        joins = await _applicant_joins(ctx, ctx.viewer.person_id, after)
        if joins is not None:
            effects, claims = (*effects, joins[0]), (joins[1],)
    write = replace(edits.write_of(SECTION, None, after, ChangeAction.CREATE, reason=reason, effects=effects),
                    claims=claims)
    await commit(ctx, write, expected=None, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, after.id))
    return await load(ctx, after.id)


async def _applicant_joins(ctx: Context, person_id: str, organisation: Organisation):
    """An applicant becomes the new organisation's Primary and, in the same change, is affiliated with it
    (a role contact counts only while affiliated): the Primary is there from the start, and the three
    contacts can be named before approval with nothing asked of staff. Someone affiliated elsewhere
    moves, unless they hold roles there: those are handed over first (CONFLICT), as when leaving."""
    found = await people.by_ids(ctx.db, [person_id])
    if not found:
        return None
    person = found[0]
    if person.affiliation_id is not None:
        held = [c for c in await contacts.by_people(ctx.db, [person.id]) if c.organisation_id == person.affiliation_id]
        if held:
            current = await organisations.by_ids(ctx.db, [person.affiliation_id])
            name = current[0].name if current else person.affiliation_id
            roles = ", ".join(sorted({c.role.value for c in held}))
            raise refuse(UserErrorCode.CONFLICT,
                         f"You hold roles for {name} ({roles}): applying makes you the new organisation's Primary and "
                         "affiliates you with it, so hand those roles over first (or ask staff).")
    moved = replace(person, affiliation_id=organisation.id)
    return edits.claimed_effect(PEOPLE_SECTION, person, moved, datetime.now(UTC))


def _moved(current: Organisation, to: MembershipStatus, ctx: Context, reason: str | None) -> Organisation:
    if not may_move(ORGANISATION_TRANSITIONS, current.status, to):
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"A membership cannot go from {current.status.value} to {to.value}.")
    joined = current.joined_on or (ctx.today if to is MembershipStatus.ACTIVE else None)
    return replace(current, status=to, joined_on=joined,
                   history=(*current.history, StatusChange(to, ctx.today, reason)),
                   removal_notice_on=None if to is MembershipStatus.ACTIVE else current.removal_notice_on)


async def _require_contacts(ctx: Context, organisation: Organisation) -> None:
    found = await contacts.by_organisations(ctx.db, [organisation.id])
    holders = {p.id: p for p in await people.by_ids(ctx.db, {c.person_id for c in found})}
    # Only contacts affiliated with the organisation count (the applicant's Primary too, from here on).
    held = {c.role for c in current_contacts_of(found, holders)}
    missing = [r.value for r in REQUIRED_CONTACTS if r not in held]
    if missing:
        raise refuse(UserErrorCode.CONFLICT,
                     "An active member needs a Primary, an Administrator and a Signer, each affiliated with it; "
                     f"missing: {', '.join(missing)}.")


async def _lifecycle(ctx: Context, organisation_id: str, expected: int, action: Action):
    current = await load(ctx, organisation_id)
    acting = access.require(action, await access.facts(ctx, organisation_id=current.id))
    check_version(current, expected)
    return current, acting


async def decide(ctx: Context, organisation_id: str, expected: int, approve: bool, reason: str | None,
                 cmid: str | None) -> Organisation:
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.DECIDE_MEMBERSHIP)
    to = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    after = _moved(current, to, ctx, reason)
    if approve:
        await _require_contacts(ctx, current)
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


async def review(ctx: Context, organisation_id: str, expected: int, renewed: bool, reason: str | None,
                 cmid: str | None) -> Organisation:
    """The 12-month review: renewed (a lapsed member is reinstated) or lapsed."""
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.RECORD_REVIEW)
    if current.status not in (MembershipStatus.ACTIVE, MembershipStatus.LAPSED):
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"Only ACTIVE or LAPSED memberships are reviewed, not {current.status.value}.")
    after = replace(current, last_reviewed_on=ctx.today)
    if renewed and current.status is MembershipStatus.LAPSED:
        await _require_contacts(ctx, current)
        after = replace(_moved(current, MembershipStatus.ACTIVE, ctx, reason), last_reviewed_on=ctx.today)
    elif not renewed:
        after = replace(_moved(current, MembershipStatus.LAPSED, ctx, reason), last_reviewed_on=ctx.today)
    return await _save(ctx, current, after, ChangeAction.REVIEW, acting, reason, cmid)


async def removal_notice(ctx: Context, organisation_id: str, expected: int, reason: str,
                         cmid: str | None) -> Organisation:
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.RECORD_REMOVAL_NOTICE)
    if current.status not in UNDER_NOTICE:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"A removal notice is for ACTIVE or LAPSED members, not {current.status.value}.")
    after = replace(current, removal_notice_on=ctx.today)
    owed = await owed_notifications.removal_notice(ctx, current)
    return await _save(ctx, current, after, ChangeAction.NOTICE, acting, reason, cmid, owed)


async def cancel(ctx: Context, organisation_id: str, expected: int, reason: str | None,
                 cmid: str | None) -> Organisation:
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.CANCEL_MEMBERSHIP)
    after = _moved(current, MembershipStatus.CANCELLED, ctx, reason)
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


async def withdraw(ctx: Context, organisation_id: str, expected: int, reason: str | None,
                   cmid: str | None) -> Organisation:
    """The applicant's Primary (or staff) withdraws its application. The membership
    statuses have no WITHDRAWN (nor does the contract): an application withdrawn
    ends as CANCELLED, the status of a membership the member itself ended; it never
    counts as having left, since it never joined."""
    current = await load(ctx, organisation_id, "organisation")
    acting = access.require(Action.WITHDRAW_APPLICATION, await access.facts(ctx, organisation_id=current.id))
    check_version(current, expected)
    if current.status is not MembershipStatus.APPLICANT:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"Only an application (APPLICANT) is withdrawn; this membership is {current.status.value}.")
    after = replace(current, status=MembershipStatus.CANCELLED,
                    history=(*current.history, StatusChange(MembershipStatus.CANCELLED, ctx.today, reason)))
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


async def remove(ctx: Context, organisation_id: str, expected: int, reason: str, cmid: str | None) -> Organisation:
    """Staff remove a membership only after a removal notice and the notice period."""
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.REMOVE_MEMBERSHIP)
    notice = current.removal_notice_on
    if notice is None:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     "Record a removal notice to the Primary first (recordRemovalNotice).")
    earliest = removable_from(ctx, current)
    if earliest is not None and ctx.today < earliest:
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"The notice period runs until {earliest.isoformat()}; remove on or after that day.")
    after = _moved(current, MembershipStatus.REMOVED, ctx, reason)
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


async def set_designations(ctx: Context, organisation_id: str, expected: int, designations: list[str],
                           reason: str | None, cmid: str | None) -> Organisation:
    current, acting = await _lifecycle(ctx, organisation_id, expected, Action.SET_DESIGNATIONS)
    after = merged(SECTION, current, {"designations": designations})
    if after == current:
        await check_settled(ctx, current)
        return current
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, reason, cmid)
