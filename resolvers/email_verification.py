"""What a caller sees of a person's pending e-mail address (the person and staff: resolvers.privacy)."""

from datastore import reads
from datastore.records.pending_email import PendingEmail
from datastore.records.people import Person
from resolvers import privacy, relations
from resolvers.context import Context
from resolvers.privacy import PERSON


def pending_email(ctx: Context, person: Person) -> PendingEmail | None:
    """The address asked for and not yet confirmed, while its link is valid, to those who may see it."""
    pending = person.pending_email
    if pending is None or pending.expired(reads.now()):
        return None
    held = relations.to_person(ctx, person.id)
    return pending if privacy.sees_field(PERSON, "pendingEmail", held, person.contact_visibility) else None
