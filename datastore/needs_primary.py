"""ACTIVE organisations without a Primary: the staff's queue.

An ACTIVE organisation has exactly one Primary, except after its Primary is
erased (datastore.erasure): the erasure removes the role contact, and the
organisation has none until staff assign one. Read from the records
themselves, so the queue can never disagree with them.
"""

from datastore import organisations
from datastore.client import Database
from datastore.records.organisations import Organisation, OrganisationOrder
from datastore.records.vocabulary import ContactRole, MembershipStatus


async def organisations_needing_primary(db: Database, limit: int) -> list[Organisation]:
    """Up to `limit` ACTIVE organisations that have no Primary, by name."""
    with_primary = set(await db.contacts.distinct("organisation_id", {"role": ContactRole.PRIMARY.value}))
    found: list[Organisation] = []
    query = {"status": MembershipStatus.ACTIVE.value}
    async with db.organisations.find(query, sort=list(OrganisationOrder.NAME_ASC.value)) as cursor:
        async for document in cursor:
            if document["_id"] not in with_primary:
                found.append(organisations.from_document(document))
                if len(found) >= limit:
                    break
    return found
