"""Mutations of rosters: adding and ending tenures on a group."""

from datetime import date

import strawberry
from strawberry import Info

from datastore.records import rosters as records
from resolvers.mutations import rosters as edits
from schema.enums import RosterRole
from schema.mutations.common import ChangeInput, Payload, mutation_input, payload
from schema.rosters import RosterEntry


@mutation_input(description="Staff add entries directly (a chair invites instead: inviteToGroup; accepting "
                            "adds the entry). expectedVersion is the group's; since defaults to today.")
class AddRosterEntryInput(ChangeInput):
    group_id: strawberry.ID
    person_id: strawberry.ID
    role: RosterRole
    since: date | None = None


@mutation_input(description="Chairs and co-chairs of the group end MEMBER, CONTRIBUTOR and OBSERVER entries; "
                            "CHAIR, CO_CHAIR and STAFF entries are staff-only. expectedVersion is the entry's; "
                            "until (the last day served) defaults to today.")
class EndRosterEntryInput(ChangeInput):
    entry_id: strawberry.ID
    until: date | None = None


@payload
class RosterEntryPayload(Payload):
    entry: RosterEntry | None

    load = staticmethod(lambda context, change: edits.load(context, change.record_id))
    # A stale addition's current record is the group, which has no place here (its version is in the message).
    show = staticmethod(lambda record: RosterEntry.of(record) if isinstance(record, records.RosterEntry) else None)


@strawberry.type
class RosterMutations:
    @strawberry.mutation
    async def add_roster_entry(self, info: Info, input: AddRosterEntryInput) -> RosterEntryPayload:
        work = edits.add(info.context, str(input.group_id), input.expected_version, str(input.person_id), input.role,
                         input.since, input.reason, input.client_mutation_id)
        return await RosterEntryPayload.of(info, work, input.client_mutation_id)

    @strawberry.mutation
    async def end_roster_entry(self, info: Info, input: EndRosterEntryInput) -> RosterEntryPayload:
        work = edits.end(info.context, str(input.entry_id), input.expected_version, input.until, input.reason,
                         input.client_mutation_id)
        return await RosterEntryPayload.of(info, work, input.client_mutation_id)
