"""Assigning and removing role contacts: changes of their organisation."""

from datastore import contacts, edits, groups, people
from datastore.records.changes import FieldChange
from datastore.records.contacts import RoleContact
from datastore.records.organisations import Organisation
from datastore.records.vocabulary import ChangeAction, ContactRole, MembershipStatus, RecordType
from resolvers.context import Context
from resolvers.mutations import access
from resolvers.mutations.committing import check_settled, check_version, commit
from resolvers.mutations.organisations import load
from resolvers.mutations.outcome import UserErrorCode, not_found, refuse
from resolvers.permissions import Action, Capacity

# One holder each: assigning one of these replaces the current holder.
SINGLE_HOLDER = (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER)


def _action_for(role: ContactRole) -> Action:
    return Action.ASSIGN_PRIMARY if role is ContactRole.PRIMARY else Action.ASSIGN_CONTACT


def _fields(contact: RoleContact, removed: bool) -> tuple[FieldChange, ...]:
    values = {"role": contact.role.value, "person": contact.person_id, "workingGroup": contact.group_id}
    return tuple(
        FieldChange(name, value if removed else None, None if removed else value)
        for name, value in values.items() if value is not None
    )


async def _commit(ctx: Context, organisation: Organisation, contact: RoleContact, effects: tuple,
                  action: ChangeAction, acting: Capacity, reason: str | None, cmid: str | None) -> Organisation:
    write = edits.write_of(
        "organisations", organisation, organisation, action, reason=reason, effects=effects,
        fields=_fields(contact, removed=action is ChangeAction.REMOVE),
        about=(RecordType.ROLE_CONTACT, contact.id),
    )
    await commit(ctx, write, expected=organisation.version, acting=acting, client_mutation_id=cmid,
                 reload=lambda: load(ctx, organisation.id))
    return await load(ctx, organisation.id)


async def assign(ctx: Context, organisation_id: str, expected: int, role: ContactRole, person_id: str,
                 group_id: str | None, reason: str | None, cmid: str | None) -> Organisation:
    organisation = await load(ctx, organisation_id)
    acting = access.require(_action_for(role), await access.facts(ctx, organisation_id=organisation.id))
    check_version(organisation, expected)
    found = await people.by_ids(ctx.db, [person_id])
    if not found or found[0].erased:
        raise not_found("person", "personId")
    if found[0].affiliation_id != organisation.id:
        # A role is held for the organisation one works for, by anyone's hand (staff's too):
        # set the person's affiliation first. Leaving it is refused while roles are held.
        raise refuse(UserErrorCode.FORBIDDEN,
                     "A role contact must be affiliated with the organisation: set the person's affiliation first.",
                     "personId")
    if (role is ContactRole.COMMUNICATIONS) != (group_id is not None):
        raise refuse(UserErrorCode.INVALID, "Give a workingGroupId for COMMUNICATIONS contacts, and only for them.",
                     "workingGroupId")
    if group_id is not None and not await groups.by_ids(ctx.db, [group_id]):
        raise not_found("group", "workingGroupId")
    contact = RoleContact(organisation.id, person_id, role, group_id)
    held = await contacts.by_organisations(ctx.db, [organisation.id])
    if any(c.id == contact.id for c in held):
        await check_settled(ctx, organisation)
        return organisation  # already so: nothing to change
    replaced = [c for c in held if role in SINGLE_HOLDER and c.role is role]
    effects = (*(edits.contact_effect(c, remove=True) for c in replaced), edits.contact_effect(contact))
    return await _commit(ctx, organisation, contact, effects, ChangeAction.ASSIGN, acting, reason, cmid)


async def remove(ctx: Context, organisation_id: str, expected: int, contact_id: str, reason: str | None,
                 cmid: str | None) -> Organisation:
    organisation = await load(ctx, organisation_id)
    held = await contacts.by_organisations(ctx.db, [organisation.id])
    contact = next((c for c in held if c.id == contact_id), None)
    facts = await access.facts(ctx, organisation_id=organisation.id)
    if contact is None:
        access.require(Action.ASSIGN_CONTACT, facts)
        raise not_found("role contact of this organisation", "contactId")
    action = Action.REMOVE_PRIMARY if contact.role is ContactRole.PRIMARY else Action.ASSIGN_CONTACT
    acting = access.require(action, facts)
    check_version(organisation, expected)
    if contact.role is ContactRole.PRIMARY and organisation.status is MembershipStatus.ACTIVE:
        raise refuse(UserErrorCode.CONFLICT,
                     "An active member never loses its Primary: assign a new Primary instead.", "contactId")
    effects = (edits.contact_effect(contact, remove=True),)
    return await _commit(ctx, organisation, contact, effects, ChangeAction.REMOVE, acting, reason, cmid)
