"""The demo dataset has the size and variety the README promises."""

import re
from collections import Counter
from datetime import date

import pytest

from datastore import demo
from datastore.records import countries
from datastore.records.vocabulary import ContactRole, Designation, GroupKind, MembershipStatus, OrganisationKind, Sector


@pytest.fixture(scope="module")
def directory():
    return demo.generate(1)


def test_the_same_seed_gives_the_same_directory(directory):
    assert demo.generate(1) == directory
    assert demo.generate(1, seed=7).organisations != directory.organisations


def test_sizes(directory):
    counts = directory.counts()
    assert counts["organisations"] >= 600 and counts["people"] >= 5000
    assert counts["groups"] >= 40 and counts["roster"] >= 12000


def test_organisations_span_countries_continents_and_every_vocabulary(directory):
    organisations = directory.organisations
    assert len({o.country_code for o in organisations}) >= 60
    assert {o.continent for o in organisations} == {countries.country(c).continent for c in ("NG", "JP", "FR", "US", "AU", "BR")}
    assert {o.kind for o in organisations} == set(OrganisationKind)
    assert {s for o in organisations for s in o.sectors} == set(Sector)
    assert {d for o in organisations for d in o.designations} == set(Designation)
    statuses = Counter(o.status for o in organisations)
    assert set(statuses) == set(MembershipStatus)
    assert statuses[MembershipStatus.ACTIVE] > len(organisations) / 2
    joined = [o.joined_on for o in organisations if o.joined_on]
    assert min(joined) >= date(2013, 1, 1) and max(joined) <= date(2026, 12, 31)
    assert {d.year for d in joined} >= set(range(2013, 2027))
    assert len({o.id for o in organisations}) == len({o.slug for o in organisations}) == len(organisations)


def test_every_active_organisation_has_its_three_role_contacts_and_communications(directory):
    roles: dict[str, Counter] = {}
    for contact in directory.contacts:
        roles.setdefault(contact.organisation_id, Counter())[contact.role] += 1
    active = [o for o in directory.organisations if o.status is MembershipStatus.ACTIVE]
    for organisation in active:
        held = roles.get(organisation.id, Counter())
        assert all(held[r] == 1 for r in (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER)), organisation
        assert held[ContactRole.COMMUNICATIONS] >= 2, organisation
    people = {p.id: p for p in directory.people}
    assert all(people[c.person_id].affiliation_id == c.organisation_id for c in directory.contacts)
    # One person holds several roles somewhere, as the alliance allows.
    per_person = Counter((c.organisation_id, c.person_id) for c in directory.contacts if c.group_id is None)
    assert max(per_person.values()) >= 2


def test_groups_of_every_kind_nested_and_some_inactive(directory):
    groups = {g.id: g for g in directory.groups}
    assert {g.kind for g in groups.values()} == set(GroupKind)
    nested = [g for g in groups.values() if g.parent_id]
    assert nested and all(groups[g.parent_id].kind is GroupKind.WORK_STREAM for g in nested if g.kind is GroupKind.TASK_TEAM)
    assert any(not g.active for g in groups.values())


def test_roster_has_past_and_current_tenures_and_chairs(directory):
    today = demo.REFERENCE_DATE
    entries = directory.roster
    assert any(not e.active_on(today) for e in entries) and any(e.active_on(today) for e in entries)
    people = {p.id for p in directory.people}
    groups = {g.id for g in directory.groups}
    assert all(e.person_id in people and e.group_id in groups for e in entries)
    assert all(e.until is None or e.until >= e.since for e in entries)
    active_groups = {g.id for g in directory.groups if g.active}
    chaired_now = {e.group_id for e in entries if e.role.name == "CHAIR" and e.active_on(today)}
    assert active_groups <= chaired_now


def test_names_are_synthetic_and_addresses_reserved(directory):
    assert all(o.website.endswith(".example") for o in directory.organisations if o.website)
    emails = [p.email for p in directory.people if p.email]
    assert all(re.fullmatch(r"[a-z0-9.'-]+@[a-z0-9-]+\.example", e) for e in emails), emails[:5]
    assert len(set(emails)) == len(emails)
