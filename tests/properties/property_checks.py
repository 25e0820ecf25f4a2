"""What the property test (tests/properties/property_machine.py) checks, written apart from
the code it checks: the privacy table is data here, canonical e-mails are
folded here, erased values are searched for here.
"""

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datastore import edits, groups, organisations, people, rosters
from datastore.client import Database
from tests.dump_helpers import answers, restored_copy

HAND_MADE = json.loads((Path(__file__).parents[1] / "data" / "directory.json").read_text())
HAND_MADE_PEOPLE = frozenset(p["id"] for p in HAND_MADE["people"])

Post = Callable[[Any, str, dict], Awaitable[dict]]

# README's privacy table, as data: (the caller's relation to the person, the
# person's choice) -> the contact details that caller sees. The person themself
# and staff see everything, whatever the choice; a Primary or Administrator of
# the person's organisation sees what any member sees.
WHO_SEES = {
    ("anonymous", "PUBLIC"): {"orcid"},
    ("anonymous", "MEMBERS"): set(),
    ("anonymous", "STAFF"): set(),
    ("member", "PUBLIC"): {"email", "orcid"},
    ("member", "MEMBERS"): {"email", "orcid"},
    ("member", "STAFF"): set(),
}
EVERYTHING = {"email", "orcid", "contactVisibility", "subscriptions"}


def letters(number: int) -> str:
    """A word of lower-case letters for a number: generated names stay words."""
    word = ""
    number += 26 * 26
    while number:
        number, digit = divmod(number, 26)
        word = chr(ord("a") + digit) + word
    return word


@dataclass
class State:
    """Every document of the collections the checks read, as the database has them."""

    documents: dict[str, list[dict]] = field(default_factory=dict)

    def ids(self, collection: str) -> list[str]:
        return [d["_id"] for d in self.documents[collection] if not d.get("erased")]

    def by_id(self, collection: str, record_id: str) -> dict | None:
        return next((d for d in self.documents[collection] if d["_id"] == record_id), None)

    def emails(self) -> list[str]:
        return sorted(p["email"] for p in self.documents["people"] if p.get("email"))

    def applied_changes(self) -> int:
        return sum(1 for c in self.documents["changes"] if c["state"] == "applied")

    def contacts_of(self, organisation_id: str) -> list[dict]:
        return [c for c in self.documents["contacts"] if c["organisation_id"] == organisation_id]

    def primary_of(self, person_id: str) -> set[str]:
        return {c["organisation_id"] for c in self.documents["contacts"]
                if c["person_id"] == person_id and c["role"] == "PRIMARY"}

    def related(self, collection: str, person_id: str | None) -> set[str]:
        """The records of `collection` a person has a say over: themself and the people
        of organisations they hold a role at, those organisations, the groups they chair
        and their rosters."""
        if person_id is None:
            return set()
        held = {c["organisation_id"] for c in self.documents["contacts"] if c["person_id"] == person_id}
        chaired = {e["group_id"] for e in self.documents["roster"]
                   if e["person_id"] == person_id and e["role"] in ("CHAIR", "CO_CHAIR") and not e.get("until")}
        found = {
            "people": {person_id} | {p["_id"] for p in self.documents["people"] if p.get("affiliation_id") in held},
            "organisations": held,
            "groups": chaired,
            "roster": {e["_id"] for e in self.documents["roster"]
                       if e["group_id"] in chaired or e["person_id"] == person_id},
        }[collection]
        return found & set(self.ids(collection))

    def manages(self, person_id: str | None, organisation_id: str | None) -> bool:
        """A Primary or Administrator of the organisation, still affiliated with it."""
        person = self.by_id("people", person_id) if person_id else None
        return bool(person and not person.get("erased") and person.get("affiliation_id") == organisation_id) and any(
            c["person_id"] == person_id and c["role"] in ("PRIMARY", "ADMINISTRATOR")
            for c in self.contacts_of(organisation_id)
        )


COLLECTIONS = ("organisations", "people", "groups", "contacts", "roster", "changes", "invitations")


async def read_state(db: Database) -> State:
    return State({name: await getattr(db, name).find({}).to_list() for name in COLLECTIONS})


# -- after every step -----------------------------------------------------------------

def no_internal_error(response: Any, query: str, variables: dict, caller: str) -> None:
    """Every answer is data, user errors, or an error naming what was wrong: never a 500
    or a masked internal error."""
    where = f"{caller} sent {query} with {json.dumps(variables, ensure_ascii=False)[:400]}"
    assert response.status_code < 500, f"{response.status_code} when {where}"
    for error in response.json().get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR" and not error["message"].startswith("Unexpected error"), (
            f"{error} when {where}"
        )


def versions_contiguous(state: State) -> None:
    """Each record's applied changes are its versions, one each, up to its own;
    nothing is left claimed."""
    claimed = [c["_id"] for c in state.documents["changes"] if c["state"] == "claimed"]
    assert not claimed, f"changes left claimed: {claimed}"
    applied: dict[str, list[int]] = defaultdict(list)
    for change in state.documents["changes"]:
        if change["state"] == "applied":
            applied[change["owner_id"]].append(change["version"])
    for collection in ("organisations", "people", "groups", "roster", "invitations"):
        for record in state.documents[collection]:
            versions = sorted(applied.get(record["_id"], []))
            if not versions:
                assert record["version"] == 1, f"{record['_id']} at version {record['version']} with no audit entry"
                continue
            # Records loaded with the directory start at version 1 without an entry.
            assert versions[0] in (1, 2) and versions == list(range(versions[0], record["version"] + 1)), (
                f"{record['_id']} is at version {record['version']}; its applied changes are {versions}"
            )


_FROM_DOCUMENT = {
    "organisations": organisations.from_document, "people": people.from_document,
    "groups": groups.from_document, "roster": rosters.from_document,
}


def invitations_hold(state: State) -> None:
    """An ACCEPTED invitation's tenure is on the roster (written in the same change), for its
    person, group and role; a tenure points to no invitation that is not ACCEPTED."""
    roster = {e["_id"]: e for e in state.documents["roster"]}
    for invitation in state.documents["invitations"]:
        entry_id = invitation.get("roster_entry_id")
        if invitation["status"] == "ACCEPTED":
            entry = roster.get(entry_id)
            assert entry is not None, f"{invitation['_id']} is ACCEPTED but its tenure {entry_id} is not on the roster"
            assert (entry["group_id"], entry["person_id"], entry["role"]) == (
                invitation["group_id"], invitation["person_id"], invitation["role"]), invitation["_id"]
        else:
            assert entry_id is None, f"{invitation['_id']} is {invitation['status']} with a tenure {entry_id}"


def records_match_their_last_changes(state: State) -> None:
    """Each field of each record holds the value the latest applied change to that
    field wrote (the audit log's after-image), unless it was erased."""
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    for change in state.documents["changes"]:
        # A change about the record itself: a merge (or its undoing) names the other record it is about.
        if change["state"] != "applied" or change["record_type"] != change["owner_type"]:
            continue
        for written in change.get("fields") or ():
            key = (change["owner_id"], written["field"])
            if not written.get("erased") and change["version"] >= latest.get(key, (0, None))[0]:
                latest[key] = (change["version"], written.get("after"))
    for collection, from_document in _FROM_DOCUMENT.items():
        for document in state.documents[collection]:
            if document.get("erased"):
                continue
            record = from_document(document)
            now = {f.field: f.after for f in edits.field_changes(collection, None, record)}
            # What only the audit log records (what a merge moved) is no field of the record.
            known = set(edits.fields_of(collection, record))
            for (owner, name), (version, after) in latest.items():
                if owner == document["_id"] and name.split(".")[0] in known:
                    assert now.get(name) == after, (
                        f"{owner}.{name} is {now.get(name)!r}; its change to version {version} wrote {after!r}"
                    )


_CONFUSABLE = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i"})


def _skeleton(part: str) -> str:
    """Cyrillic look-alikes mixed into Latin text read as the Latin letters."""
    mixed = any("a" <= c <= "z" for c in part) and any("\u0400" <= c <= "\u04ff" for c in part)
    return part.translate(_CONFUSABLE) if mixed else part


def canonical_email(address: str) -> str:
    text = unicodedata.normalize("NFKC", address).casefold()
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    local, _, domain = text.rpartition("@")
    return f"{_skeleton(local)}@{_skeleton(domain.rstrip('.'))}"


def canonical_emails_unique(state: State) -> None:
    keys = Counter(canonical_email(p["email"]) for p in state.documents["people"] if p.get("email"))
    assert all(n == 1 for n in keys.values()), f"one address held twice: {[k for k, n in keys.items() if n > 1]}"


def tree_acyclic(state: State) -> None:
    parent = {g["_id"]: g.get("parent_id") for g in state.documents["groups"]}
    for start in parent:
        seen, at = {start}, parent[start]
        while at is not None:
            assert at not in seen, f"the group tree has a cycle through {start}"
            seen.add(at)
            at = parent.get(at)


def role_contacts_hold(state: State, primary_erased: set[str]) -> None:
    """At most one Primary, Administrator and Signer; an ACTIVE organisation has its
    Primary unless it was erased; every role contact is affiliated with the organisation."""
    people = {p["_id"]: p for p in state.documents["people"]}
    for organisation in state.documents["organisations"]:
        contacts = state.contacts_of(organisation["_id"])
        held = Counter(c["role"] for c in contacts)
        for role in ("PRIMARY", "ADMINISTRATOR", "SIGNER"):
            assert held[role] <= 1, f"{organisation['_id']} has {held[role]} {role} contacts"
        if organisation["status"] == "ACTIVE" and not held["PRIMARY"]:
            assert organisation["_id"] in primary_erased, f"ACTIVE {organisation['_id']} has no Primary"
        never_active = organisation["status"] != "ACTIVE" and all(
            change["status"] != "ACTIVE" for change in organisation.get("history") or ())
        for contact in contacts:
            person = people.get(contact["person_id"])
            assert person and not person.get("erased"), f"{contact['_id']} is held by an erased or missing person"
            # The one who applied for an organisation is its Primary before anyone can be affiliated with it.
            applicant = contact["role"] == "PRIMARY" and never_active
            assert applicant or person.get("affiliation_id") == organisation["_id"], (
                f"{contact['person_id']} holds {contact['role']} of {organisation['_id']} "
                f"while affiliated with {person.get('affiliation_id')}"
            )


async def queue_lists_who_needs_a_primary(state: State, staff: Any, post: Post) -> None:
    """Staff's queue holds exactly the ACTIVE organisations without a Primary."""
    answer = _answered(await post(staff, "{ organisationsNeedingPrimary { id } }", {}), staff)
    listed = {o["id"] for o in answer["data"]["organisationsNeedingPrimary"]}
    without = {o["_id"] for o in state.documents["organisations"]
               if o["status"] == "ACTIVE" and not any(c["role"] == "PRIMARY" for c in state.contacts_of(o["_id"]))}
    assert listed == without, f"needing a Primary: listed {sorted(listed)}, in fact {sorted(without)}"


PEOPLE = "{ people(first: 100) { nodes { id email orcid contactVisibility communications(first: 200) { id } } } }"
ORGANISATIONS = "{ organisations(first: 100) { nodes { id membership { removalNoticeOn } } } }"


def _answered(answer: dict, caller: Any) -> dict:
    assert answer.get("data") is not None, f"{caller.name} got no answer: {answer.get('errors')}"
    return answer


def _relation(caller: Any, person: dict) -> str:
    if caller.role.value in ("staff", "admin"):
        return "staff"
    if caller.person_id and caller.person_id == person["_id"]:
        return "self"
    return "anonymous" if caller.role.value == "anonymous" else "member"


def _visible(caller: Any, person: dict) -> set[str]:
    relation = _relation(caller, person)
    if relation in ("self", "staff"):
        return EVERYTHING
    return WHO_SEES[(relation, person.get("contact_visibility") or "MEMBERS")]


async def sees_what_the_table_allows(state: State, caller: Any, post: Post) -> None:
    """Each value each caller reads is the stored one where the table lets them see
    it, and null (or absent) where it does not."""
    answer = _answered(await post(caller, PEOPLE, {}), caller)
    people = {p["_id"]: p for p in state.documents["people"]}
    assignments: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for contact in state.documents["contacts"]:
        if contact["role"] == "COMMUNICATIONS":
            assignments[contact["person_id"]].add((contact["organisation_id"], contact["group_id"]))
    for node in answer["data"]["people"]["nodes"]:
        person = people[node["id"]]
        visible = _visible(caller, person)
        for name, stored in (("email", person.get("email")), ("orcid", person.get("orcid")),
                             ("contactVisibility", person.get("contact_visibility"))):
            expected = stored if name in visible else None
            assert node[name] == expected, (
                f"{caller.name} read {name} of {node['id']} as {node[name]!r}; the table says {expected!r}"
            )
        shown = {g["id"] for g in node["communications"]}
        if "subscriptions" in visible:
            allowed = set(person.get("communications") or ()) | {g for _, g in assignments[node["id"]]}
        else:  # a Primary or Administrator sees the assignments their organisation made, no one else anything
            allowed = {g for o, g in assignments[node["id"]] if state.manages(caller.person_id, o)}
        assert shown <= allowed, f"{caller.name} read {node['id']}'s communications {sorted(shown - allowed)}"
    answer = _answered(await post(caller, ORGANISATIONS, {}), caller)
    for node in answer["data"]["organisations"]["nodes"]:
        organisation = state.by_id("organisations", node["id"])
        may = caller.role.value in ("staff", "admin") or state.manages(caller.person_id, node["id"])
        expected = organisation.get("removal_notice_on") if may else None
        assert node["membership"]["removalNoticeOn"] == expected, (
            f"{caller.name} read removalNoticeOn of {node['id']} as {node['membership']['removalNoticeOn']!r}"
        )


# -- after an erasure, and at the end --------------------------------------------------------------

def values_of(person: dict) -> list[str]:
    """What erasure must remove: the full name, the ORCID, the e-mail (last, when on file)."""
    found = [f"{person['given_name']} {person['family_name']}", person['given_name'], person['family_name']]
    return found + [person[name] for name in ("orcid", "email") if person.get(name)]


def _pattern(value: str) -> re.Pattern:
    # A whole token, case-folded: "Ana" is not found in "Banana Genomics".
    return re.compile(rf"(?<!\w){re.escape(value.casefold())}(?!\w)")


async def nothing_erased_remains(db: Database, erased: dict[str, list[str]]) -> None:
    patterns = [(person, value, _pattern(value)) for person, values in erased.items() for value in values]
    if not patterns:
        return
    for name in await db.client[db.name].list_collection_names():
        if name.startswith("system."):
            continue
        async for document in db.client[db.name][name].find({}):
            text = json.dumps(document, default=str, ensure_ascii=False).casefold()
            for person, value, pattern in patterns:
                assert not pattern.search(text), f"{value!r} of erased {person} is still in {name}: {text[:300]}"


_NO_OP = {
    "organisations": ("updateOrganisation", "organisation"),
    "people": ("updatePerson", "person"),
    "groups": ("updateWorkingGroup", "workingGroup"),
}


async def staff_can_edit_every_record(db: Database, post: Post, staff: Any) -> None:
    """A version-checked change that changes nothing is accepted for every record
    (roster entries have no such change: ending one is not a no-op)."""
    for collection, (mutation, payload) in _NO_OP.items():
        async for record in getattr(db, collection).find({"erased": {"$ne": True}}):
            kind = mutation.removeprefix("update")
            query = (f"mutation($input: Update{kind}Input!) {{ {mutation}(input: $input) "
                     f"{{ {payload} {{ version }} userErrors {{ field message code }} }} }}")
            answer = await post(staff, query, {"input": {"id": record["_id"], "expectedVersion": record["version"],
                                                         "patch": {}}})
            errors = _answered(answer, staff)["data"][mutation]["userErrors"]
            assert not errors, f"staff may not edit {record['_id']} at version {record['version']}: {errors}"



async def restore_answers_the_same(db: Database) -> None:
    """dump -> restore into an empty database -> the fixed queries (tests/dump_helpers.py),
    the audit log among them, answer the same for anonymous, member and staff callers."""
    before = await answers(db)
    async with restored_copy(db, f"{db.name}_restored") as copy:
        assert await answers(copy) == before, "the restored directory answers otherwise"
