"""Verified e-mail: a new address becomes current only when the link sent to it is followed.

Anyone but staff who gives a person a new address (the person on updatePerson,
a Primary or Administrator on createPerson) starts a request: the address is
pending (Person.pendingEmail, for the person and staff), a link goes to it, a
note to the old address. The answer is the same whether or not another person
uses the address: whether it is on file is told only to that address, by mail
(EMAIL_VERIFICATION with the `email_in_use` template, no link). The canonical
uniqueness (datastore/canonical.py, the unique index on email_key) applies when
the address becomes current, at verifyEmail: if it was taken meanwhile, the
request ends, the address is told why by mail, and the caller (who holds the
link, so reads that address) gets a CONFLICT that says only that.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from datastore import edits, email_verification, people
from datastore.records.pending_email import PendingEmail
from datastore.records.outbox import Owed
from datastore.records.people import Person
from datastore.records.vocabulary import ChangeAction, DeliveryChannel, NotificationKind, RecordType
from resolvers.context import Context
from resolvers.mutations.committing import commit
from resolvers.mutations.outcome import Refused, UserErrorCode, refuse
from resolvers.permissions import Capacity

SECTION = "people"
VERIFY_PATH = "/verify-email"
NOT_VALID = "This link is not valid: it was used already, replaced by a newer one, or never existed."
EXPIRED = "This link has expired (links are valid for 48 hours); ask for the address again."
NOT_CONFIRMED = "This address could not be confirmed; a message saying why was sent to it."
MOVED_ON = "The record changed while the link was followed; follow the link again."
# New addresses one person may ask for in a day: the mails go to addresses the asker chose,
# with the asker's name in them, so nobody mails many addresses through the directory.
REQUESTS_PER_DAY = 5


def link(ctx: Context, token: str) -> str:
    return f"{ctx.public_url.rstrip('/')}{VERIFY_PATH}?token={token}"


async def _on_file_elsewhere(ctx: Context, address: str, person_id: str) -> bool:
    holder = await people.email_holder(ctx.db, address)
    return holder is not None and holder != person_id


def _verification(person: Person, pending: PendingEmail, token: str, in_use: bool, ctx: Context,
                  created_by: str | None = None) -> Owed:
    """The mail to the new address: the link, or (the address is another person's) why there is none."""
    # To the address, not to the person: nobody but the address's owner learns which mail it got
    # (a person sees their own notifications: one told "on file already" would answer the question).
    if in_use:
        # Not even the name of who asked: only that the address is on file, so nothing changes.
        return Owed(NotificationKind.EMAIL_VERIFICATION, DeliveryChannel.EMAIL, None,
                    "Your address is already in the member directory", RecordType.PERSON, person.id,
                    "email_in_use", {"address": pending.address}, address=pending.address)
    values = {"name": person.name, "address": pending.address, "expires_at": _instant(pending.expires_at),
              "created_by": created_by}
    return Owed(NotificationKind.EMAIL_VERIFICATION, DeliveryChannel.EMAIL, None,
                "Confirm your e-mail address for the member directory", RecordType.PERSON, person.id,
                "email_verification", {**values, "link": link(ctx, token)}, address=pending.address)


def _instant(at: datetime) -> str:
    """A time as mail gives it: ISO, to the minute, in UTC."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _change_note(person: Person, pending: PendingEmail) -> Owed:
    """The note to the address on file that a change was asked for (it stays until confirmed)."""
    return Owed(NotificationKind.EMAIL_CHANGE_REQUESTED, DeliveryChannel.EMAIL, person.id,
                "A change of your e-mail address was asked for", RecordType.PERSON, person.id,
                "email_change_requested",
                {"name": person.name, "new_address": pending.address, "requested_at": _instant(pending.requested_at),
                 "expires_at": _instant(pending.expires_at)},
                address=person.email)


async def _requested(ctx: Context, person: Person, address: str) -> tuple[Person, str, bool]:
    """`person` with `address` pending, its token (its digest kept) and whether another person holds it."""
    pending, token = email_verification.request(address, datetime.now(UTC))
    # The same work whoever holds the address: a token is kept either way (it confirms nothing
    # for an address on file elsewhere: verifyEmail checks again).
    await email_verification.remember(ctx.db, token, person.id, pending)
    in_use = await _on_file_elsewhere(ctx, address, person.id)
    return replace(person, pending_email=pending), token, in_use


async def request_change(ctx: Context, current: Person, after: Person, acting: Capacity, reason: str | None,
                         cmid: str | None) -> Person:
    """updatePerson with a new address, by anyone but staff: the rest of the patch applies,
    the address stays as it was and the new one is pending."""
    since = datetime.now(UTC) - timedelta(days=1)
    asked = await ctx.db.notifications.count_documents(
        {"record_id": current.id, "kind": NotificationKind.EMAIL_VERIFICATION.value, "created_at": {"$gte": since}})
    if asked >= REQUESTS_PER_DAY:
        raise refuse(UserErrorCode.INVALID, f"At most {REQUESTS_PER_DAY} new addresses a day may be asked for; "
                     "try again tomorrow.", "patch", "email")
    kept, token, in_use = await _requested(ctx, replace(after, email=current.email), after.email)
    pending = kept.pending_email
    owed = [_verification(kept, pending, token, in_use, ctx)]
    if current.email:
        owed.append(_change_note(current, pending))
    # The audit log keeps the pending address (pendingEmail), private, as any contact detail.
    write = replace(edits.write_of(SECTION, current, kept, ChangeAction.UPDATE, reason=reason),
                    notifications=tuple(owed))
    committed = await commit(ctx, write, expected=current.version, acting=acting, client_mutation_id=cmid,
                             reload=lambda: _load(ctx, current.id))
    return await _load(ctx, committed.change.owner_id)


async def create_pending(ctx: Context, after: Person, acting: Capacity, reason: str | None,
                         cmid: str | None) -> Person:
    """createPerson by a Primary or Administrator: the colleague's address is pending until they follow the link."""
    creator = await people.by_ids(ctx.db, [ctx.viewer.person_id]) if ctx.viewer.person_id else []
    created_by = creator[0].name if creator else None
    kept, token, in_use = await _requested(ctx, replace(after, email=None), after.email)
    write = replace(edits.write_of(SECTION, None, kept, ChangeAction.CREATE, reason=reason),
                    notifications=(_verification(kept, kept.pending_email, token, in_use, ctx, created_by),))
    committed = await commit(ctx, write, expected=None, acting=acting, client_mutation_id=cmid,
                             reload=lambda: _load(ctx, after.id))
    return await _load(ctx, committed.change.owner_id)


async def _load(ctx: Context, person_id: str) -> Person:
    [found] = await people.by_ids(ctx.db, [person_id])
    return found


async def verify(ctx: Context, token: str, cmid: str | None) -> Person:
    """Anyone holding the link may follow it (it was sent to the address, so whoever holds
    it reads that address): the address becomes current, at the version read."""
    found = await email_verification.find(ctx.db, token) if token else None
    people_found = await people.by_ids(ctx.db, [found.person_id]) if found else []
    person = people_found[0] if people_found else None
    pending = person.pending_email if person else None
    if person is None or person.erased or pending is None or pending.request_id != found.request_id:
        raise refuse(UserErrorCode.INVALID, NOT_VALID, "token")
    if pending.expired(datetime.now(UTC)):
        raise refuse(UserErrorCode.INVALID, EXPIRED, "token")
    if await _on_file_elsewhere(ctx, pending.address, person.id):
        await _end_unconfirmed(ctx, person, pending, cmid)
        await email_verification.forget(ctx.db, token)
        raise refuse(UserErrorCode.CONFLICT, NOT_CONFIRMED, "token")
    after = replace(person, email=pending.address, pending_email=None)
    write = edits.write_of(SECTION, person, after, ChangeAction.UPDATE, reason="e-mail address confirmed by its link")
    try:
        await commit(ctx, write, expected=person.version, acting=Capacity.SELF, client_mutation_id=cmid,
                     reload=lambda: _load(ctx, person.id))
    except Refused as refused:
        if any(e.code is UserErrorCode.STALE_VERSION for e in refused.errors):
            # The input has no version: the record moved on meanwhile (the link followed twice at once?).
            raise refuse(UserErrorCode.CONFLICT, MOVED_ON, "token") from None
        raise
    await email_verification.forget(ctx.db, token)
    return await _load(ctx, person.id)


async def _end_unconfirmed(ctx: Context, person: Person, pending: PendingEmail, cmid: str | None) -> None:
    """The address was taken by another person since it was asked for: the request ends and
    the address (only it) is told why."""
    after = replace(person, pending_email=None)
    write = replace(
        edits.write_of(SECTION, person, after, ChangeAction.UPDATE, reason="e-mail address not confirmed"),
        notifications=(_verification(person, pending, "", True, ctx),),
    )
    await commit(ctx, write, expected=person.version, acting=Capacity.SELF, client_mutation_id=cmid,
                 reload=lambda: _load(ctx, person.id))
