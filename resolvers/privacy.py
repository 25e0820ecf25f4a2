"""Who may see a person's contact details: the rule, and nothing else.

Each person chooses how widely their contact details are shared (their
ContactVisibility). The table in README.md is this function.
"""

from enum import Enum

from datastore.vocabulary import ContactRole, ContactVisibility, Role


class ContactField(str, Enum):
    EMAIL = "email"
    ORCID = "orcid"


# The role contacts who keep an organisation's contact list right.
MANAGING_ROLES = frozenset({ContactRole.PRIMARY, ContactRole.ADMINISTRATOR})


def may_see(
    field: ContactField,
    visibility: ContactVisibility,
    role: Role,
    *,
    is_self: bool = False,
    manages_their_organisation: bool = False,
) -> bool:
    """Whether a caller with `role` may see `field` of a person who chose `visibility`.

    `manages_their_organisation`: the caller is Primary or Administrator of an
    organisation the person is a role contact of.
    """
    if role is Role.ANONYMOUS:
        # Checked first so nothing below can ever hand an address to the public.
        return field is not ContactField.EMAIL and visibility is ContactVisibility.PUBLIC
    if is_self or manages_their_organisation or role.at_least(Role.STAFF):
        return True
    return visibility in (ContactVisibility.PUBLIC, ContactVisibility.MEMBERS)


def may_see_personal_choices(role: Role, *, is_self: bool = False) -> bool:
    """Whether a caller may see a person's own choices and their reasons: their
    contact visibility and why their individual membership changed. Only the
    person themself and staff; the same people who may change them."""
    if role is Role.ANONYMOUS:
        return False
    return is_self or role.at_least(Role.STAFF)
