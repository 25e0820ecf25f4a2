"""Import organisations, people, contacts, groups and roster entries from files.

Everything is checked first (datastore.import_checks); one problem anywhere
and nothing is written. Then each record that would change is written
through the one write path (datastore.writes), as the import of its file:
versioned, and with its audit entry. A record in a file changes only the
fields it gives (`whole` replaces whole records); a record that would not
change is not written, so importing a file twice writes nothing, and an
import cut off part-way finishes when run again.

Role contacts belong to their organisation: assigning one is a change of the
organisation. A PRIMARY, ADMINISTRATOR or SIGNER replaces the current holder;
a COMMUNICATIONS contact is added for its group.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from datastore import contacts, edits, group_tree, writes
from datastore.client import Database
from datastore.dataset import Dataset
from datastore.import_checks import SINGLE_HOLDER, Checked, Entry, check, stored
from datastore.import_reading import ImportRejected, Problem, read
from datastore.records.changes import Actor, ChangeState
from datastore.records.contacts import RoleContact
from datastore.records.vocabulary import ChangeAction, RecordType
from datastore.writes import Write

__all__ = ["ImportRejected", "ImportStopped", "Imported", "Problem", "Step", "describe_step", "import_files", "plan", "write"]

# Records before what refers to them.
ORDER = ("organisations", "groups", "people", "contacts", "roster")


@dataclass(frozen=True, slots=True)
class Step:
    """One change the import makes (or, in a dry run, would make)."""

    about: str
    # What changes, before and after: a record of `section`; for a role contact,
    # the holder it replaces (or None) and the contact.
    section: str
    before: Any | None
    record: Any
    write: Write
    expected_version: int | None
    creates: bool


@dataclass(frozen=True, slots=True)
class Imported:
    records: Dataset
    steps: tuple[Step, ...]
    dry_run: bool

    @property
    def written(self) -> int:
        """Changes written (in a dry run: that would be)."""
        return len(self.steps)


class ImportStopped(Exception):
    """Writing stopped at a record; what was written before it stays."""

    def __init__(self, where: str, about: str, reason: str, written: int):
        super().__init__(
            f"{where}: {about}: {reason}. Stopped there after {written} change(s); "
            "run the import again to write the rest (what is written already is skipped)."
        )


_KIND = {"organisations": "organisation", "people": "person", "groups": "group"}


def about(section: str, record: Any) -> str:
    """How output and errors name a record."""
    if section == "contacts":
        group = f" for {record.group_id}" if record.group_id else ""
        return f"contact {record.role.value} of {record.organisation_id}{group}"
    if section == "roster":
        return f"roster entry {record.role.value} of {record.person_id} on {record.group_id} since {record.since}"
    return f"{_KIND[section]} {record.id}"


class _State:
    """The stored records the steps start from, kept current as they are written."""

    def __init__(self, checked: Checked):
        self.whole = checked.whole
        self.current = dict(checked.current)
        self.holders = {o: list(found) for o, found in checked.holders.items()}
        # In a dry run, the records the files create are not stored; contacts of them still are planned.
        self.planned: dict[tuple[str, str], Any] = {}

    def step(self, entry: Entry) -> Step | None:
        """The change `entry` makes from the current state; None if it changes nothing."""
        if entry.section == "contacts":
            return self._contact_step(entry.record)
        current = self.current.get((entry.section, entry.record.id))
        # Merged again onto what is stored now: someone may have changed it since the check.
        record = edits.merged(entry.section, current, entry.raw.data, whole=self.whole)
        if current is not None and replace(record, version=current.version, updated_at=current.updated_at) == current:
            return None
        write = edits.write_of(entry.section, current, record, ChangeAction.IMPORT)
        return Step(about(entry.section, record), entry.section, current, record, write,
                    current.version if current else None, creates=current is None)

    def _contact_step(self, contact: RoleContact) -> Step | None:
        key = ("organisations", contact.organisation_id)
        organisation = self.current.get(key) or self.planned[key]
        holders = self.holders.get(contact.organisation_id, [])
        leaving = [h for h in holders if contact.role in SINGLE_HOLDER and h.role is contact.role and h != contact]
        held = contact in holders
        if held and not leaving:
            return None
        effects = tuple(edits.contact_effect(h, remove=True) for h in leaving)
        if not held:
            effects += (edits.contact_effect(contact),)
        replaced = leaving[0] if leaving else None
        write = edits.write_of(
            "organisations", organisation, organisation, ChangeAction.IMPORT, effects=effects,
            fields=edits.field_changes("contacts", replaced, contact),
            about=(RecordType.ROLE_CONTACT, contact.id),
        )
        version = organisation.version if key in self.current else None
        return Step(about("contacts", contact), "contacts", replaced, contact, write, version, creates=not leaving)

    def written(self, entry: Entry, step: Step, version: int, at: datetime | None) -> None:
        """Take in a change as written (`at` None: planned): the record's new version, the contacts it moved."""
        if entry.section == "contacts":
            contact: RoleContact = step.record
            key = ("organisations", contact.organisation_id)
            if key in self.current:
                self.current[key] = replace(self.current[key], version=version, updated_at=at)
            removed = {e.id for e in step.write.effects if e.document is None}
            kept = [h for h in self.holders.get(contact.organisation_id, []) if h.id not in removed]
            self.holders[contact.organisation_id] = [*kept, contact] if contact not in kept else kept
            return
        key = (entry.section, step.record.id)
        if at is None:
            self.planned[key] = step.record
        else:
            self.current[key] = replace(step.record, version=version, updated_at=at)

    async def reread(self, db: Database, entry: Entry) -> None:
        """Read again what `entry` is about, after someone else changed it."""
        if entry.section == "contacts":
            organisation_id = entry.record.organisation_id
            self.current |= await stored(db, "organisations", [organisation_id])
            self.holders[organisation_id] = await contacts.by_organisations(db, [organisation_id])
        else:
            self.current.pop((entry.section, entry.record.id), None)
            self.current |= await stored(db, entry.section, [entry.record.id])


def _entries(checked: Checked) -> Iterable[Entry]:
    for section in ORDER:
        yield from checked.entries.get(section, ())


def plan(checked: Checked) -> tuple[Step, ...]:
    """The changes the import would write, in order; writes nothing."""
    state, steps = _State(checked), []
    for entry in _entries(checked):
        if step := state.step(entry):
            steps.append(step)
            state.written(entry, step, (step.expected_version or 0) + 1, None)
    return tuple(steps)


async def write(db: Database, checked: Checked) -> tuple[Step, ...]:
    """Write each change through the write path, as the import of the record's file.

    A record someone changed since it was read is read again and tried once
    more; anything else stops the import with ImportStopped.
    """
    state, steps = _State(checked), []
    for entry in _entries(checked):
        if step := await _write_entry(db, state, entry, len(steps)):
            steps.append(step)
    return tuple(steps)


async def _write_entry(db: Database, state: _State, entry: Entry, written: int) -> Step | None:
    """Write one record's change; read again and tried once more if someone changed it meanwhile."""
    try:
        try:
            return await _commit(db, state, entry)
        except writes.StaleVersion:
            await state.reread(db, entry)
            return await _commit(db, state, entry)
    except writes.StaleVersion:
        reason = await _why_stale(db, entry)
    # Invalid only after a re-read: the record was changed meanwhile into one this change breaks.
    except (edits.Invalid, writes.Rejected) as failed:
        reason = str(failed)
    raise ImportStopped(entry.raw.where, about(entry.section, entry.record), reason, written)


async def _commit(db: Database, state: _State, entry: Entry) -> Step | None:
    if (step := state.step(entry)) is None:
        return None
    actor = Actor(role="import", source=f"import:{entry.raw.path.name}")
    committed = await writes.commit(db, step.write, expected_version=step.expected_version, actor=actor,
                                    checked=_tree_check(db, step))
    state.written(entry, step, committed.change.version, committed.change.at)
    return step


def _tree_check(db: Database, step: Step) -> writes.ClaimCheck | None:
    """A group's move, once claimed: no cycle with the changes in flight (datastore.group_tree)."""
    if step.section != "groups" or step.before is None or step.record.parent_id in (None, step.before.parent_id):
        return None
    group = step.record

    async def check(change) -> None:
        if await group_tree.would_cycle(db, group.id, group.parent_id, without_change=change.id):
            raise writes.RuleBroken(f"{group.parent_id} would make {group.id} its own ancestor", "parent")

    return check


async def _why_stale(db: Database, entry: Entry) -> str:
    owner = entry.record.organisation_id if entry.section == "contacts" else entry.record.id
    if await db.changes.find_one({"owner_id": owner, "state": ChangeState.CLAIMED.value}, projection=["_id"]):
        lease = int(writes.DEFAULT_LEASE.total_seconds())
        return f"another change to it is still being applied (one cut off by a crash is completed {lease} s after it began)"
    return "changed by someone else while importing, twice in a row"


async def import_files(
    db: Database, paths: Iterable[Path], *, whole: bool = False, dry_run: bool = False
) -> Imported:
    """Check the files completely, then write what changes (in a dry run: only say what would)."""
    raws, problems = read(paths)
    checked = await check(db, raws, problems, whole=whole)
    if dry_run:
        return Imported(checked.records(), plan(checked), dry_run=True)
    # Changes another import or server left claimed long ago are completed first.
    await writes.recover(db)
    return Imported(checked.records(), await write(db, checked), dry_run=False)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def describe_step(step: Step) -> list[str]:
    """A step as lines of text, one per field it changes, with the field's
    name in the file: `organisation org_x: website 'https://a' -> 'https://b'`."""
    what = f"{step.about} (new)" if step.creates else step.about
    before = edits.fields_of(step.section, step.before) if step.before is not None else {}
    after = edits.fields_of(step.section, step.record)
    return [
        f"{what}: {name} {_shown(before.get(name))} -> {_shown(value)}"
        for name, value in after.items()
        if before.get(name) != value
    ]
