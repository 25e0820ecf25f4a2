"""Membership histories as stored: each status change as a document, its day as ISO text
(the lifecycles themselves are datastore.records.memberships)."""

from collections.abc import Sequence

from datastore.records import dates
from datastore.records.memberships import IndividualMembership, StatusChange
from datastore.records.vocabulary import IndividualMembershipStatus


def history_to_documents(history: Sequence[StatusChange]) -> list[dict]:
    return [{"status": c.status.value, "on": dates.to_text(c.on), "reason": c.reason} for c in history]


def history_from_documents(documents: Sequence[dict] | None, kind: type) -> tuple[StatusChange, ...]:
    return tuple(
        StatusChange(kind[d["status"]], dates.from_text(d["on"]), d.get("reason"))  # type: ignore[arg-type]
        for d in documents or ()
    )


def individual_to_document(membership: IndividualMembership | None) -> dict | None:
    if membership is None:
        return None
    return {
        "status": membership.status.value,
        "since": dates.to_text(membership.since),
        "history": history_to_documents(membership.history),
    }


def individual_from_document(document: dict | None) -> IndividualMembership | None:
    if not document:
        return None
    return IndividualMembership(
        status=IndividualMembershipStatus[document["status"]],
        since=dates.from_text(document.get("since")),
        history=history_from_documents(document.get("history"), IndividualMembershipStatus),
    )
