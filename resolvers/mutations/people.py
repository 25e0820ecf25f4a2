"""Changing people: profiles, contact visibility, affiliation, subscriptions and
individual membership (erasure on request: resolvers.mutations.erasure)."""

import secrets
from dataclasses import replace

from datastore import contacts, edits, groups, organisations, people
from datastore.records.memberships import (
    INDIVIDUAL_TRANSITIONS, AgreementVersions, IndividualMembership, StatusChange, may_move,
)
from datastore.records.people import Person
from datastore.records.vocabulary import ChangeAction, IndividualMembershipStatus
from resolvers import permissions
from resolvers.context import Context
from resolvers.mutations import access, email_verification
from resolvers.mutations.committing import check_settled, check_version, commit, merged
from resolvers.mutations.outcome import UserErrorCode, not_found, refuse
from resolvers.permissions import Action, Capacity

SECTION = "people"
PROFILE_FIELDS = ("givenName", "familyName", "email", "orcid", "country")


async def load(ctx: Context, person_id: str, path: str = "personId") -> Person:
    found = await people.by_ids(ctx.db, [person_id])
    if not found:
        raise not_found("person", path)
    return found[0]


def _not_erased(person: Person) -> None:
    if person.erased:
        raise refuse(UserErrorCode.CONFLICT, "This person's record was erased on request; it cannot be changed.")


async def _save(ctx: Context, current: Person | None, after: Person, action: ChangeAction, acting: Capacity,
                reason: str | None, cmid: str | None) -> Person:
    write = edits.write_of(SECTION, current, after, action, reason=reason)
    committed = await commit(ctx, write, expected=current.version if current else None, acting=acting,
                             client_mutation_id=cmid, reload=lambda: load(ctx, after.id))
    # A replayed creation made its record under the id of the first attempt.
    return await load(ctx, committed.change.owner_id)


async def _email_is_free(ctx: Context, email: str | None, person_id: str | None, *path: str) -> None:
    """A CONFLICT that never says whose address it is. Compared on the canonical key
    (datastore/canonical.py); the unique index on it refuses a second one anyway."""
    if not email:
        return
    holder = await people.email_holder(ctx.db, email)
    if holder is not None and holder != person_id:
        raise refuse(UserErrorCode.CONFLICT, "That e-mail address is already in use by another person.", *path)


async def _organisation_exists(ctx: Context, organisation_id: str | None, *path: str) -> None:
    if organisation_id is not None and not await organisations.by_ids(ctx.db, [organisation_id]):
        raise refuse(UserErrorCode.NOT_FOUND, "No organisation with this id.", *path)


async def create(ctx: Context, given: dict, reason: str | None, cmid: str | None) -> Person:
    """Staff create anyone; an organisation's Primary or Administrator, people who join it."""
    affiliation = given.get("affiliation")
    acting = access.require(Action.CREATE_PERSON, await access.facts(ctx, organisation_id=affiliation))
    if given.get("contactVisibility") is not None and acting is not Capacity.STAFF:
        # The choice is the person's own (or staff's): nobody decides it for them.
        raise refuse(UserErrorCode.FORBIDDEN, f"You may not {Action.SET_CONTACT_VISIBILITY.value}.",
                     "contactVisibility")
    await _organisation_exists(ctx, affiliation, "affiliation")
    # No part of the name in the id: an id outlives an erasure of the person.
    after = merged(SECTION, None, {**given, "id": f"per_{secrets.token_hex(8)}"})
    if after.email and acting is not Capacity.STAFF:
        # The colleague's address is pending until they follow the link; whether it is
        # on file already is told only to it (resolvers.mutations.email_verification).
        return await email_verification.create_pending(ctx, after, acting, reason, cmid)
    await _email_is_free(ctx, after.email, None, "email")
    return await _save(ctx, None, after, ChangeAction.CREATE, acting, reason, cmid)


def _field_actions(given: dict) -> list[tuple[Action, str]]:
    """What the fields of a patch need beyond the profile right (UPDATE_PERSON), each by its name."""
    needed: list[tuple[Action, str]] = []
    if "contactVisibility" in given:
        needed.append((Action.SET_CONTACT_VISIBILITY, "contactVisibility"))
    if "affiliation" in given:
        leaving = given["affiliation"] is None
        needed.append((Action.LEAVE_AFFILIATION if leaving else Action.CHANGE_AFFILIATION, "affiliation"))
    return needed


async def update(ctx: Context, person_id: str, expected: int, given: dict, reason: str | None,
                 cmid: str | None) -> Person:
    current = await load(ctx, person_id, "id")
    facts = await access.facts(ctx, person_id=current.id)
    acting = access.require(Action.UPDATE_PERSON, facts)
    for action, name in _field_actions(given):
        if permissions.capacity(action, facts) is None:
            raise refuse(UserErrorCode.FORBIDDEN, f"You may not {action.value}.", "patch", name)
    _not_erased(current)
    check_version(current, expected)
    await _organisation_exists(ctx, given.get("affiliation"), "patch", "affiliation")
    if "affiliation" in given and given["affiliation"] != current.affiliation_id:
        await _no_roles_held(ctx, current)
    after = merged(SECTION, current, given, "patch")
    new_address = after.email is not None and after.email != current.email
    if new_address and acting is not Capacity.STAFF:
        # Pending until the link sent to it is followed; the answer never says whether it is on file.
        return await email_verification.request_change(ctx, current, after, acting, reason, cmid)
    # Every save, not only a new address: a record kept apart at start-up (datastore/unique_keys.py) learns why.
    await _email_is_free(ctx, after.email, current.id, "patch", "email")
    if after.email != current.email:
        if acting is Capacity.STAFF and not (reason or "").strip():
            raise refuse(UserErrorCode.INVALID, "Staff set an address directly only with a reason: say why.",
                         "reason")
        after = replace(after, pending_email=None)  # set directly: a pending request ends
    if not edits.field_changes(SECTION, current, after):
        await check_settled(ctx, current)
        return current
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, reason, cmid)


async def _no_roles_held(ctx: Context, person: Person) -> None:
    """Leaving an organisation (or moving to another) is refused while the person holds
    roles for it: they are handed over first, deliberately, since an active member
    never loses its Primary and a role contact must be affiliated (README)."""
    if person.affiliation_id is None:
        return
    held = [c for c in await contacts.by_people(ctx.db, [person.id]) if c.organisation_id == person.affiliation_id]
    if held:
        names = {g.id: g.name for g in await groups.by_ids(ctx.db, [c.group_id for c in held if c.group_id])}
        roles = ", ".join(sorted(
            c.role.value + (f" ({names.get(c.group_id, c.group_id)})" if c.group_id else "") for c in held))
        raise refuse(UserErrorCode.CONFLICT,
                     f"Hand over the roles this person holds for their organisation first: {roles}.",
                     "patch", "affiliation")


async def _own(ctx: Context, person_id: str, expected: int, action: Action) -> tuple[Person, Capacity]:
    current = await load(ctx, person_id)
    acting = access.require(action, await access.facts(ctx, person_id=current.id))
    _not_erased(current)
    check_version(current, expected)
    return current, acting


async def set_communications(ctx: Context, person_id: str, expected: int, group_ids: list[str],
                             cmid: str | None) -> Person:
    """The person's own subscriptions; their organisations' assignments are separate role contacts."""
    current, acting = await _own(ctx, person_id, expected, Action.SET_COMMUNICATIONS)
    known = {g.id for g in await groups.by_ids(ctx.db, group_ids)}
    for index, group_id in enumerate(group_ids):
        if group_id not in known:
            raise refuse(UserErrorCode.NOT_FOUND, "No group with this id.", "workingGroupIds", str(index))
    after = merged(SECTION, current, {"communications": group_ids}, "workingGroupIds")
    if not edits.field_changes(SECTION, current, after):
        await check_settled(ctx, current)
        return current
    return await _save(ctx, current, after, ChangeAction.UPDATE, acting, None, cmid)


def _moved(ctx: Context, current: Person, to: IndividualMembershipStatus, reason: str | None,
           accepted: AgreementVersions | None = None) -> Person:
    membership = current.individual_membership
    held = membership.status if membership else None
    if not may_move(INDIVIDUAL_TRANSITIONS, held, to):
        raise refuse(UserErrorCode.INVALID_TRANSITION,
                     f"An individual membership cannot go from {held.value if held else 'none'} to {to.value}.")
    history = (*(membership.history if membership else ()), StatusChange(to, ctx.today, reason, accepted))
    return replace(current, individual_membership=IndividualMembership(to, ctx.today, history))


async def _change_status(ctx: Context, person_id: str, expected: int, action: Action,
                         to: IndividualMembershipStatus, reason: str | None, cmid: str | None) -> Person:
    current, acting = await _own(ctx, person_id, expected, action)
    after = _moved(ctx, current, to, reason)
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


_AGREEMENTS = (("constitution", "constitution", "the Constitution"),
               ("member_agreement", "memberAgreement", "the Member Agreement"))


def _in_force(ctx: Context, accepted: AgreementVersions) -> None:
    """An applicant accepts the texts in force (settings), each checked and named on its own."""
    for attribute, name, title in _AGREEMENTS:
        given, current = getattr(accepted, attribute), getattr(ctx.agreement_versions, attribute)
        if given != current:
            raise refuse(UserErrorCode.INVALID,
                         f"The version of {title} in force is {current!r}, not {given!r}: read it and accept it "
                         "(Query.agreementVersions).", "acceptedAgreements", name)


async def apply(ctx: Context, person_id: str, expected: int, accepted: AgreementVersions, reason: str | None,
                cmid: str | None) -> Person:
    """The person applies, accepting the Constitution and the Member Agreement in force: the versions
    are kept with the application in the membership history."""
    current, acting = await _own(ctx, person_id, expected, Action.APPLY_INDIVIDUAL)
    _in_force(ctx, accepted)
    after = _moved(ctx, current, IndividualMembershipStatus.APPLICANT, reason, accepted)
    return await _save(ctx, current, after, ChangeAction.STATUS, acting, reason, cmid)


async def cancel(ctx: Context, person_id: str, expected: int, reason: str | None, cmid: str | None) -> Person:
    """A person can cancel their individual membership at any time."""
    return await _change_status(ctx, person_id, expected, Action.CANCEL_INDIVIDUAL,
                                IndividualMembershipStatus.CANCELLED, reason, cmid)


async def decide(ctx: Context, person_id: str, expected: int, to: IndividualMembershipStatus, reason: str | None,
                 cmid: str | None) -> Person:
    """Staff approve (ACTIVE), decline (DECLINED) or remove (REMOVED)."""
    return await _change_status(ctx, person_id, expected, Action.DECIDE_INDIVIDUAL, to, reason, cmid)
