"""Membership histories as stored: each status change as a document, its day as ISO text
(the lifecycles themselves are datastore.records.memberships)."""

from collections.abc import Sequence

from datastore.records import dates
from datastore.records.memberships import AgreementVersions, IndividualMembership, StatusChange
from datastore.records.vocabulary import IndividualMembershipStatus


def _change_to_document(change: StatusChange) -> dict:
    document = {"status": change.status.value, "on": dates.to_text(change.on), "reason": change.reason}
    if change.accepted_agreements is not None:  # an individual's application only
        accepted = change.accepted_agreements
        document["accepted_agreements"] = {"constitution": accepted.constitution,
                                           "member_agreement": accepted.member_agreement}
    return document


def history_to_documents(history: Sequence[StatusChange]) -> list[dict]:
    return [_change_to_document(c) for c in history]


def _agreements_from_document(document: dict | None) -> AgreementVersions | None:
    if not document:
        return None
    return AgreementVersions(document["constitution"], document["member_agreement"])


def history_from_documents(documents: Sequence[dict] | None, kind: type) -> tuple[StatusChange, ...]:
    return tuple(
        StatusChange(kind[d["status"]], dates.from_text(d["on"]), d.get("reason"),  # type: ignore[arg-type]
                     _agreements_from_document(d.get("accepted_agreements")))
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
