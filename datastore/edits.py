"""Edits: a record plus the fields given for it, validated by the one set of rules.

Mutations and the import both describe a change as "these fields of this
record": fields left out stay as they were (unless the import replaces whole
records), the merged record is validated with the import's models
(datastore.import_records), and the difference becomes the audit entry's
field changes and the write path's Write. Only the fields given are checked
against the limits on input (datastore.records.arrival): what is stored already is
never re-checked, so no stored record becomes uneditable.
"""

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from datastore import contacts, groups, organisations, people, rosters
from datastore.changes import RECORD_TYPE_OF_COLLECTION
from datastore.import_records import RECORD_MODELS
from datastore.records import arrival
from datastore.records.changes import FieldChange
from datastore.records.vocabulary import ChangeAction, RecordType
from datastore.text import fold
from datastore.writes import Claim, Effect, Write

# Contact details: their values in the audit log are shown only to those who may see them.
PRIVATE_FIELDS = frozenset({"email", "orcid", "pendingEmail"})

RECORD_TYPES = RECORD_TYPE_OF_COLLECTION
_DOCUMENTS = {
    "organisations": organisations.to_document,
    "people": people.to_document,
    "groups": groups.to_document,
    "roster": rosters.to_document,
    "contacts": contacts.to_document,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A field that breaks a rule: its path in the record's fields, and why."""

    field: tuple[str, ...]
    message: str


class Invalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{'.'.join(p.field) or 'record'}: {p.message}" for p in problems))
        self.problems = problems


def new_id(prefix: str, name: str) -> str:
    """A new record's id: its kind's prefix, a readable stem of `name`, and a random
    suffix, within the import's 64 characters ('org_helixgenomics_3f9a0c1d')."""
    stem = re.sub(r"[^a-z0-9]", "", fold(name))[:40] or "record"
    return f"{prefix}_{stem}_{secrets.token_hex(4)}"


def fields_of(section: str, record: Any) -> dict[str, Any]:
    """The record as the import file and GraphQL name its fields (JSON values)."""
    return RECORD_MODELS[section].from_record(record).model_dump(mode="json")  # type: ignore[attr-defined]


def merged(section: str, current: Any | None, given: Mapping[str, Any], *, whole: bool = False) -> Any:
    """The record `given` makes of `current`: named fields replaced, the rest kept
    (all replaced with `whole`), validated; raises Invalid naming each field at fault.
    The limits on input apply to `given` alone."""
    problems = [Problem(path, message) for path, message in arrival.problems(section, given)]
    base = {} if current is None or whole else fields_of(section, current)
    # Rules between fields are checked when one of them arrives (import_records.arriving).
    context = {"given": None if not base else frozenset(given)}
    try:
        record = RECORD_MODELS[section].model_validate({**base, **given}, context=context).to_record()  # type: ignore[attr-defined]
    except ValidationError as error:
        problems += [
            Problem(tuple(str(part) for part in e["loc"]), e["msg"].removeprefix("Value error, "))
            for e in error.errors()
        ]
    if problems:
        raise Invalid(problems)
    if current is None:
        return record
    # What the rules do not cover (the version, when it changed, an erasure) stays the record's own.
    kept = {name: getattr(current, name) for name in _KEPT if hasattr(current, name)}
    return replace(record, **kept)


# A pending e-mail address is changed only by its own requests (resolvers.mutations.email_verification).
_KEPT = ("version", "updated_at", "erased", "pending_email")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _summarised(fields: dict[str, Any]) -> dict[str, Any]:
    """A status history shows in the log as the status it ends in (the change's reason says why)."""
    fields = {name: value for name, value in fields.items() if name != "history"}
    membership = fields.pop("individualMembership", None)
    if membership is not None or "individualMembership" in fields:
        fields["individualMembership.status"] = membership["status"] if membership else None
    return fields


def _pending(section: str, record: Any) -> dict[str, Any]:
    """A person's pending e-mail address (datastore.email_verification), logged as a field of
    theirs though no import file gives it."""
    if section != "people":
        return {}
    pending = getattr(record, "pending_email", None)
    return {"pendingEmail": pending.address if pending else None}


def field_changes(section: str, before: Any | None, after: Any) -> tuple[FieldChange, ...]:
    """Each field whose value differs, with both values as text."""
    old = {**_summarised(fields_of(section, before)), **_pending(section, before)} if before is not None else {}
    new = {**_summarised(fields_of(section, after)), **_pending(section, after)}
    return tuple(
        FieldChange(name, _text(old.get(name)), _text(new.get(name)), private=name in PRIVATE_FIELDS)
        for name in new
        if old.get(name) != new.get(name)
    )


def document_of(section: str, record: Any) -> dict:
    return _DOCUMENTS[section](record)


def write_of(
    section: str,
    before: Any | None,
    after: Any,
    action: ChangeAction,
    *,
    reason: str | None = None,
    effects: tuple[Effect, ...] = (),
    fields: tuple[FieldChange, ...] | None = None,
    about: tuple[RecordType, str] | None = None,
) -> Write:
    """The Write that turns `before` (None: nothing yet) into `after`."""
    record_type, record_id = about or (None, None)
    return Write(
        owner_type=RECORD_TYPES[section],
        collection=section,
        owner_id=after.id,
        document=document_of(section, after),
        action=action,
        fields=field_changes(section, before, after) if fields is None else fields,
        record_type=record_type,
        record_id=record_id,
        effects=effects,
        reason=reason,
    )


def claimed_effect(section: str, before: Any, after: Any, now: datetime) -> tuple[Effect, Claim]:
    """Another versioned record a change writes too (an applicant's affiliation with the organisation
    they apply for): its document at its next version, fenced on `before` as read, and the claim on
    that version, whose fields become the record's own audit entry (datastore.writes, Claim)."""
    version = before.version + 1
    document = document_of(section, replace(after, version=version, updated_at=now))
    return Effect(section, after.id, document), Claim(section, after.id, version, field_changes(section, before, after))


def contact_effect(contact: Any, *, remove: bool = False) -> Effect:
    return Effect("contacts", contact.id, None if remove else contacts.to_document(contact))
