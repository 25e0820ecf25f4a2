"""The notifications invitations owe (datastore.outbox), built from what each recipient may see.

RECOMMENDATION to the group's current chairs and co-chairs; INVITATION to the
person invited (what the group is, who invited them, the message, until when
they may answer); INVITATION_ANSWERED to whoever invited. Each is put in the
invitation's own Write, so it is written in the same claimed change. Template
values hold only what the recipient may see of the invitation (which they
are entitled to: resolvers.invitations) and public facts: names of people,
groups and organisations, never a contact detail.
"""

from datetime import datetime

from datastore import groups, organisations, people, rosters
from datastore.records.invitations import Invitation
from datastore.outbox import Owed
from datastore.records.vocabulary import DeliveryChannel, InvitationStatus, NotificationKind, RecordType, label
from resolvers.context import Context
from resolvers.groups import CHAIR_ROLES


async def _names(ctx: Context, person_ids: list[str | None]) -> dict[str, str]:
    wanted = [p for p in person_ids if p]
    return {p.id: p.name for p in await people.by_ids(ctx.db, wanted) if not p.erased}


async def _facts(ctx: Context, invitation: Invitation) -> dict:
    """What every message about the invitation shows: the group, the person, the role, the organisation."""
    [group] = await groups.by_ids(ctx.db, [invitation.group_id])
    names = await _names(ctx, [invitation.person_id, invitation.invited_by, invitation.recommender_id])
    organisation = None
    if invitation.recommended_by:
        found = await organisations.by_ids(ctx.db, [invitation.recommended_by])
        organisation = {"id": found[0].id, "name": found[0].name} if found else None
    return {
        "invitation": {"id": invitation.id, "role": invitation.role.value, "roleLabel": label(invitation.role.value)},
        "group": {"id": group.id, "name": group.name, "kind": label(group.kind.value),
                  "description": group.description},
        "person": {"id": invitation.person_id, "name": names.get(invitation.person_id, "")},
        "organisation": organisation,
        "recommender": names.get(invitation.recommender_id) if invitation.recommender_id else None,
        "inviter": names.get(invitation.invited_by) if invitation.invited_by else None,
        "message": invitation.message,
        "expiresOn": invitation.expires_on.isoformat() if invitation.expires_on else None,
    }


async def current_chairs(ctx: Context, group_id: str) -> list[str]:
    entries = await rosters.by_groups(ctx.db, [group_id])
    return sorted({e.person_id for e in entries if e.role in CHAIR_ROLES and e.active_on(ctx.today)})


async def recommendation(ctx: Context, invitation: Invitation) -> tuple[Owed, ...]:
    """Each current chair and co-chair of the group hears of the recommendation."""
    values = await _facts(ctx, invitation)
    who = values["organisation"]["name"] if values["organisation"] else "An organisation"
    return tuple(
        Owed(kind=NotificationKind.RECOMMENDATION, channel=DeliveryChannel.EMAIL, recipient_id=chair,
             subject=f"{who} recommends {values['person']['name']} for the {values['group']['name']}",
             record_type=RecordType.INVITATION, record_id=invitation.id, template="recommendation", values=values)
        for chair in await current_chairs(ctx, invitation.group_id)
    )


async def invitation(ctx: Context, invited: Invitation) -> tuple[Owed, ...]:
    """The person invited hears what the group is, who invited them, and until when to answer."""
    values = await _facts(ctx, invited)
    return (Owed(kind=NotificationKind.INVITATION, channel=DeliveryChannel.EMAIL, recipient_id=invited.person_id,
                 subject=f"An invitation to join the {values['group']['name']}",
                 record_type=RecordType.INVITATION, record_id=invited.id, template="invitation", values=values),)


async def answered(ctx: Context, answered: Invitation, at: datetime) -> tuple[Owed, ...]:
    """Whoever invited hears the answer (staff acting with a key of no person's are told nobody)."""
    if answered.invited_by is None:
        return ()
    values = {**await _facts(ctx, answered), "accepted": answered.status is InvitationStatus.ACCEPTED,
              "answeredOn": at.date().isoformat()}
    verb = "accepted" if values["accepted"] else "declined"
    return (Owed(kind=NotificationKind.INVITATION_ANSWERED, channel=DeliveryChannel.EMAIL,
                 recipient_id=answered.invited_by,
                 subject=f"{values['person']['name']} {verb} your invitation to the {values['group']['name']}",
                 record_type=RecordType.INVITATION, record_id=answered.id, template="invitation_answered",
                 values=values),)
