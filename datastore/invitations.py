"""Invitations: a path onto a group's roster, as a versioned record of its own.

RECOMMENDED (an organisation's Primary or Administrator put one of its people
forward), INVITED (by a chair or staff, after a recommendation or not), then
ACCEPTED (the roster entry is written in the same change: datastore.writes'
effect), DECLINED, WITHDRAWN or EXPIRED. Every step is a change of the
invitation through the write path, so two steps at once claim one version and
one wins (an answer and the expiry sweep, two sweepers).
"""

import asyncio
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from datastore import writes
from datastore.client import Database
from datastore.documents import count_matching, find_in, one_of
from datastore.engines import read_page
from datastore.keyset import SortKey
from datastore.records import dates
from datastore.records.changes import Actor, ChangeState, FieldChange
from datastore.records.invitations import NEXT, OPEN, PREFIX, SORT, Invitation, expired_at, new_id
from datastore.records.outbox import Owed
from datastore.records.vocabulary import ChangeAction, InvitationStatus, RecordType, RosterRole
from datastore.writes import Effect, Write

def to_document(invitation: Invitation) -> dict:
    return {
        "_id": invitation.id,
        "group_id": invitation.group_id,
        "person_id": invitation.person_id,
        "role": invitation.role.value,
        "status": invitation.status.value,
        "recommended_by": invitation.recommended_by,
        "recommender_id": invitation.recommender_id,
        "invited_by": invitation.invited_by,
        "message": invitation.message,
        "created_at": invitation.created_at,
        "created_key": dates.instant_key(invitation.created_at),
        "expires_on": dates.to_text(invitation.expires_on),
        "answered_at": invitation.answered_at,
        "roster_entry_id": invitation.roster_entry_id,
        "version": invitation.version,
        "updated_at": invitation.updated_at,
        "updated_key": dates.instant_key(invitation.updated_at),
    }


def from_document(document: dict) -> Invitation:
    return Invitation(
        id=document["_id"],
        group_id=document["group_id"],
        person_id=document["person_id"],
        role=RosterRole[document["role"]],
        status=InvitationStatus[document["status"]],
        created_at=document["created_at"],
        recommended_by=document.get("recommended_by"),
        recommender_id=document.get("recommender_id"),
        invited_by=document.get("invited_by"),
        message=document.get("message"),
        expires_on=dates.from_text(document.get("expires_on")),
        answered_at=document.get("answered_at"),
        roster_entry_id=document.get("roster_entry_id"),
        version=document.get("version", 1),
        updated_at=document.get("updated_at"),
    )


async def by_ids(db: Database, ids: Iterable[str]) -> list[Invitation]:
    return [from_document(d) for d in await find_in(db.invitations, "_id", ids)]


def _query(owner_field: str, owner_id: str, statuses: Iterable[InvitationStatus]) -> dict:
    query: dict = {owner_field: owner_id}
    wanted = sorted(s.value for s in statuses)
    if wanted:
        query |= one_of("status", wanted)
    return query


async def page(
    db: Database, owner_field: str, owner_id: str, statuses: Iterable[InvitationStatus], after: SortKey | None,
    limit: int,
) -> list[Invitation]:
    """A group's (owner_field "group_id") or a person's ("person_id") invitations, newest first."""
    # The index leads with the owner, not the sort.
    found = await read_page(db.invitations, _query(owner_field, owner_id, statuses), SORT, after, limit,
                            index_leads_with_sort=False)
    return [from_document(d) for d in found]


async def count(db: Database, owner_field: str, owner_id: str, statuses: Iterable[InvitationStatus]) -> int:
    return await count_matching(db.invitations, _query(owner_field, owner_id, statuses))


async def open_for(db: Database, group_id: str, person_id: str) -> list[Invitation]:
    """The person's recommendations and invitations for the group still waiting for someone."""
    query = {"person_id": person_id, "group_id": group_id, "status": {"$in": sorted(s.value for s in OPEN)}}
    return [from_document(d) for d in await db.invitations.find(query).to_list()]


async def past_expiry(db: Database, now: datetime, limit: int = 100) -> list[Invitation]:
    """INVITED invitations whose `expires_on` ended before `now` (UTC), the oldest deadline first."""
    last_expired_day = (now.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    query = {"status": InvitationStatus.INVITED.value, "expires_on": {"$lte": last_expired_day}}
    cursor = db.invitations.find(query, sort=[("expires_on", 1), ("_id", 1)], limit=limit)
    return [from_document(d) for d in await cursor.to_list()]


# The changes that send something: each counts towards its sender's daily limit.
SENDING = (ChangeAction.RECOMMEND, ChangeAction.INVITE)


async def sent_since(db: Database, sender: tuple[str, str], since: datetime) -> int:
    """Recommendations and invitations `sender` (an audit actor field and its value, e.g.
    ("actor.person_id", "per_…")) made since `since`: applied ones and those in flight,
    so a check made after its own claim counts every other sender's claim too."""
    field_name, value = sender
    query = {
        field_name: value,
        "owner_type": RecordType.INVITATION.value,
        "action": {"$in": [a.value for a in SENDING]},
        "at": {"$gte": since},
        "state": {"$ne": ChangeState.REJECTED.value},
    }
    return await count_matching(db.changes, query)


# The invitation's fields as the audit log names them.
def _logged(invitation: Invitation | None) -> dict[str, str | None]:
    if invitation is None:
        return {}
    return {
        "status": invitation.status.value,
        "group": invitation.group_id,
        "person": invitation.person_id,
        "role": invitation.role.value,
        "recommendedBy": invitation.recommended_by,
        "invitedBy": invitation.invited_by,
        "message": invitation.message,
        "expiresOn": dates.to_text(invitation.expires_on),
        "rosterEntry": invitation.roster_entry_id,
    }


def field_changes(before: Invitation | None, after: Invitation) -> tuple[FieldChange, ...]:
    old, new = _logged(before), _logged(after)
    return tuple(FieldChange(name, old.get(name), value) for name, value in new.items() if old.get(name) != value)


def write_of(
    before: Invitation | None, after: Invitation, action: ChangeAction, *, reason: str | None = None,
    effects: tuple[Effect, ...] = (), about: tuple[RecordType, str] | None = None,
    notifications: tuple[Owed, ...] = (),
) -> Write:
    """The Write that turns `before` (None: nothing yet) into `after`, a change of the invitation."""
    record_type, record_id = about or (None, None)
    return Write(
        owner_type=RecordType.INVITATION, collection="invitations", owner_id=after.id, document=to_document(after),
        action=action, fields=field_changes(before, after), record_type=record_type, record_id=record_id,
        effects=effects, reason=reason, notifications=notifications,
    )


# Who expires invitations, in the audit log.
EXPIRY = Actor(role="expiry")


async def expire_due(db: Database, now: datetime | None = None, lease: timedelta = writes.DEFAULT_LEASE) -> int:
    """Mark EXPIRED every INVITED invitation past its `expires_on`; how many this call expired.

    Each is a change of the invitation at the version read, so of several sweepers (or a
    sweeper and the person answering at the last moment) exactly one claims it: the others
    get StaleVersion and leave it. Whatever this has done, an answer after `expires_on` is
    refused (resolvers.mutations.invitations), so the sweep only records what already holds."""
    now = now or datetime.now(UTC)
    expired = 0
    for invitation in await past_expiry(db, now):
        after = replace(invitation, status=InvitationStatus.EXPIRED)
        try:
            # Shielded: a sweep cancelled (serve shutting down) never leaves its change half-applied.
            await asyncio.shield(writes.commit(db, write_of(invitation, after, ChangeAction.EXPIRE),
                                               expected_version=invitation.version, actor=EXPIRY, lease=lease))
            expired += 1
        except (writes.StaleVersion, writes.Rejected):
            continue  # answered, withdrawn or expired by another process meanwhile
    return expired
