"""Erasing a person on request: staff only.

One change makes the person's record the anonymous placeholder (the id stays,
so roster and membership history still point somewhere), removes every role
contact they hold (an organisation whose Primary they were then has none,
and is listed by Query.organisationsNeedingPrimary until staff assign one),
clears their subscriptions and ends their individual membership; while it is
applied (and by recovery, should it be cut off) their API keys are revoked,
their tenures end that day and their values leave every collection
(datastore.erasure).
"""

from dataclasses import replace

from datastore import contacts, edits, erasure
from datastore.records.changes import FieldChange
from datastore.records.memberships import INDIVIDUAL_TRANSITIONS, StatusChange
from datastore.records.people import Person
from datastore.records.vocabulary import ChangeAction, ContactVisibility, IndividualMembershipStatus
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_version, commit
from resolvers.mutations.outcome import UserErrorCode, refuse
from resolvers.mutations.people import SECTION, load
from resolvers.permissions import Action

# What an erased person's record keeps: its id, so roster and contact history still point somewhere.
ERASED_NAME = ("Erased", "person")


def erased_values(person: Person) -> erasure.Values:
    pending = person.pending_email.address if person.pending_email else None
    return erasure.Values.of(person.name, person.given_name, person.family_name, person.email, person.orcid, pending)


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
        individual_membership=membership, erased=True, pending_email=None,
    )


async def erase(ctx: Context, person_id: str, expected: int, reason: str, cmid: str | None) -> Person:
    """Staff erase a person on request: their data leaves the record, the audit log and every
    other collection; the erasure itself is logged with the names of the fields erased, never
    their values."""
    current = await load(ctx, person_id)
    acting = access.require(Action.ERASE_PERSON, await access.facts(ctx, person_id=current.id))
    if current.erased:
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
    return await load(ctx, current.id)
