"""Relay object identification: every record with an id is a Node, under its existing id."""

import strawberry


@strawberry.interface(description="A record with a stable id; fetch any by id with `node` or `nodes`.")
class Node:
    id: strawberry.ID


def record_id(root: object) -> strawberry.ID:
    """A Node's id, read from its record when asked for: role contacts and
    roster entries derive theirs by hashing what they are."""
    return strawberry.ID(root.record.id)  # type: ignore[attr-defined]


def to_node(record: object) -> Node | None:
    """The GraphQL object of a datastore record."""
    from datastore.records import contacts, groups, organisations, outbox, people, rosters
    from schema.contacts import RoleContact
    from schema.groups import WorkingGroup
    from resolvers.invitations import InvitationRecord
    from schema.invitations import Invitation
    from schema.notifications import Notification
    from schema.organisations import Organisation
    from schema.people import Person
    from schema.rosters import RosterEntry

    kinds = {
        organisations.Organisation: Organisation,
        people.Person: Person,
        groups.Group: WorkingGroup,
        contacts.RoleContact: RoleContact,
        rosters.RosterEntry: RosterEntry,
        InvitationRecord: Invitation,
        outbox.Notification: Notification,
    }
    kind = kinds.get(type(record))
    return kind.of(record) if kind else None
