"""Mutations of rosters: adding and ending tenures on a group."""

from datetime import date

import strawberry
from strawberry import Info

from datastore import rosters as records
from resolvers.mutations import rosters as edits
from resolvers.mutations.committing import outcome
from schema.enums import RosterRole
from schema.mutations.common import call_digest, UserError, user_errors
from schema.rosters import RosterEntry


@strawberry.input(description="Staff add entries directly (a chair invites instead: inviteToGroup; accepting "
                              "adds the entry). expectedVersion is the group's; since defaults to today.")
class AddRosterEntryInput:
    group_id: strawberry.ID
    expected_version: int
    person_id: strawberry.ID
    role: RosterRole
    since: date | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.input(description="Chairs and co-chairs of the group end MEMBER, CONTRIBUTOR and OBSERVER entries; "
                              "CHAIR, CO_CHAIR and STAFF entries are staff-only. expectedVersion is the entry's; "
                              "until (the last day served) defaults to today.")
class EndRosterEntryInput:
    entry_id: strawberry.ID
    expected_version: int
    until: date | None = None
    reason: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class RosterEntryPayload:
    entry: RosterEntry | None
    user_errors: list[UserError]
    client_mutation_id: str | None

    @classmethod
    async def of(cls, info: Info, work, client_mutation_id: str | None) -> "RosterEntryPayload":
        context = info.context
        result = await outcome(context, work, client_mutation_id, lambda change: edits.load(context, change.record_id),
                               call_digest(info))
        # A stale addition's current record is the group, which has no place here (its version is in the message).
        record = result.record if isinstance(result.record, records.RosterEntry) else None
        return cls(entry=RosterEntry.of(record) if record else None, user_errors=user_errors(result),
                   client_mutation_id=client_mutation_id)


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
