"""Merging two records of one person (or organisation) in one claimed change, and undoing it."""

import asyncio
from dataclasses import replace

import pytest

from datastore import contact_invariants, contacts, edits, merging, people, rosters, unique_keys, write_invariants
from datastore import writes
from datastore.changes import WRITTEN_BY
from datastore.records.changes import Actor, ChangeState
from datastore.records.people import Person
from datastore.records.vocabulary import ChangeAction, ContactVisibility, RecordType
from tests.conftest import directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Actor("staff", key_id="key_staff")
# Compared apart from what every write sets anew.
_STAMPS = ("version", "updated_at", "updated_key", WRITTEN_BY)
_STATE = ("people", "organisations", "contacts", "roster", "groups")


async def _state(db) -> dict:
    """Every record and reference, without the stamps each write sets."""
    found = {}
    for name in _STATE:
        async for document in getattr(db, name).find({}):
            found[(name, document["_id"])] = {k: v for k, v in document.items() if k not in _STAMPS}
    return found


async def _invariants(db) -> list[str]:
    return (await write_invariants.audit_problems(db) + await unique_keys.violations(db)
            + [f"contact {c.id}" for c in await contact_invariants.contacts_without_affiliation(db)])


async def _twin(db, **fields) -> Person:
    """A second record of Ana Lopes (Montréal), written as seed writes (version 1, unlogged)."""
    twin = Person(id="per_ana_twin", given_name="Ana", family_name="Lopes", email="a.lopes@elsewhere.example",
                  country_code="CA", affiliation_id="org_montreal", contact_visibility=ContactVisibility.STAFF,
                  communications=("grp_clinical",), **fields)
    await people.upsert(db, [twin])
    return twin


async def test_merge_moves_every_reference_and_redirects(engine):
    async with directory_copy(engine, "merge_moves") as db:
        await _twin(db)
        ana_contacts = await contacts.by_people(db, ["per_ana"])
        ana_tenures = await rosters.by_people(db, ["per_ana"])
        assert ana_contacts and ana_tenures
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF, reason="created twice")
        assert done.change.action is ChangeAction.MERGE
        assert await db.people.find_one({"_id": "per_ana"}) is None
        # Every role contact and tenure now belongs to the kept record.
        assert not await contacts.by_people(db, ["per_ana"]) and not await rosters.by_people(db, ["per_ana"])
        kept_contacts = {(c.organisation_id, c.role, c.group_id) for c in await contacts.by_people(db, ["per_ana_twin"])}
        assert kept_contacts == {(c.organisation_id, c.role, c.group_id) for c in ana_contacts}
        kept_tenures = {(e.group_id, e.role, e.since, e.until) for e in await rosters.by_people(db, ["per_ana_twin"])}
        assert kept_tenures == {(e.group_id, e.role, e.since, e.until) for e in ana_tenures}
        kept = (await people.by_ids(db, ["per_ana_twin"]))[0]
        # Privacy combines to the stricter choice (Ana had PUBLIC, the twin STAFF); the ORCID only Ana had moves.
        assert kept.contact_visibility is ContactVisibility.STAFF
        assert kept.orcid == "0000-0002-1825-0097"
        assert kept.version == 2
        # The merged id redirects; the feed says MERGE for it; the audit entry lists what moved.
        assert await merging.kept_ids(db, ["per_ana", "per_jean"]) == {"per_ana": "per_ana_twin"}
        notices = {n.record_id: n.action for n in done.change.notices}
        assert notices["per_ana"] is ChangeAction.MERGE
        moved = next(f.after for f in done.change.fields if f.field == "moved")
        for entry in ana_tenures:
            assert entry.id in moved
        for contact in ana_contacts:
            assert contact.id in moved
        # Every record it changed has a new version and an audit entry of its own, settled with it.
        parts = await db.changes.find({"part_of": done.change.id}).to_list()
        assert {p["owner_id"] for p in parts} >= {"per_ana", *(e.id for e in ana_tenures)}
        assert {p["state"] for p in parts} == {ChangeState.APPLIED.value}
        assert await _invariants(db) == []


async def test_unmerge_restores_exactly_the_state_before(engine):
    async with directory_copy(engine, "merge_undo") as db:
        await _twin(db)
        before = await _state(db)
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF)
        assert await _state(db) != before
        await merging.unmerge(db, done.change.id, actor=STAFF, reason="not the same person")
        assert await _state(db) == before
        assert await merging.kept_ids(db, ["per_ana"]) == {}
        assert await _invariants(db) == []
        # Undone once: a second time is refused.
        with pytest.raises(merging.Refused) as refused:
            await merging.unmerge(db, done.change.id, actor=STAFF)
        assert refused.value.code == "CONFLICT"
        # And the two can be merged again (versions keep growing, invariants hold).
        kept = (await people.by_ids(db, ["per_ana_twin"]))[0]
        ana = (await people.by_ids(db, ["per_ana"]))[0]
        await merging.merge(db, RecordType.PERSON, kept.id, ana.id, keep_version=kept.version,
                            merge_version=ana.version, actor=STAFF)
        assert await _invariants(db) == []


async def test_unmerge_refused_after_a_later_change(engine):
    async with directory_copy(engine, "merge_later") as db:
        await _twin(db)
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF)
        # A moved tenure ends afterwards: the merge can no longer be undone exactly.
        entry = next(e for e in await rosters.by_people(db, ["per_ana_twin"]) if e.until is None)
        ended = replace(entry, until=entry.since)
        await writes.commit(db, edits.write_of("roster", entry, ended, ChangeAction.UPDATE),
                            expected_version=entry.version, actor=STAFF)
        state = await _state(db)
        with pytest.raises(merging.Refused) as refused:
            await merging.unmerge(db, done.change.id, actor=STAFF)
        assert refused.value.code == "CONFLICT" and entry.id in str(refused.value)
        assert await _state(db) == state


async def test_erasure_deletes_the_undo_data(engine):
    async with directory_copy(engine, "merge_erase") as db:
        await _twin(db)
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF)
        assert "undo" in await db.merged_records.find_one({"_id": merging.redirect_id("per_ana")})
        kept = (await people.by_ids(db, ["per_ana_twin"]))[0]
        from resolvers.mutations.erasure import erased_values, placeholder  # the erasure as the mutation makes it
        from datetime import date

        after = placeholder(kept, date.today())
        write = replace(edits.write_of("people", kept, after, ChangeAction.ERASE),
                        erase_history_of=kept.id, erased_values=erased_values(kept))
        await writes.commit(db, write, expected_version=kept.version, actor=STAFF)
        redirect = await db.merged_records.find_one({"_id": merging.redirect_id("per_ana")})
        assert redirect is not None and "undo" not in redirect
        # Ana's values (kept only in the undo data) are nowhere now.
        assert await __import__("datastore.erasure").erasure.found_anywhere(db, ["ana.lopes@umontreal.example"]) == []
        with pytest.raises(merging.Refused):
            await merging.unmerge(db, done.change.id, actor=STAFF)


async def test_a_merge_racing_another_write_one_wins(engine):
    async with directory_copy(engine, "merge_race") as db:
        await _twin(db)
        ana = (await people.by_ids(db, ["per_ana"]))[0]
        renamed = replace(ana, given_name="Anna")
        rename = writes.commit(db, edits.write_of("people", ana, renamed, ChangeAction.UPDATE),
                               expected_version=1, actor=STAFF)
        merge = merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1, merge_version=1,
                              actor=STAFF)
        results = await asyncio.gather(rename, merge, return_exceptions=True)
        won = [r for r in results if isinstance(r, writes.Committed)]
        lost = [r for r in results if isinstance(r, (writes.StaleVersion, writes.Rejected, merging.Refused))]
        assert len(won) == 1 and len(lost) == 1, results
        ana_now = await db.people.find_one({"_id": "per_ana"})
        if won[0].change.action is ChangeAction.MERGE:
            assert ana_now is None
        else:
            assert ana_now["given_name"] == "Anna" and await db.merged_records.find_one({"_id": merging.redirect_id("per_ana")}) is None
        assert await _invariants(db) == []
        assert await db.changes.find_one({"state": ChangeState.CLAIMED.value}) is None


async def test_organisation_merge_moves_affiliations_and_contacts(engine):
    async with directory_copy(engine, "merge_organisations") as db:
        # Two Primaries: refused, nothing written.
        with pytest.raises(merging.Refused) as refused:
            await merging.merge(db, RecordType.ORGANISATION, "org_helix", "org_lagos", keep_version=1,
                                merge_version=1, actor=STAFF)
        assert refused.value.code == "CONFLICT"
        # Saõ Paulo has no Primary: it merges into Montréal.
        affiliated = [p.id for p in await people.by_affiliations(db, ["org_saopaulo"])]
        assert affiliated
        done = await merging.merge(db, RecordType.ORGANISATION, "org_montreal", "org_saopaulo", keep_version=1,
                                   merge_version=1, actor=STAFF)
        assert await db.organisations.find_one({"_id": "org_saopaulo"}) is None
        assert {p.id for p in await people.by_affiliations(db, ["org_montreal"])} >= set(affiliated)
        assert await merging.kept_ids(db, ["org_saopaulo"]) == {"org_saopaulo": "org_montreal"}
        assert await _invariants(db) == []
        await merging.unmerge(db, done.change.id, actor=STAFF)
        assert {p.id for p in await people.by_affiliations(db, ["org_saopaulo"])} == set(affiliated)
        assert await _invariants(db) == []


async def test_stale_versions_are_refused(engine):
    async with directory_copy(engine, "merge_stale") as db:
        await _twin(db)
        with pytest.raises(merging.Refused) as refused:
            await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1, merge_version=7,
                                actor=STAFF)
        assert refused.value.code == "STALE" and refused.value.path == ("mergeVersion",)


@pytest.mark.parametrize("point", ["after_claim", "after_effect_1", "after_effect_8", "after_record"])
async def test_a_merge_cut_off_anywhere_is_completed_by_recovery(engine, point):
    from datetime import timedelta

    from datastore import faults

    async with directory_copy(engine, f"merge_cut_{point}") as db:
        await _twin(db)
        faults.configure(f"{point}=raise")
        try:
            with pytest.raises(faults.FaultInjected):
                await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                    merge_version=1, actor=STAFF)
        finally:
            faults.configure(None)
        assert await writes.recover(db, timedelta(0)) == 1
        # Completed as one: the redirect, every move, every claim applied, the invariants kept.
        assert await merging.kept_ids(db, ["per_ana"]) == {"per_ana": "per_ana_twin"}
        assert not await rosters.by_people(db, ["per_ana"]) and not await contacts.by_people(db, ["per_ana"])
        assert await db.changes.find_one({"state": ChangeState.CLAIMED.value}) is None
        assert await _invariants(db) == []


async def test_a_merge_older_than_30_days_cannot_be_undone(engine):
    from datetime import timedelta

    async with directory_copy(engine, "merge_old") as db:
        await _twin(db)
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF)
        await db.changes.update_one({"_id": done.change.id}, {"$set": {"at": done.change.at - timedelta(days=31)}})
        with pytest.raises(merging.Refused) as refused:
            await merging.unmerge(db, done.change.id, actor=STAFF)
        assert refused.value.code == "CONFLICT" and "30 days" in str(refused.value)


async def test_a_reference_added_while_the_merge_is_made_refuses_it(engine):
    async with directory_copy(engine, "merge_meanwhile") as db:
        await _twin(db)
        write, expected = await merging.plan_merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                                   merge_version=1, reason=None)
        # Meanwhile Ana joins another group: the plan does not move that tenure.
        group = await db.groups.find_one({"_id": "grp_data"})
        from datastore import groups
        from datastore.records.rosters import RosterEntry
        from datastore.records.vocabulary import RosterRole
        from datetime import date

        entry = RosterEntry("grp_data", "per_ana", RosterRole.OBSERVER, date(2026, 1, 5), version=1)
        grp = groups.from_document(group)
        await writes.commit(db, edits.write_of("groups", grp, grp, ChangeAction.CREATE,
                                               effects=(writes.Effect("roster", entry.id, rosters.to_document(entry)),)),
                            expected_version=grp.version, actor=STAFF)
        with pytest.raises(writes.RuleBroken):
            await writes.commit(db, write, expected_version=expected, actor=STAFF,
                                checked=merging.still_as_planned(db, write))
        assert await db.people.find_one({"_id": "per_ana"}) is not None
        assert await merging.kept_ids(db, ["per_ana"]) == {}
        assert await _invariants(db) == []


async def test_invitations_of_the_merged_person_move_with_a_version_each_and_come_back(engine):
    from datetime import UTC, datetime

    from datastore import invitations
    from datastore.records.invitations import Invitation
    from datastore.records.vocabulary import InvitationStatus, RosterRole

    async with directory_copy(engine, "merge_invitations") as db:
        await _twin(db)
        invited = Invitation(id="inv_merge_test", group_id="grp_data", person_id="per_ana", role=RosterRole.MEMBER,
                             status=InvitationStatus.INVITED, created_at=datetime.now(UTC), invited_by="per_jean",
                             recommended_by="org_montreal", recommender_id="per_ana")
        await db.invitations.insert_one(invitations.to_document(invited))
        before = await db.invitations.find_one({"_id": invited.id})
        done = await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                   merge_version=1, actor=STAFF)
        moved = await db.invitations.find_one({"_id": invited.id})
        assert (moved["person_id"], moved["recommender_id"], moved["invited_by"]) == (
            "per_ana_twin", "per_ana_twin", "per_jean")
        assert moved["version"] == before["version"] + 1
        assert await db.changes.find_one({"owner_id": invited.id, "part_of": done.change.id, "state": "applied"})
        await merging.unmerge(db, done.change.id, actor=STAFF)
        back = await db.invitations.find_one({"_id": invited.id})
        assert {k: v for k, v in back.items() if k not in _STAMPS} == {
            k: v for k, v in before.items() if k not in _STAMPS}
        assert await write_invariants.audit_problems(db) == []
