"""Checking import records against the rules and the database, all in one pass.

A record in a file names the fields it changes: merged onto the stored record
of the same id (or, replacing whole records, standing alone), it must make a
valid record by the one set of rules (datastore.edits, datastore.import_records).
Then the files as a whole: no id given twice, every reference to a record in
the files or the database, no slug taken by another record, no e-mail address
(on its canonical key) or organisation name in a country (folded) given to
two records or taken by another record in the database, at most one
PRIMARY, ADMINISTRATOR and SIGNER per organisation. Every problem found is
reported together, each where it is in its file; any problem and nothing is
written.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from datastore import canonical, contacts, edits, group_tree, groups, organisations, people, rosters
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.documents import existing_ids, find_in
from datastore.import_reading import ImportRejected, Problem, RawRecord
from datastore.records.contacts import RoleContact
from datastore.records.vocabulary import ContactRole, MembershipStatus

# Records with an id of their own; contacts and roster entries are known by what they are.
OWN_IDS = ("organisations", "people", "groups")
FROM_DOCUMENT = {
    "organisations": organisations.from_document,
    "people": people.from_document,
    "groups": groups.from_document,
    "roster": rosters.from_document,
}
_KIND = {"contacts": "contact", "roster": "roster entry"}
# An organisation has one of each.
SINGLE_HOLDER = frozenset({ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER})


@dataclass(frozen=True, slots=True)
class Entry:
    """A record of a file, checked: what the file gives, and the record that makes."""

    raw: RawRecord
    record: Any

    @property
    def section(self) -> str:
        return self.raw.section


@dataclass
class Checked:
    """Everything the files would write, and the stored records it is about."""

    whole: bool
    entries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    # Stored records by (section, id): those the files name, and the organisations of their contacts.
    current: dict[tuple[str, str], Any] = field(default_factory=dict)
    # Stored role contacts of each organisation a contact in the files is for.
    holders: dict[str, list[RoleContact]] = field(default_factory=dict)

    def records(self) -> Dataset:
        found = Dataset()
        for section, entries in self.entries.items():
            getattr(found, section).extend(e.record for e in entries)
        return found


async def stored(db: Database, section: str, ids: Iterable[str]) -> dict[tuple[str, str], Any]:
    """The stored records of a section by (section, id)."""
    documents = await find_in(getattr(db, section), "_id", ids)
    return {(section, d["_id"]): FROM_DOCUMENT[section](d) for d in documents}


def _problems(raw: RawRecord, invalid: edits.Invalid) -> list[Problem]:
    return [Problem(raw.where, ".".join(p.field) or "record", p.message) for p in invalid.problems]


# A raw record with the id it is known by (None: it gives none), and the record
# itself where it is whole in a file (contacts and roster entries).
_Keyed = tuple[RawRecord, str | None, Any]


async def check(db: Database, raws: list[RawRecord], problems: list[Problem], *, whole: bool) -> Checked:
    """The files' records merged and checked; raises ImportRejected with
    `problems` (of shape, from reading) and every problem found here."""
    problems = list(problems)
    keyed = _keyed(raws, problems)
    checked = Checked(whole=whole, current=await _stored_for(db, keyed))
    _merge(checked, keyed, problems)
    # Ids in the files, even of records with problems: a reference to them is not another problem.
    in_files: dict[str, set[str]] = defaultdict(set)
    for raw, key, _ in keyed:
        if key:
            in_files[raw.section].add(key)
    problems += await _references(db, checked, in_files)
    problems += await _slugs(db, checked)
    problems += await _unique_keys(db, checked, "people", "email", "email_key", _email_key, "that e-mail address")
    problems += await _unique_keys(db, checked, "organisations", "name", "name_key", _name_key,
                                   "an organisation of that name in that country")
    problems += _single_holders(checked)
    problems += await _tree(db, checked)
    if not problems:
        problems += await _affiliated_contacts(db, checked)
    if problems:
        raise ImportRejected(problems)
    checked.holders = await _holders(db, {e.record.organisation_id for e in checked.entries["contacts"]})
    return checked


def _keyed(raws: list[RawRecord], problems: list[Problem]) -> list[_Keyed]:
    """Each record with its id; contacts and roster entries are whole in a file,
    and their id comes from what they are."""
    keyed: list[_Keyed] = []
    for raw in raws:
        if raw.section in OWN_IDS:
            given_id = raw.data.get("id")
            keyed.append((raw, given_id if isinstance(given_id, str) else None, None))
            continue
        try:
            record = edits.merged(raw.section, None, raw.data)
        except edits.Invalid as invalid:
            problems += _problems(raw, invalid)
            continue
        keyed.append((raw, record.id, record))
    return keyed


async def _stored_for(db: Database, keyed: list[_Keyed]) -> dict[tuple[str, str], Any]:
    """The stored records the files name, and the organisations of their contacts."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for raw, key, record in keyed:
        if key and raw.section in FROM_DOCUMENT:
            wanted[raw.section].add(key)
        if raw.section == "contacts":
            wanted["organisations"].add(record.organisation_id)
    found: dict[tuple[str, str], Any] = {}
    for section, ids in wanted.items():
        found |= await stored(db, section, ids)
    return found


def _merge(checked: Checked, keyed: list[_Keyed], problems: list[Problem]) -> None:
    """Each record given once, merged onto the stored one (or whole), into `checked.entries`."""
    seen: dict[tuple[str, str], str] = {}
    for raw, key, record in keyed:
        if key is not None:
            if (raw.section, key) in seen:
                earlier = seen[(raw.section, key)]
                problems.append(
                    Problem(raw.where, "id", f"{key} already given at {earlier}") if raw.section in OWN_IDS
                    else Problem(raw.where, "", f"the same {_KIND[raw.section]} as at {earlier}")
                )
                continue
            seen[(raw.section, key)] = raw.where
        current = checked.current.get((raw.section, key or ""))
        if getattr(current, "erased", False):
            problems.append(Problem(raw.where, "id", f"{key} was erased on request; an import does not bring them back"))
            continue
        # A roster entry's `until` is kept when not given, like any other field.
        if record is None or raw.section == "roster":
            try:
                record = edits.merged(raw.section, current, raw.data, whole=checked.whole)
            except edits.Invalid as invalid:
                problems += _problems(raw, invalid)
                continue
        checked.entries[raw.section].append(Entry(raw, record))


async def _holders(db: Database, organisation_ids: set[str]) -> dict[str, list[RoleContact]]:
    by_organisation: dict[str, list[RoleContact]] = {o: [] for o in organisation_ids}
    for contact in await contacts.by_organisations(db, organisation_ids):
        by_organisation[contact.organisation_id].append(contact)
    return by_organisation


async def _references(db: Database, checked: Checked, in_files: dict[str, set[str]]) -> list[Problem]:
    """Every reference names a record in the files or already in the database."""
    references: list[tuple[Entry, str, str, str | None]] = []  # entry, field, section, id
    for e in checked.entries["people"]:
        references.append((e, "affiliation", "organisations", e.record.affiliation_id))
        references += [(e, "communications", "groups", g) for g in e.record.communications]
    for e in checked.entries["groups"]:
        references.append((e, "parent", "groups", e.record.parent_id))
    for e in checked.entries["contacts"]:
        references += [(e, "organisation", "organisations", e.record.organisation_id),
                       (e, "person", "people", e.record.person_id),
                       (e, "workingGroup", "groups", e.record.group_id)]
    for e in checked.entries["roster"]:
        references += [(e, "group", "groups", e.record.group_id), (e, "person", "people", e.record.person_id)]

    wanted: dict[str, set[str]] = defaultdict(set)
    for _, _, section, value in references:
        if value and value not in in_files[section]:
            wanted[section].add(value)
    present = {section: in_files[section] | await existing_ids(getattr(db, section), ids)
               for section, ids in wanted.items()}
    what = {"organisations": "organisation", "people": "person", "groups": "group"}
    return [
        Problem(e.raw.where, name, f"no {what[section]} {value} in the files or the database")
        for e, name, section, value in references
        if value and value not in present.get(section, in_files[section])
    ]


async def _affiliated_contacts(db: Database, checked: Checked) -> list[Problem]:
    """A role contact is held by someone affiliated with the organisation (README, "Who may
    see what"; datastore/contact_invariants.py), the import's records as the mutations':
    a contact in the files needs it, and a person in the files does not leave an
    organisation they hold a role for."""
    in_files = {e.record.id: e.record for e in checked.entries["people"]}
    organisations_in_files = {e.record.id: e.record for e in checked.entries["organisations"]}
    contacts_in_files = checked.entries["contacts"]
    wanted = {e.record.person_id for e in contacts_in_files} - set(in_files)
    holders = {**{p.id: p for p in await people.by_ids(db, wanted)}, **in_files}
    wanted_organisations = {e.record.organisation_id for e in contacts_in_files} - set(organisations_in_files)
    statuses = {o.id: o.status for o in await organisations.by_ids(db, wanted_organisations)}
    statuses |= {o.id: o.status for o in organisations_in_files.values()}
    problems = []
    for e in contacts_in_files:
        contact: RoleContact = e.record
        person = holders.get(contact.person_id)
        applicant = contact.role is ContactRole.PRIMARY and statuses.get(contact.organisation_id) is MembershipStatus.APPLICANT
        if person is not None and person.affiliation_id != contact.organisation_id and not applicant:
            problems.append(Problem(e.raw.where, "person", f"{contact.person_id} is not affiliated with "
                                    f"{contact.organisation_id}: a role contact must be"))
    stored = await contacts.by_people(db, set(in_files))
    for e in checked.entries["people"]:
        before = checked.current.get(("people", e.record.id))
        leaving = before.affiliation_id if before is not None else None
        if leaving is None or leaving == e.record.affiliation_id:
            continue
        held = sorted({c.role.value for c in stored if c.person_id == e.record.id and c.organisation_id == leaving})
        if held:
            problems.append(Problem(e.raw.where, "affiliation", f"{e.record.id} holds roles for {leaving} "
                                    f"({', '.join(held)}): hand them over first"))
    return problems


async def _slugs(db: Database, checked: Checked) -> list[Problem]:
    """No slug given to two records, in the files or in the database."""
    problems: list[Problem] = []
    for section in ("organisations", "groups"):
        first: dict[str, Entry] = {}
        for e in checked.entries[section]:
            if e.record.slug in first and first[e.record.slug].record.id != e.record.id:
                problems.append(Problem(e.raw.where, "slug", f"{e.record.slug!r} is given to more than one record "
                                                            f"(also at {first[e.record.slug].raw.where})"))
            first.setdefault(e.record.slug, e)
        cursor = getattr(db, section).find({"slug": {"$in": list(first)}}, projection=["slug"])
        async for document in cursor:
            e = first[document["slug"]]
            if e.record.id != document["_id"]:
                problems.append(Problem(e.raw.where, "slug", f"{document['slug']!r} already belongs to {document['_id']}"))
    return problems


def _email_key(person: Any) -> str | None:
    return canonical.email_key(person.email) if person.email else None


def _name_key(organisation: Any) -> str | None:
    return canonical.organisation_name_key(organisation.country_code, organisation.name)


async def _unique_keys(db: Database, checked: Checked, section: str, name: str, field: str, key_of: Any,
                       what: str) -> list[Problem]:
    """No canonical key given to two records of the files, or to a record and another
    stored one. Whose the stored one is stays unsaid (an address is personal); the
    unique index refuses it anyway, should it be taken while the import runs."""
    problems: list[Problem] = []
    first: dict[str, Entry] = {}
    for e in checked.entries[section]:
        key = key_of(e.record)
        if key is None:
            continue
        if key in first and first[key].record.id != e.record.id:
            problems.append(Problem(e.raw.where, name, f"{what} is given to more than one record "
                                                       f"(also at {first[key].raw.where})"))
            continue
        first.setdefault(key, e)
    if first:
        cursor = getattr(db, section).find({field: {"$in": list(first)}}, projection=[field])
        async for document in cursor:
            e = first[document[field]]
            if e.record.id != document["_id"]:
                problems.append(Problem(e.raw.where, name, f"{what} is already in the directory"))
    return problems


def _single_holders(checked: Checked) -> list[Problem]:
    """At most one PRIMARY, ADMINISTRATOR and SIGNER for an organisation in the files."""
    problems: list[Problem] = []
    first: dict[tuple[str, ContactRole], str] = {}
    for e in checked.entries["contacts"]:
        contact: RoleContact = e.record
        if contact.role not in SINGLE_HOLDER:
            continue
        key = (contact.organisation_id, contact.role)
        if key in first:
            problems.append(Problem(e.raw.where, "role", f"a second {contact.role.value} for {contact.organisation_id} "
                                                         f"(the first at {first[key]}); an organisation has one"))
        first.setdefault(key, e.raw.where)
    return problems


async def _tree(db: Database, checked: Checked) -> list[Problem]:
    """The groups' parents, as the files would leave them, make no cycle (datastore.group_tree;
    each move is checked again once claimed, datastore.importer)."""
    tree = await group_tree.parents(db)
    given = checked.entries["groups"]
    for e in given:
        tree[e.record.id] = {e.record.parent_id} if e.record.parent_id else set()
    return [
        Problem(e.raw.where, "parent", f"{e.record.parent_id} would make {e.record.id} its own ancestor")
        for e in given
        if group_tree.makes_cycle(tree, e.record.id, e.record.parent_id)
    ]
