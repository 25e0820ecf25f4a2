"""The role-contact rule of README's "Who may see what", stated over the whole database,
for tests (the property test checks it after each step).

Every role contact (PRIMARY, ADMINISTRATOR, SIGNER, COMMUNICATIONS) is held by a
person currently affiliated with the organisation, and not erased; the one
exception is the Primary of an organisation that has never been an ACTIVE member
(the person who applied, before anyone could be affiliated with it: approval
needs the three contacts affiliated).
"""

from datastore import contacts, organisations, people
from datastore.client import Database
from datastore.records.contacts import RoleContact
from datastore.records.vocabulary import ContactRole, MembershipStatus


async def contacts_without_affiliation(db: Database) -> list[RoleContact]:
    """The role contacts that break the rule; [] when it holds."""
    held = [contacts.from_document(d) async for d in db.contacts.find({})]
    holders = {p.id: p for p in await people.by_ids(db, {c.person_id for c in held})}
    applying = {
        o.id for o in await organisations.by_ids(db, {c.organisation_id for c in held})
        if o.status is not MembershipStatus.ACTIVE and all(h.status is not MembershipStatus.ACTIVE for h in o.history)
    }
    broken = []
    for contact in held:
        person = holders.get(contact.person_id)
        if person is not None and not person.erased and person.affiliation_id == contact.organisation_id:
            continue
        if contact.role is ContactRole.PRIMARY and contact.organisation_id in applying and person and not person.erased:
            continue
        broken.append(contact)
    return broken
