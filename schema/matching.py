"""Affiliation matching: an affiliation string's candidate organisations."""

import strawberry

from datastore.records import matching as records
from resolvers.matching import AffiliationMatch as Found
from schema.organisations import Organisation

MatchingType = strawberry.enum(records.MatchingType, description="How a candidate was found, as the ROR API's "
                               "affiliation matching names it.")


@strawberry.type(description="As the ROR API's affiliation matching: candidates with a score in [0, 1]; `chosen` "
                             "is true for at most one, the one trusted without a person looking.")
class AffiliationMatch:
    organisation: Organisation
    score: float
    chosen: bool
    matching_type: MatchingType
    matched_text: str = strawberry.field(description="The part of the text the organisation was matched on")

    @classmethod
    def of(cls, found: Found) -> "AffiliationMatch":
        m = found.match
        return cls(organisation=Organisation.of(found.organisation), score=m.score, chosen=m.chosen,
                   matching_type=m.matching_type, matched_text=m.matched_text)
