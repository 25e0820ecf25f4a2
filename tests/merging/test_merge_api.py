"""Duplicate candidates and merges through GraphQL: staff only, reasons per rule, kept current after
each write, node(id: merged) answering the kept record, and unmerge."""

import pytest

from datastore import duplicates, organisations, people
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.vocabulary import MembershipStatus, OrganisationKind, RecordType, Role
from resolvers.viewer import Viewer
from tests.conftest import Run, directory_copy

pytestmark = pytest.mark.database  # run on every engine (make test)

STAFF = Viewer(role=Role.STAFF, credential="api-key:key_staff")
ANA = Viewer(role=Role.MEMBER, person_id="per_ana", credential="oidc:ana")
ERRORS = "userErrors { field message code }"
CANDIDATES = """query($type: RecordType!) { duplicateCandidates(recordType: $type) {
    nodes { score reasons records { id } } } }"""
CREATE = f"""mutation($input: CreatePersonInput!) {{ createPerson(input: $input) {{ person {{ id version }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdatePersonInput!) {{ updatePerson(input: $input) {{ person {{ id version }} {ERRORS} }} }}"""
MERGE_PEOPLE = f"""mutation($input: MergeInput!) {{ mergePeople(input: $input) {{
    person {{ id version contactVisibility }} {ERRORS} }} }}"""
UNMERGE = f"""mutation($input: UnmergeInput!) {{ unmerge(input: $input) {{ records {{ id }} {ERRORS} }} }}"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Person { name } } }"


def _pairs(data: dict) -> dict[frozenset, list[str]]:
    return {frozenset(r["id"] for r in n["records"]): n["reasons"] for n in data["duplicateCandidates"]["nodes"]}


async def test_people_candidates_for_each_rule_kept_current_and_for_staff_only(engine, schema):
    async with directory_copy(engine, "duplicates_people") as db:
        # The seeded directory's keys, as after an import (datastore.duplicates.rebuild).
        await duplicates.rebuild(db, RecordType.PERSON)
        staff = Run(schema, db, STAFF)
        created = {}
        for key, fields in {
            # "Łukasz Park" twice: once transliterated, same affiliation.
            "lukasz": {"givenName": "Łukasz", "familyName": "Park", "affiliation": "org_montreal", "country": "CA"},
            "lukasz2": {"givenName": "Lukasz", "familyName": "Park", "affiliation": "org_montreal", "country": "CA"},
            # Initials against the full given name, same country.
            "initial": {"givenName": "Ł.", "familyName": "Park", "country": "CA"},
            # Same ORCID as Ana Lopes, another name and country.
            "orcid": {"givenName": "A.", "familyName": "Lopes-Smith", "orcid": "0000-0002-1825-0097",
                      "country": "PT"},
            # The same name in another country, no affiliation: not a candidate.
            "far": {"givenName": "Łukasz", "familyName": "Park", "country": "NZ"},
        }.items():
            data = await staff(CREATE, input=fields)
            assert data["createPerson"]["userErrors"] == []
            created[key] = data["createPerson"]["person"]
        pairs = _pairs(await staff(CANDIDATES, type="PERSON"))
        lukasz, lukasz2, initial, orcid, far = (created[k]["id"] for k in ("lukasz", "lukasz2", "initial", "orcid",
                                                                            "far"))
        assert pairs[frozenset({lukasz, lukasz2})] == ["the same name once transliterated, same affiliation"]
        assert pairs[frozenset({lukasz, initial})] == ["initials that match the full given name, same country"]
        assert pairs[frozenset({orcid, "per_ana"})] == ["same ORCID"]
        assert not any(far in pair for pair in pairs)
        # Incremental: renaming one of them (a write of that record alone) drops its pairs.
        renamed = await staff(UPDATE, input={"id": lukasz2, "expectedVersion": 1,
                                             "patch": {"givenName": "Marta", "familyName": "Nowak"}})
        assert renamed["updatePerson"]["userErrors"] == []
        pairs = _pairs(await staff(CANDIDATES, type="PERSON"))
        assert frozenset({lukasz, lukasz2}) not in pairs and frozenset({lukasz, initial}) in pairs
        # Staff only: a member and an anonymous caller are refused.
        for viewer in (ANA, None):
            run = Run(schema, db, viewer) if viewer else Run(schema, db)
            errors = await run.errors(CANDIDATES, type="PERSON")
            assert "staff" in errors[0].message


async def test_organisation_candidates(engine, schema):
    async with directory_copy(engine, "duplicates_organisations") as db:
        twins = [
            Organisation(id="org_allele", slug="allele-genomics", name="Allele Genomics Inc.", country_code="CA",
                         kind=OrganisationKind.CORPORATION, status=MembershipStatus.ACTIVE,
                         website="https://www.allele.example/about"),
            Organisation(id="org_allele2", slug="allele-genomics-2", name="Allele Genomics", country_code="CA",
                         kind=OrganisationKind.CORPORATION, status=MembershipStatus.APPLICANT,
                         website="http://allele.example"),
            Organisation(id="org_udem", slug="udem", name="University of Montreal", country_code="FR",
                         kind=OrganisationKind.ACADEMIC, status=MembershipStatus.APPLICANT,
                         ror_id="https://ror.org/0161xgx34"),
        ]
        await organisations.upsert(db, twins)
        await duplicates.rebuild(db, RecordType.ORGANISATION)
        pairs = _pairs(await Run(schema, db, STAFF)(CANDIDATES, type="ORGANISATION"))
        assert pairs[frozenset({"org_allele", "org_allele2"})] == ["same website domain",
                                                                   "similar names in the same country"]
        assert pairs[frozenset({"org_udem", "org_montreal"})] == ["same ROR id"]


async def test_merge_people_through_graphql_redirects_and_unmerges(engine, schema):
    async with directory_copy(engine, "merge_api") as db:
        await people.upsert(db, [Person(id="per_ana_twin", given_name="Ana", family_name="Lopes", country_code="CA",
                                        affiliation_id="org_montreal")])
        await duplicates.refresh(db, RecordType.PERSON, "per_ana_twin")
        staff = Run(schema, db, STAFF)
        given = {"keep": "per_ana_twin", "merge": "per_ana", "keepVersion": 1, "mergeVersion": 1}
        refused = await Run(schema, db, ANA)(MERGE_PEOPLE, input=given)
        assert refused["mergePeople"]["userErrors"][0]["code"] == "FORBIDDEN"
        stale = await staff(MERGE_PEOPLE, input={**given, "mergeVersion": 3})
        assert stale["mergePeople"]["userErrors"][0] == {
            "field": ["input", "mergeVersion"], "code": "STALE_VERSION",
            "message": "The record is at version 1, not 3: read it again."}
        merged = (await staff(MERGE_PEOPLE, input=given))["mergePeople"]
        assert merged["userErrors"] == [] and merged["person"]["version"] == 2
        # Ana chose PUBLIC, the twin MEMBERS (the default): the stricter stays.
        assert merged["person"]["contactVisibility"] == "MEMBERS"
        assert (await staff(NODE, id="per_ana"))["node"]["id"] == "per_ana_twin"
        assert _pairs(await staff(CANDIDATES, type="PERSON")) == {}
        log = await staff("{ auditLog(first: 50) { nodes { recordId action } } }")
        assert {"recordId": "per_ana", "action": "MERGE"} in log["auditLog"]["nodes"]
        undone = (await staff(UNMERGE, input={"change": "per_ana_twin@2"}))["unmerge"]
        assert undone["userErrors"] == []
        assert [r["id"] for r in undone["records"]] == ["per_ana_twin", "per_ana"]
        assert (await staff(NODE, id="per_ana"))["node"] == {"id": "per_ana", "name": "Ana Lopes"}
        again = (await staff(UNMERGE, input={"change": "per_ana_twin@2"}))["unmerge"]
        assert again["userErrors"][0]["code"] == "CONFLICT"


async def test_no_write_adds_a_reference_to_a_person_being_merged(engine, schema):
    from datetime import timedelta

    from datastore import faults, merging, rosters, writes
    from datastore.records.changes import Actor

    async with directory_copy(engine, "merge_guard") as db:
        await people.upsert(db, [Person(id="per_ana_twin", given_name="Ana", family_name="Lopes", country_code="CA",
                                        affiliation_id="org_montreal")])
        # The merge is claimed, and cut off before anything was written.
        faults.configure("after_claim=raise")
        try:
            with pytest.raises(faults.FaultInjected):
                await merging.merge(db, RecordType.PERSON, "per_ana_twin", "per_ana", keep_version=1,
                                    merge_version=1, actor=Actor("staff", key_id="key_staff"))
        finally:
            faults.configure(None)
        group = await db.groups.find_one({"_id": "grp_data"})
        add = f"""mutation($input: AddRosterEntryInput!) {{ addRosterEntry(input: $input) {{
            entry {{ id }} {ERRORS} }} }}"""
        answer = await Run(schema, db, STAFF)(add, input={"groupId": "grp_data", "expectedVersion": group["version"],
                                                          "personId": "per_ana", "role": "OBSERVER"})
        assert answer["addRosterEntry"]["userErrors"][0]["code"] == "CONFLICT"
        assert "merged" in answer["addRosterEntry"]["userErrors"][0]["message"]
        await writes.recover(db, timedelta(0))
        assert not await rosters.by_people(db, ["per_ana"])
        # Once merged, the redirect refuses it too (the resolver finds no such person first).
        answer = await Run(schema, db, STAFF)(add, input={"groupId": "grp_data", "expectedVersion": group["version"],
                                                          "personId": "per_ana", "role": "OBSERVER"})
        assert answer["addRosterEntry"]["userErrors"][0]["code"] == "NOT_FOUND"
