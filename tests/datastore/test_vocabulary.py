"""The vocabularies records store are stored by name and read back by name (datastore/records/vocabulary.py)."""

from datastore.records import vocabulary

STORED = [
    vocabulary.OrganisationKind, vocabulary.Sector, vocabulary.Designation, vocabulary.MembershipStatus,
    vocabulary.IndividualMembershipStatus, vocabulary.ContactRole, vocabulary.GroupKind, vocabulary.RosterRole,
    vocabulary.ContactVisibility,
]


def test_every_member_read_back_by_name_is_stored_under_that_name():
    # from_document reads `Kind[stored]`, to_document writes `.value`: the two must agree.
    mismatched = [f"{kind.__name__}.{m.name}={m.value!r}" for kind in STORED for m in kind if m.name != m.value]
    assert mismatched == []
