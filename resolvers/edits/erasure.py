"""Erasing a person on request: staff only.

One change makes the person's record the anonymous placeholder (the id stays,
so roster and membership history still point somewhere), removes every role
contact they hold (an organisation whose Primary they were then has none,
and is listed by Query.organisationsNeedingPrimary until staff assign one),
clears their subscriptions, ends their individual membership, and while it is
applied scrubs their values from every collection and revokes their API keys
(datastore.erasure). Right after, each roster tenure they still hold is ended
on the day, each a change of its own; a retried erasePerson finishes those
should the first try be cut off.
"""

from dataclasses import replace

from datastore import contacts, edits, erasure, rosters, writes
from datastore.changes import FieldChange
from datastore.memberships import INDIVIDUAL_TRANSITIONS, StatusChange
from datastore.people import Person
from datastore.rosters import RosterEntry
from datastore.vocabulary import ChangeAction, ContactVisibility, IndividualMembershipStatus
from resolvers.context import Context
from resolvers.edits import access
from resolvers.edits.committing import check_version, commit
from resolvers.edits.outcome import UserErrorCode, refuse
from resolvers.edits.people import SECTION, load
from resolvers.permissions import Action, Capacity

# What an erased person's record keeps: its id, so roster and contact history still point somewhere.
ERASED_NAME = ("Erased", "person")
# Why a tenure ended: no personal words, only what happened.
TENURE_ENDED = "the person was erased on request"
# Attempts at ending one tenure that other changes keep moving on.
_TENURE_TRIES = 3


def erased_values(person: Person) -> erasure.Values:
    return erasure.Values.of(person.name, person.given_name, person.family_name, person.email, person.orcid)


def placeholder(person: Person, today) -> Person:
    """The anonymous placeholder: the id stays, and the membership's statuses and days
    (for counts over time), without the reasons, which may be personal; a current
    membership ends today."""
    membership = person.individual_membership
    if membership is not None:
        history = tuple(replace(c, reason=None) for c in membership.history)
        ends = IndividualMembershipStatus.CANCELLED
        if ends in INDIVIDUAL_TRANSITIONS[membership.status]:
            history = (*history, StatusChange(ends, today, None))
            membership = replace(membership, status=ends, since=today)
        membership = replace(membership, history=history)
    return replace(
        person, given_name=ERASED_NAME[0], family_name=ERASED_NAME[1], email=None, orcid=None, country_code=None,
        affiliation_id=None, contact_visibility=ContactVisibility.STAFF, communications=(),
        individual_membership=membership, erased=True,
    )


async def erase(ctx: Context, person_id: str, expected: int, reason: str, cmid: str | None) -> Person:
    """Staff erase a person on request: their data leaves the record, the audit log and every
    other collection; the erasure itself is logged with the names of the fields erased, never
    their values."""
    current = await load(ctx, person_id)
    acting = access.require(Action.ERASE_PERSON, await access.facts(ctx, person_id=current.id))
    if current.erased:
        await end_tenures(ctx, current.id, acting)  # what a cut-off first try left
        raise refuse(UserErrorCode.CONFLICT, "This person's record was erased on request; it cannot be changed.")
    check_version(current, expected)
    after = placeholder(current, ctx.today)
    fields = tuple(FieldChange(f.field, None, None, private=f.private, erased=True)
                   for f in edits.field_changes(SECTION, current, after))
    held = await contacts.by_people(ctx.db, [current.id])
    write = edits.write_of(SECTION, current, after, ChangeAction.ERASE, reason=reason, fields=fields,
                           effects=tuple(edits.contact_effect(c, remove=True) for c in held))
    write = replace(write, erase_history_of=current.id, erased_values=erased_values(current))
    await commit(ctx, write, expected=current.version, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, current.id))
    await end_tenures(ctx, current.id, acting)
    return await load(ctx, current.id)


def _open(entry: RosterEntry, today) -> bool:
    return entry.until is None or entry.until >= today


async def end_tenures(ctx: Context, person_id: str, acting: Capacity) -> None:
    """End every tenure the person holds on or after today: today, or on its first day
    for one that starts later (the shortest tenure there is)."""
    for entry in await rosters.by_people(ctx.db, [person_id]):
        for _ in range(_TENURE_TRIES):
            if not _open(entry, ctx.today):
                break
            after = replace(entry, until=max(ctx.today, entry.since))
            if after == entry:
                break
            write = edits.write_of("roster", entry, after, ChangeAction.UPDATE, reason=TENURE_ENDED)
            try:
                await writes.commit(ctx.db, write, expected_version=entry.version, actor=access.actor(ctx, acting))
                break
            except writes.StaleVersion:  # changed meanwhile: read it again
                found = [e for e in await rosters.by_people(ctx.db, [person_id]) if e.id == entry.id]
                if not found:
                    break
                entry = found[0]
            except writes.Rejected:
                break
    ctx.loaders.generation.forget()
