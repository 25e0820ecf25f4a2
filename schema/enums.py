"""The GraphQL enums: the records' vocabularies and orders, exposed under the same names."""

import strawberry

from datastore.records import organisations, people, rosters, vocabulary
from resolvers.periods import TrendInterval as TrendIntervals
from resolvers.privacy import ContactField, ViewerClass as ViewerClasses

Continent = strawberry.enum(vocabulary.Continent, description="Six inhabited continents; Antarctica hosts no members.")
OrganisationKind = strawberry.enum(
    vocabulary.OrganisationKind, description="What kind of legal entity an organisation is (membership criterion 2)."
)
Sector = strawberry.enum(vocabulary.Sector)
Designation = strawberry.enum(
    vocabulary.Designation, description="Designations an organisational member may hold in addition to membership."
)
MembershipStatus = strawberry.enum(vocabulary.MembershipStatus)
ContactRole = strawberry.enum(
    vocabulary.ContactRole,
    description="Role contacts of an organisation: PRIMARY, ADMINISTRATOR and SIGNER, plus\n"
    "COMMUNICATIONS contacts assigned to receive a working group's updates.",
)
GroupKind = strawberry.enum(vocabulary.GroupKind)
RosterRole = strawberry.enum(vocabulary.RosterRole)
StatDimension = strawberry.enum(organisations.StatDimension)
ContactVisibility = strawberry.enum(
    vocabulary.ContactVisibility, description="Who a person lets see their contact details (e-mail, ORCID)."
)
IndividualMembershipStatus = strawberry.enum(vocabulary.IndividualMembershipStatus)
OrganisationOrder = strawberry.enum(
    organisations.OrganisationOrder,
    description="JOINED_* orders put organisations that have not joined yet first when "
    "ascending and last when descending. REVIEW_DUE_ASC: the review due soonest (overdue "
    "first), organisations with no review due last. UPDATED_ASC: least recently changed first.",
)
ContactDetail = strawberry.enum(ContactField, name="ContactDetail", description="A contact detail of a person.")
TrendInterval = strawberry.enum(TrendIntervals, name="TrendInterval", description="Calendar years, quarters or months.")
PersonOrder = strawberry.enum(
    people.PersonOrder, description="NAME_ASC: by family name. UPDATED_ASC: least recently changed first."
)
RosterOrder = strawberry.enum(
    rosters.RosterOrder,
    description="ROLE_ASC: chairs first, then by seniority on the group. UPDATED_ASC: least recently changed first.",
)
InvitationStatus = strawberry.enum(vocabulary.InvitationStatus)
ViewerClass = strawberry.enum(
    ViewerClasses, name="ViewerClass", description="A kind of caller a person's profile can be previewed as."
)
