"""Random callers sending random mutations, and the directory's promises checked
after every step (hypothesis's RuleBasedStateMachine).

The machine drives the real app (memberdir.app, over HTTP in process) on the
session's real engine, each run from the small hand-made directory. Callers
are anonymous, a member key, staff, and person keys of Primaries,
Administrators, chairs and ordinary people; inputs come from the shapes that
broke rules before: case and Unicode variants of e-mails, huge strings,
reused clientMutationIds, stale versions, backdated and far-future dates,
group moves that would close a cycle, reasons naming other people.

After every step (tests/properties/property_checks.py):
- no answer is an internal error;
- what each caller reads of each person and organisation is what WHO_SEES, a
  table written there as data (README's privacy table), allows;
- canonical e-mails are unique; the group tree is acyclic; an organisation
  has at most one Primary, Administrator and Signer, and an ACTIVE one exactly
  one Primary unless its Primary was erased (then it is queued as needing one);
- each record's applied changes are contiguous versions ending at the
  record's version, one each, and nothing is left claimed.
Merges (mergePeople of a person the run created, often a twin made for it;
mergeOrganisations) and their undoing run among the other steps: every check
above holds after them too.
After each erasure and at the end: no value of an erased person anywhere in
the database. At the end: staff can still edit every record (a version-checked
no-op), and dump -> restore gives the same answers.
"""

import asyncio
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from httpx import ASGITransport, AsyncClient
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from datastore.client import Database
from datastore.records.vocabulary import Role
from memberdir import api_keys
from memberdir.app import create_app
from memberdir.embedded.server import EmbeddedEngine
from memberdir.settings import Settings
from tests.properties import property_checks as checks
from tests.conftest import ACCEPTED_AGREEMENTS, fresh_database, load_directory

# The people who get a key of their own, and what they are in the hand-made directory.
PERSON_CALLERS = (
    "per_ana",    # Primary and Signer of Montréal, chair of the clinical work stream
    "per_jean",   # Administrator of Montréal, co-chair of clinical, chair of phenopackets
    "per_priya",  # Primary and Administrator of Helix (STAFF-only details), chair of data
    "per_chidi",  # Primary of Lagos, a member of clinical
    "per_tom",    # Signer of Helix (STAFF-only details)
    "per_zoe",    # no affiliation, a contributor
    "per_sam",    # staff of the secretariat on the clinical roster, but a member key
)


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    role: Role
    person_id: str | None = None
    key: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key} if self.key else {}


# Input types not named after their mutation.
INPUT_TYPES = {"recordMembershipReview": "RecordReviewInput", "recordRemovalNotice": "RemovalNoticeInput",
               "mergePeople": "MergeInput", "mergeOrganisations": "MergeInput"}

# Hostile strings of the kinds that once got through.
class Named(str):
    """A hostile string that a failing run prints by its name, not 5,000 characters."""

    def __new__(cls, name: str, text: str) -> "Named":
        made = super().__new__(cls, text)
        made.name = name
        return made

    def __repr__(self) -> str:
        return f"<{self.name}>"


HUGE = Named("5,000 characters", "x" * 5_000)
HOSTILE_TEXT = st.sampled_from([
    Named("empty", ""), Named("blank", " "), Named("1,001 characters", "a" * 1_001), HUGE,
    Named("markup", "<script>"), Named("unicode", "Ωmega ✓"), Named("zero-width", "\u200bhidden"),
    Named("line break", "line\nbreak"),
])
CLIENT_IDS = st.one_of(st.none(), st.sampled_from(["retry-1", "retry-2", Named("101 characters", "x" * 101)]))


def email_variants(address: str) -> list[str]:
    """Ways of writing the same address that a canonical key must see as one."""
    local, _, domain = address.partition("@")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in local)
    cyrillic = local.replace("a", "\u0430", 1) if "a" in local else "\u0430" + local
    return [
        address,
        address.upper(),
        f"{fullwidth}@{domain}",
        f"{local}@{domain}.",
        f"{local[:1]}\u200b{local[1:]}@{domain}",
        f"{cyrillic}@{domain}",
    ]


class DirectoryMachine(RuleBasedStateMachine):
    """One run: a fresh copy of the hand-made directory, keys for every caller."""

    engine: ClassVar[EmbeddedEngine]
    loop: ClassVar[asyncio.AbstractEventLoop]
    runs: ClassVar[itertools.count] = itertools.count()
    # Mutations sent, all runs together: what bench/properties.py reports.
    mutations_sent: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.db: Database = self._wait(fresh_database(self.engine, f"property_{next(self.runs)}"))
        self._wait(load_directory(self.db))
        # Every caller reads the whole directory after every step: no rate budget lasts that.
        self.app = create_app(Settings(rate_limit_points_per_minute=10**12), database=self.db)
        self.client = AsyncClient(transport=ASGITransport(app=self.app, raise_app_exceptions=False),
                                  base_url="http://test")
        self.callers = [Caller("anonymous", Role.ANONYMOUS), self._keyed("member", Role.MEMBER),
                        self._keyed("staff", Role.STAFF)]
        self.callers += [self._keyed(person, Role.MEMBER, person) for person in PERSON_CALLERS]
        self.staff = self.callers[2]
        self.names = itertools.count()
        self.erased: dict[str, list[str]] = {}  # person id -> their values, for the scans
        self.primary_erased: set[str] = set()
        # (caller, clientMutationId) -> the call that used it first, and its user errors' codes.
        self.client_ids: dict[tuple[str, str], tuple[tuple[str, dict], frozenset | None]] = {}
        self.state = self._wait(checks.read_state(self.db))

    # -- plumbing ---------------------------------------------------------------

    def _wait(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def _keyed(self, name: str, role: Role, person_id: str | None = None) -> Caller:
        issued = self._wait(api_keys.issue(self.db, f"property {name}", role, person_id=person_id))
        return Caller(name, role, person_id, issued.secret_key)

    async def _post(self, caller: Caller, query: str, variables: dict) -> dict:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=caller.headers)
        checks.no_internal_error(response, query, variables, caller.name)
        return response.json()

    def send(self, caller: Caller, mutation: str, payload: str, given: dict) -> dict | None:
        """Send one mutation; the payload's data, or None if it was refused as a whole."""
        kind = INPUT_TYPES.get(mutation, f"{mutation[0].upper()}{mutation[1:]}Input")
        query = f"mutation($input: {kind}!) {{ {mutation}(input: $input) {payload} }}"
        applied_before = self.state.applied_changes()
        answer = self._wait(self._post(caller, query, {"input": given}))
        DirectoryMachine.mutations_sent += 1
        self.state = self._wait(checks.read_state(self.db))
        found = (answer.get("data") or {}).get(mutation)
        self._check_retry(caller, (mutation, given), found, changed=self.state.applied_changes() > applied_before)
        return found

    def _check_retry(self, caller: Caller, call: tuple[str, dict], answer: dict | None, changed: bool) -> None:
        """A clientMutationId replays only the same call, as it was answered: a refusal
        stays a refusal. Once a call with it changed something, any other call with it
        is refused: CONFLICT (README, "Retries"), or INVALID where its input was refused
        before it ran. Such a call claims nothing, so another call may still take the id."""
        client_id = call[1].get("clientMutationId")
        if client_id is None:
            return
        codes = frozenset(e["code"] for e in answer["userErrors"]) if answer else None
        if len(client_id) > 100:
            assert answer is None or codes, f"a clientMutationId of {len(client_id)} characters was accepted"
            return
        first = self.client_ids.get((caller.name, client_id))
        if first is None:
            if answer is not None and (codes or changed):  # "nothing to change" leaves the id free
                self.client_ids[(caller.name, client_id)] = (call, codes)
            return
        earlier_call, earlier_codes = first
        if earlier_call == call:
            assert codes == earlier_codes, f"a retry of {call[0]} answered {codes}, its first try {earlier_codes}"
        elif not earlier_codes:
            # CONFLICT, unless its input was refused before anything ran (INVALID).
            assert codes and codes & {"CONFLICT", "INVALID"} and not changed, (
                f"{client_id!r} of {caller.name} reused for {call[0]}: {answer}")
        elif answer is not None and (codes or changed) and not (codes and "CONFLICT" in codes):
            self.client_ids[(caller.name, client_id)] = (call, codes)  # the refused call had not claimed it

    def version(self, collection: str, record_id: str, drift: int) -> int:
        found = self.state.by_id(collection, record_id)
        return (found["version"] if found else 1) + drift

    def teardown(self) -> None:
        try:
            self._wait(self._final_checks())
        finally:
            self._wait(self.client.aclose())
            self._wait(self.db.drop())
            self._wait(self.db.close())

    async def _final_checks(self) -> None:
        await checks.nothing_erased_remains(self.db, self.erased)
        await checks.staff_can_edit_every_record(self.db, self._post, self.staff)
        await checks.restore_answers_the_same(self.db)

    # -- rules: people ------------------------------------------------------------

    # Indexes into self.callers; staff (2) a quarter of the time, so changes go through.
    callers_ = st.sampled_from([2, 2, 2, 0, 1, *range(3, 3 + len(PERSON_CALLERS))])
    drifts = st.sampled_from([0, 0, 0, -1, 3])

    def caller(self, index: int) -> Caller:
        return self.callers[index]

    def pick(self, data: st.DataObject, collection: str, who: int) -> str:
        """A record id, three times likelier one the caller has a say over (their
        own, their organisation's, their group's), so that not every call is FORBIDDEN."""
        related = sorted(self.state.related(collection, self.caller(who).person_id))
        return data.draw(st.sampled_from(related * 3 + self.state.ids(collection)))

    @rule(data=st.data(), who=callers_, drift=drifts, cid=CLIENT_IDS, reason=st.one_of(st.none(), HOSTILE_TEXT))
    def update_person(self, data, who, drift, cid, reason):
        person = self.pick(data, "people", who)
        other = data.draw(st.sampled_from(self.state.emails() or ["someone@example.org"]))
        patch = data.draw(st.sampled_from([
            {"email": variant} for variant in email_variants(other)
        ] + [
            {"contactVisibility": v} for v in ("PUBLIC", "MEMBERS", "STAFF")
        ] + [
            {"affiliation": None}, {"givenName": HUGE}, {"familyName": "Ünïcødé"}, {"orcid": "0000-0002-1825-0097"},
            {"affiliation": data.draw(st.sampled_from(self.state.ids("organisations")))},
        ]))
        self.send(self.caller(who), "updatePerson", "{ person { id } userErrors { code } }", {
            "id": person, "expectedVersion": self.version("people", person, drift), "patch": patch,
            "reason": reason, "clientMutationId": cid,
        })

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS)
    def create_person(self, data, who, cid):
        email = data.draw(st.sampled_from(
            [v for address in self.state.emails()[:4] for v in email_variants(address)] + [None, "fresh"]
        ))
        serial = next(self.names)
        given = {
            # Unique, generated names: an erasure's scan looks for them as whole words.
            "givenName": f"Zyq{checks.letters(serial)}", "familyName": f"Vorhal{checks.letters(serial + 7)}",
            "email": email if email != "fresh" else f"zyq{serial}@example.org", "clientMutationId": cid,
            "affiliation": data.draw(st.sampled_from([None, *self.state.ids("organisations")])),
            "contactVisibility": data.draw(st.sampled_from(["PUBLIC", "MEMBERS", "STAFF"])),
        }
        self.send(self.caller(who), "createPerson", "{ person { id } userErrors { code } }", given)

    @rule(data=st.data(), who=callers_, drift=drifts)
    def set_communications(self, data, who, drift):
        person = self.pick(data, "people", who)
        groups = data.draw(st.lists(st.sampled_from(self.state.ids("groups")), max_size=3, unique=True))
        self.send(self.caller(who), "setCommunications", "{ person { id } userErrors { code } }", {
            "personId": person, "expectedVersion": self.version("people", person, drift), "workingGroupIds": groups,
        })

    @rule(data=st.data(), who=callers_, reason=st.one_of(st.none(), HOSTILE_TEXT), cid=CLIENT_IDS,
          action=st.sampled_from(["applyForIndividualMembership", "cancelIndividualMembership"]))
    def individual_membership(self, data, who, reason, cid, action):
        person = self.pick(data, "people", who)
        # An application accepts the texts in force, or (refused) an older Constitution.
        accepted = {"acceptedAgreements": data.draw(st.sampled_from(
            [ACCEPTED_AGREEMENTS, {**ACCEPTED_AGREEMENTS, "constitution": "2019-01"}]))} if action.startswith("apply") else {}
        self.send(self.caller(who), action, "{ person { id } userErrors { code } }", {
            "personId": person, "expectedVersion": self.version("people", person, 0), "reason": reason,
            "clientMutationId": cid, **accepted,
        })

    @rule(data=st.data(), who=callers_, decision=st.sampled_from(["APPROVE", "DECLINE", "REMOVE"]))
    def decide_individual_membership(self, data, who, decision):
        person = self.pick(data, "people", who)
        self.send(self.caller(who), "decideIndividualMembership", "{ person { id } userErrors { code } }", {
            "personId": person, "expectedVersion": self.version("people", person, 0), "decision": decision,
        })

    @rule(data=st.data(), who=callers_)
    def erase_person(self, data, who):
        # Only people this run created: their generated names are unique words.
        created = [p for p in self.state.ids("people") if p not in checks.HAND_MADE_PEOPLE]
        if not created:
            return
        person = data.draw(st.sampled_from(created))
        values = checks.values_of(self.state.by_id("people", person))
        primary_of = self.state.primary_of(person)
        reason = data.draw(st.sampled_from(["on request", f"asked by {values[-1]}"]))
        answer = self.send(self.caller(who), "erasePerson", "{ person { id } userErrors { code } }", {
            "personId": person, "expectedVersion": self.version("people", person, 0), "reason": reason,
        })
        if answer and not answer["userErrors"]:
            self.erased[person] = values
            self.primary_erased |= primary_of
            self._wait(checks.nothing_erased_remains(self.db, self.erased))

    # -- rules: merging -------------------------------------------------------------

    # Merges are staff's: mostly staff, so that merges (and their undoing) go through.
    merge_callers = st.sampled_from([2, 2, 2, 0, 1, 3])

    @rule(data=st.data(), who=merge_callers, drift=drifts, cid=CLIENT_IDS)
    def merge_people(self, data, who, drift, cid):
        # Only a person this run created is merged away: the callers' own records stay theirs.
        created = [p for p in self.state.ids("people") if p not in checks.HAND_MADE_PEOPLE]
        keep = data.draw(st.sampled_from(self.state.ids("people")))
        if not created or data.draw(st.booleans()):
            # A second record of `keep`'s person, made now by staff (a generated name: erasure scans for it).
            serial = next(self.names)
            made = self.send(self.staff, "createPerson", "{ person { id } userErrors { code } }", {
                "givenName": f"Zyq{checks.letters(serial)}", "familyName": f"Vorhal{checks.letters(serial + 7)}",
                "email": f"zyq{serial}@example.org",
                "affiliation": (self.state.by_id("people", keep) or {}).get("affiliation_id"),
            })
            created = [made["person"]["id"]] if made and made["person"] else created
        if not created or created == [keep]:
            return
        merge = data.draw(st.sampled_from([p for p in created if p != keep]))
        self.send(self.caller(who), "mergePeople", "{ person { id } userErrors { code } }", {
            "keep": keep, "merge": merge, "keepVersion": self.version("people", keep, drift),
            "mergeVersion": self.version("people", merge, 0), "reason": "created twice", "clientMutationId": cid,
        })

    @rule(data=st.data(), who=merge_callers)
    def merge_organisations(self, data, who):
        keep, merge = data.draw(st.lists(st.sampled_from(self.state.ids("organisations")), min_size=2, max_size=2,
                                         unique=True))
        self.send(self.caller(who), "mergeOrganisations", "{ organisation { id } userErrors { code } }", {
            "keep": keep, "merge": merge, "keepVersion": self.version("organisations", keep, 0),
            "mergeVersion": self.version("organisations", merge, 0),
        })

    @rule(data=st.data(), who=merge_callers)
    def unmerge(self, data, who):
        merges = [c["_id"] for c in self.state.documents["changes"]
                  if c["action"] == "MERGE" and c["state"] == "applied" and c["record_id"] != c["owner_id"]]
        if not merges:
            return
        self.send(self.caller(who), "unmerge", "{ records { id } userErrors { code } }", {
            "change": data.draw(st.sampled_from(merges)), "reason": "two records after all",
        })

    # -- rules: organisations --------------------------------------------------------

    @rule(data=st.data(), who=callers_, drift=drifts, cid=CLIENT_IDS,
          role=st.sampled_from(["PRIMARY", "ADMINISTRATOR", "SIGNER", "COMMUNICATIONS"]))
    def assign_role_contact(self, data, who, drift, cid, role):
        organisation = self.pick(data, "organisations", who)
        person = self.pick(data, "people", who)
        group = data.draw(st.sampled_from(self.state.ids("groups"))) if role == "COMMUNICATIONS" else None
        answer = self.send(self.caller(who), "assignRoleContact", "{ organisation { id } userErrors { code } }", {
            "organisationId": organisation, "expectedVersion": self.version("organisations", organisation, drift),
            "role": role, "personId": person, "workingGroupId": group, "clientMutationId": cid,
        })
        if role == "PRIMARY" and answer and not answer["userErrors"]:
            self.primary_erased.discard(organisation)

    @rule(data=st.data(), who=callers_)
    def remove_role_contact(self, data, who):
        if not self.state.documents["contacts"]:
            return
        contact = data.draw(st.sampled_from(self.state.documents["contacts"]))
        organisation = contact["organisation_id"]
        self.send(self.caller(who), "removeRoleContact", "{ organisation { id } userErrors { code } }", {
            "organisationId": organisation, "expectedVersion": self.version("organisations", organisation, 0),
            "contactId": contact["_id"],
        })

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS, name=st.one_of(HOSTILE_TEXT, st.just("Helix Genomics Ltd.")))
    def update_organisation(self, data, who, cid, name):
        organisation = self.pick(data, "organisations", who)
        patch = data.draw(st.sampled_from([{"name": name}, {"city": name}, {"website": "https://example.org/" + name}]))
        self.send(self.caller(who), "updateOrganisation", "{ organisation { id } userErrors { code } }", {
            "id": organisation, "expectedVersion": self.version("organisations", organisation, 0), "patch": patch,
            "clientMutationId": cid,
        })

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS, reason=st.one_of(st.just("notice given"), HOSTILE_TEXT),
          action=st.sampled_from([
              ("decideMembership", {"decision": "APPROVE"}), ("decideMembership", {"decision": "DECLINE"}),
              ("recordMembershipReview", {"outcome": "RENEWED"}), ("recordMembershipReview", {"outcome": "LAPSED"}),
              ("recordRemovalNotice", {}), ("cancelMembership", {}), ("removeMembership", {}),
          ]))
    def membership(self, data, who, cid, reason, action):
        organisation = self.pick(data, "organisations", who)
        mutation, extra = action
        self.send(self.caller(who), mutation, "{ organisation { id } userErrors { code } }", {
            "organisationId": organisation, "expectedVersion": self.version("organisations", organisation, 0),
            "reason": reason, "clientMutationId": cid, **extra,
        })

    # -- rules: groups and rosters ---------------------------------------------------------

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS,
          role=st.sampled_from(["CHAIR", "MEMBER", "CONTRIBUTOR", "OBSERVER"]),
          since=st.sampled_from([None, "1900-01-01", "2001-01-01", "2999-12-31", "recent", "backdated"]))
    def add_roster_entry(self, data, who, cid, role, since):
        group = self.pick(data, "groups", who)
        person = self.pick(data, "people", who)
        today = date.today()
        since = {"recent": (today - timedelta(days=10)).isoformat(),
                 "backdated": (today - timedelta(days=400)).isoformat()}.get(since, since)
        self.send(self.caller(who), "addRosterEntry", "{ entry { id } userErrors { code } }", {
            "groupId": group, "expectedVersion": self.version("groups", group, 0), "personId": person,
            "role": role, "since": since, "clientMutationId": cid,
        })

    # -- rules: invitations (a chair's way onto a roster) ------------------------------------

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS, message=st.one_of(st.none(), HOSTILE_TEXT),
          role=st.sampled_from(["MEMBER", "OBSERVER", "CO_CHAIR"]))
    def recommend_for_group(self, data, who, cid, message, role):
        person = self.pick(data, "people", who)
        found = self.state.by_id("people", person) or {}
        organisation = data.draw(st.sampled_from([found.get("affiliation_id") or "org_helix",
                                                  *self.state.ids("organisations")]))
        self.send(self.caller(who), "recommendForGroup", "{ invitation { id } userErrors { code } }", {
            "group": self.pick(data, "groups", who), "person": person, "organisation": organisation, "role": role,
            "message": message, "clientMutationId": cid,
        })

    @rule(data=st.data(), who=callers_, cid=CLIENT_IDS, message=st.one_of(st.none(), HOSTILE_TEXT),
          role=st.sampled_from(["MEMBER", "CONTRIBUTOR", "CHAIR"]), follow=st.booleans())
    def invite_to_group(self, data, who, cid, message, role, follow):
        recommended = [i for i in self.state.documents["invitations"] if i["status"] == "RECOMMENDED"]
        if follow and recommended:
            chosen = data.draw(st.sampled_from(recommended))
            group, person, recommendation = chosen["group_id"], chosen["person_id"], chosen["_id"]
        else:
            group, person, recommendation = self.pick(data, "groups", who), self.pick(data, "people", who), None
        self.send(self.caller(who), "inviteToGroup", "{ invitation { id } userErrors { code } }", {
            "group": group, "person": person, "role": role, "message": message,
            "recommendation": recommendation, "clientMutationId": cid,
        })

    @rule(data=st.data(), who=callers_, accept=st.booleans(), drift=drifts, cid=CLIENT_IDS)
    def answer_invitation(self, data, who, accept, drift, cid):
        if not self.state.documents["invitations"]:
            return
        invitation = data.draw(st.sampled_from(self.state.documents["invitations"]))
        # The person invited, most of the time: otherwise nearly every answer is FORBIDDEN.
        mine = [i for i, c in enumerate(self.callers) if c.person_id == invitation["person_id"]]
        caller = self.caller(data.draw(st.sampled_from(mine * 3 + [who])))
        self.send(caller, "answerInvitation", "{ invitation { id } userErrors { code } }", {
            "invitation": invitation["_id"], "accept": accept,
            "expectedVersion": invitation["version"] + drift, "clientMutationId": cid,
        })

    @rule(data=st.data(), who=callers_, drift=drifts)
    def withdraw_invitation(self, data, who, drift):
        if not self.state.documents["invitations"]:
            return
        invitation = data.draw(st.sampled_from(self.state.documents["invitations"]))
        self.send(self.caller(who), "withdrawInvitation", "{ invitation { id } userErrors { code } }", {
            "invitation": invitation["_id"], "expectedVersion": invitation["version"] + drift,
        })

    @rule(data=st.data(), who=callers_, until=st.sampled_from([None, "1999-01-01", "today"]))
    def end_roster_entry(self, data, who, until):
        entries = self.state.ids("roster")
        if not entries:
            return
        entry = self.pick(data, "roster", who)
        until = date.today().isoformat() if until == "today" else until
        self.send(self.caller(who), "endRosterEntry", "{ entry { id } userErrors { code } }", {
            "entryId": entry, "expectedVersion": self.version("roster", entry, 0), "until": until,
        })

    @rule(data=st.data(), who=callers_, drift=drifts)
    def move_group(self, data, who, drift):
        group = self.pick(data, "groups", who)
        parent = data.draw(st.sampled_from([None, *self.state.ids("groups")]))
        self.send(self.caller(who), "updateWorkingGroup", "{ workingGroup { id } userErrors { code } }", {
            "id": group, "expectedVersion": self.version("groups", group, drift), "patch": {"parentId": parent},
        })

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def promises_hold(self):
        checks.versions_contiguous(self.state)
        checks.records_match_their_last_changes(self.state)
        checks.canonical_emails_unique(self.state)
        checks.tree_acyclic(self.state)
        checks.invitations_hold(self.state)
        checks.role_contacts_hold(self.state, self.primary_erased)
        self._wait(checks.queue_lists_who_needs_a_primary(self.state, self.staff, self._post))
        for caller in self.callers:
            self._wait(checks.sees_what_the_table_allows(self.state, caller, self._post))
