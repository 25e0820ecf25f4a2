"""A realistic, fully synthetic demo directory, the same every time.

Everything comes from one `random.Random(seed)` and a fixed reference day, so
seeding twice writes the same records. Names are invented from word lists; no
real people, and websites and e-mail addresses use the reserved `.example` TLD.
"""

import hashlib
import random
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from datastore.dataset import Dataset
from datastore.demo_aliases import matching_names
from datastore.records import countries, dates
from datastore.records.contacts import RoleContact
from datastore.records.groups import Group
from datastore.records.memberships import IndividualMembership, StatusChange
from datastore.records.organisations import Organisation
from datastore.records.people import Person
from datastore.records.rosters import RosterEntry
from datastore.records.vocabulary import (
    ContactRole,
    ContactVisibility,
    Designation,
    GroupKind,
    IndividualMembershipStatus,
    MembershipStatus,
    OrganisationKind,
    RosterRole,
    Sector,
)

REFERENCE_DATE = date(2026, 11, 1)
# Every seeded record is version 1, last updated at the reference day.
SEEDED_AT = datetime(2026, 11, 1, tzinfo=UTC)
FIRST_JOINING = date(2013, 1, 1)
ORGANISATIONS_PER_SCALE = 620
PEOPLE_PER_SCALE = 5200
ROSTER_PER_SCALE = 12600

# Country -> a few cities. Weighted towards where genomics institutions are,
# with every inhabited continent well represented.
CITIES = {
    "US": ["Boston", "Bethesda", "San Diego", "Seattle", "Houston"], "CA": ["Toronto", "Montréal", "Vancouver"],
    "MX": ["Ciudad de México", "Guadalajara"], "CU": ["La Habana"], "CR": ["San José"], "PA": ["Panamá"],
    "JM": ["Kingston"], "GT": ["Guatemala"], "GB": ["Cambridge", "London", "Edinburgh", "Oxford"],
    "FR": ["Paris", "Lyon", "Marseille"], "DE": ["Berlin", "Heidelberg", "München"], "NL": ["Amsterdam", "Leiden"],
    "BE": ["Leuven", "Bruxelles"], "CH": ["Zürich", "Genève", "Basel"], "ES": ["Barcelona", "Madrid"],
    "PT": ["Lisboa", "Porto"], "IT": ["Milano", "Roma", "Torino"], "SE": ["Stockholm", "Uppsala"],
    "NO": ["Oslo", "Bergen"], "DK": ["København", "Aarhus"], "FI": ["Helsinki"], "IE": ["Dublin"],
    "AT": ["Wien"], "PL": ["Warszawa", "Kraków"], "CZ": ["Praha", "Brno"], "EE": ["Tartu"], "IS": ["Reykjavík"],
    "GR": ["Athína"], "HU": ["Budapest"], "SI": ["Ljubljana"], "LU": ["Luxembourg"], "RO": ["Cluj-Napoca"],
    "JP": ["Tokyo", "Osaka", "Sendai"], "CN": ["Beijing", "Shanghai", "Shenzhen"], "KR": ["Seoul", "Daejeon"],
    "IN": ["Bengaluru", "New Delhi", "Hyderabad"], "SG": ["Singapore"], "TW": ["Taipei"], "TH": ["Bangkok"],
    "MY": ["Kuala Lumpur"], "VN": ["Hà Nội"], "PH": ["Manila"], "ID": ["Jakarta"], "IL": ["Tel Aviv", "Rehovot"],
    "SA": ["Riyadh"], "AE": ["Abu Dhabi"], "QA": ["Doha"], "TR": ["İstanbul"], "PK": ["Karachi"],
    "BD": ["Dhaka"], "LK": ["Colombo"], "ZA": ["Cape Town", "Johannesburg"], "NG": ["Lagos", "Ibadan"],
    "KE": ["Nairobi"], "GH": ["Accra"], "EG": ["Cairo"], "UG": ["Kampala"], "RW": ["Kigali"], "ET": ["Addis Ababa"],
    "SN": ["Dakar"], "TZ": ["Dar es Salaam"], "BW": ["Gaborone"], "MA": ["Rabat"], "TN": ["Tunis"],
    "CM": ["Yaoundé"], "ZM": ["Lusaka"], "AU": ["Melbourne", "Sydney", "Brisbane", "Perth"],
    "NZ": ["Auckland", "Dunedin"], "FJ": ["Suva"], "PG": ["Port Moresby"], "BR": ["São Paulo", "Rio de Janeiro"],
    "AR": ["Buenos Aires", "Córdoba"], "CL": ["Santiago"], "CO": ["Bogotá", "Medellín"], "PE": ["Lima"],
    "UY": ["Montevideo"], "EC": ["Quito"], "VE": ["Caracas"], "BO": ["La Paz"], "PY": ["Asunción"],
}
HEAVY_COUNTRIES = {"US": 8, "GB": 5, "CA": 4, "DE": 3, "FR": 3, "AU": 3, "JP": 3, "CN": 3, "NL": 2, "BR": 2, "ZA": 2, "IN": 2}

GIVEN_NAMES = [
    "Ana", "José", "María", "Lucía", "João", "Mateo", "Zoë", "Chloé", "Élodie", "François", "Søren", "Astrid",
    "Björn", "Ingrid", "Jürgen", "Anja", "Łukasz", "Zofia", "Marek", "Ines", "Chidi", "Amara", "Kwame", "Abena",
    "Tendai", "Nomvula", "Fatima", "Youssef", "Aisha", "Omar", "Wanjiru", "Kofi", "Hiroshi", "Yuki", "Aiko",
    "Wei", "Mei", "Jun", "Min-jun", "Seo-yeon", "Priya", "Arjun", "Ananya", "Rohan", "Thanh", "Linh", "Siti",
    "Rahul", "Noa", "Eitan", "Liam", "Olivia", "Noah", "Emma", "Ethan", "Ava", "Mia", "Lucas", "Sofia", "Leilani",
    "Tama", "Aroha", "Grace", "Samuel", "Hannah", "Daniel", "Camila", "Valentina", "Santiago", "Matías",
]
FAMILY_NAMES = [
    "Silva", "Santos", "García", "Fernández", "López", "Müller", "Schröder", "Weiß", "Dubois", "Lefèvre",
    "Bernard", "Jensen", "Nørgaard", "Andersson", "Lindqvist", "Kowalski", "Nowak", "Novák", "Okafor", "Adeyemi",
    "Mensah", "Owusu", "Dlamini", "Nkosi", "Mwangi", "Haddad", "El-Sayed", "Benali", "Tanaka", "Sato", "Suzuki",
    "Wang", "Li", "Zhang", "Chen", "Kim", "Park", "Lee", "Sharma", "Patel", "Iyer", "Nguyễn", "Trần", "Cohen",
    "Levi", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "O'Connor", "MacLeod", "Rossi", "Bianchi", "Ricci",
    "Kealoha", "Ngata", "Walker", "Martins", "Costa", "Rodríguez", "Pérez", "Gómez", "Torres", "Ramírez",
]
INVENTED_WORDS = [
    "Helix", "Allele", "Codon", "Genova", "Nucleo", "Quanta", "Vireo", "Sequora", "Biota", "Omnigen", "Locus",
    "Telomer", "Kinome", "Aurora", "Meridian", "Cytos", "Exona", "Primera", "Lumen", "Axon", "Synapse", "Veritas",
]
NAME_PATTERNS = {
    OrganisationKind.ACADEMIC: ["University of {city}", "{city} Institute of Genomic Medicine",
                                "Université de {city} — Centre de Génomique", "{city} School of Public Health",
                                "Universität {city}, Institut für Humangenetik"],
    OrganisationKind.CORPORATION: ["{word} Genomics", "{word} Bioinformatics Ltd", "{word} Diagnostics",
                                   "{word} Sequencing Technologies", "{word} Health Data Inc."],
    OrganisationKind.NOT_FOR_PROFIT: ["{country} Rare Disease Alliance", "{word} Patient Network",
                                      "{city} Genome Foundation", "Fundación {word} para la Genómica"],
    OrganisationKind.PARTNERSHIP: ["{country} Genomics Partnership", "{word} Consortium",
                                   "{city} Precision Medicine Partnership"],
    OrganisationKind.GOVERNMENT: ["{country} National Genome Programme", "Ministry of Health of {country}",
                                  "{country} Public Health Agency"],
    OrganisationKind.HEALTHCARE_PROVIDER: ["{city} Children's Hospital", "{city} University Hospital",
                                           "Hôpital {word} de {city}", "{city} Clinical Genetics Service"],
}
STATUS_WEIGHTS = {
    MembershipStatus.ACTIVE: 72, MembershipStatus.APPLICANT: 8, MembershipStatus.LAPSED: 9,
    MembershipStatus.REMOVED: 4, MembershipStatus.CANCELLED: 7,
}
VISIBILITY_WEIGHTS = {ContactVisibility.PUBLIC: 30, ContactVisibility.MEMBERS: 55, ContactVisibility.STAFF: 15}

# (name, kind, parent name or None, active)
GROUPS = [
    ("Clinical Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Data Use and Researcher Identities Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Discovery Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Genomic Knowledge Standards Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Large Scale Genomics Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Regulatory and Ethics Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Data Security Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Cloud Work Stream", GroupKind.WORK_STREAM, None, True),
    ("Phenopackets Task Team", GroupKind.TASK_TEAM, "Clinical Work Stream", True),
    ("Pedigree Task Team", GroupKind.TASK_TEAM, "Clinical Work Stream", True),
    ("Passports Task Team", GroupKind.TASK_TEAM, "Data Use and Researcher Identities Work Stream", True),
    ("Beacon Task Team", GroupKind.TASK_TEAM, "Discovery Work Stream", True),
    ("Variant Annotation Task Team", GroupKind.TASK_TEAM, "Genomic Knowledge Standards Work Stream", True),
    ("Variation Representation Task Team", GroupKind.TASK_TEAM, "Genomic Knowledge Standards Work Stream", True),
    ("File Formats Task Team", GroupKind.TASK_TEAM, "Large Scale Genomics Work Stream", True),
    ("Refget Task Team", GroupKind.TASK_TEAM, "Large Scale Genomics Work Stream", False),
    ("Consent Codes Task Team", GroupKind.TASK_TEAM, "Regulatory and Ethics Work Stream", True),
    ("Workflow Execution Task Team", GroupKind.TASK_TEAM, "Cloud Work Stream", True),
    ("Data Repository Service Working Group", GroupKind.WORKING_GROUP, "Cloud Work Stream", True),
    ("Rare Disease Working Group", GroupKind.WORKING_GROUP, None, True),
    ("Cancer Genomics Working Group", GroupKind.WORKING_GROUP, None, True),
    ("Pharmacogenomics Working Group", GroupKind.WORKING_GROUP, None, True),
    ("Genomic Data Toolkit Working Group", GroupKind.WORKING_GROUP, None, False),
    ("Ontology Study Group", GroupKind.STUDY_GROUP, None, True),
    ("Federated Analysis Study Group", GroupKind.STUDY_GROUP, None, True),
    ("Long Read Sequencing Study Group", GroupKind.STUDY_GROUP, None, False),
    ("Steering Committee", GroupKind.COMMITTEE, None, True),
    ("Executive Committee", GroupKind.COMMITTEE, None, True),
    ("Product Steering Committee", GroupKind.COMMITTEE, None, True),
    ("Technical Alignment Subcommittee", GroupKind.COMMITTEE, None, True),
    ("Nominating Committee", GroupKind.COMMITTEE, None, False),
    ("Implementation Forum", GroupKind.FORUM, None, True),
    ("National Initiatives Forum", GroupKind.FORUM, None, True),
    ("Funders Forum", GroupKind.FORUM, None, True),
    ("Industry Forum", GroupKind.FORUM, None, False),
    ("Rare Disease Community of Interest", GroupKind.COMMUNITY_OF_INTEREST, None, True),
    ("Cardiovascular Genomics Community of Interest", GroupKind.COMMUNITY_OF_INTEREST, None, True),
    ("Newborn Screening Community of Interest", GroupKind.COMMUNITY_OF_INTEREST, None, True),
    ("Ethics Advisory Group", GroupKind.ADVISORY_GROUP, None, True),
    ("Patient Advisory Group", GroupKind.ADVISORY_GROUP, None, True),
    ("Security Advisory Group", GroupKind.ADVISORY_GROUP, None, True),
    ("Equity and Inclusion Advisory Group", GroupKind.ADVISORY_GROUP, None, True),
    ("Legacy Interoperability Working Group", GroupKind.WORKING_GROUP, None, False),
    ("Education Working Group", GroupKind.WORKING_GROUP, None, True),
]
ROLE_WEIGHTS = {RosterRole.MEMBER: 70, RosterRole.CONTRIBUTOR: 18, RosterRole.OBSERVER: 12}


def _token(seed: int, kind: str, index: int) -> str:
    return hashlib.sha256(f"{seed}:{kind}:{index}".encode()).hexdigest()[:10]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text.replace("ł", "l").replace("Ł", "L"))).strip("-")


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _unique(value: str, taken: set[str], separator: str = "-") -> str:
    candidate, n = value, 2
    while candidate in taken:
        candidate, n = f"{value}{separator}{n}", n + 1
    taken.add(candidate)
    return candidate


def _countries() -> list[str]:
    weighted = [code for code in CITIES for _ in range(HEAVY_COUNTRIES.get(code, 1))]
    assert all(countries.country(code) for code in CITIES), "every demo country is an ISO code"
    return weighted


def _organisations(rng: random.Random, seed: int, count: int) -> list[Organisation]:
    weighted_countries, names, slugs = _countries(), set(), set()
    every_country = list(CITIES)
    result = []
    for index in range(count):
        # The first pass visits every country once, so all of them have members.
        code = every_country[index] if index < len(every_country) else rng.choice(weighted_countries)
        kind = list(OrganisationKind)[index % len(OrganisationKind)] if index < 6 else rng.choice(list(OrganisationKind))
        city = rng.choice(CITIES[code])
        country_name = countries.country(code).name  # type: ignore[union-attr]
        pattern = rng.choice(NAME_PATTERNS[kind])
        word = rng.choice(INVENTED_WORDS)
        name = pattern.format(city=city, country=country_name, word=word)
        aliases, acronyms = matching_names(pattern, city, code, country_name, word)
        if name in names:
            name = f"{name} ({city})" if f"{name} ({city})" not in names else f"{name} {index}"
        names.add(name)
        slug = _unique(_slug(name), slugs)
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        joined, reviewed = _membership_dates(rng, status)
        sectors = rng.sample(list(Sector), k=rng.choice((1, 1, 2, 2, 3)))
        designations = rng.sample(list(Designation), k=rng.choices((0, 1, 2), weights=(75, 20, 5))[0])
        if index < len(Sector):
            sectors = list(dict.fromkeys([list(Sector)[index], *sectors]))
        if index < len(Designation):
            designations = list(dict.fromkeys([list(Designation)[index], *designations]))
        result.append(Organisation(
            id=f"org_{_token(seed, 'org', index)}", slug=slug, name=name, kind=kind, country_code=code,
            status=status, sectors=tuple(sectors), designations=tuple(designations), city=city,
            website=f"https://{slug}.example",
            ror_id=f"https://ror.org/0{_token(seed, 'ror', index)[:8]}" if rng.random() < 0.5 else None,
            aliases=aliases, acronyms=acronyms,
            joined_on=joined, last_reviewed_on=reviewed,
        ))
    return result


def _membership_dates(rng: random.Random, status: MembershipStatus) -> tuple[date | None, date | None]:
    if status is MembershipStatus.APPLICANT:
        return None, None
    joined = _day_between(rng, FIRST_JOINING, REFERENCE_DATE - timedelta(days=30))
    year_ago = REFERENCE_DATE - timedelta(days=365)
    if status is MembershipStatus.ACTIVE:
        reviewed = _day_between(rng, max(joined, year_ago), REFERENCE_DATE) if joined < year_ago else None
    elif status is MembershipStatus.LAPSED and joined < year_ago - timedelta(days=30):
        reviewed = _day_between(rng, joined, year_ago - timedelta(days=1))
    else:
        reviewed = None
    return joined, reviewed


def _people(rng: random.Random, seed: int, count: int, organisations: list[Organisation]) -> list[Person]:
    # Active organisations get more people; every active one gets at least one.
    weights = [4 if o.status is MembershipStatus.ACTIVE else 1 for o in organisations]
    active = [o for o in organisations if o.status is MembershipStatus.ACTIVE]
    emails: set[str] = set()
    result = []
    for index in range(count):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        if index < len(active):
            organisation: Organisation | None = active[index]
        elif rng.random() < 0.9:
            organisation = rng.choices(organisations, weights=weights)[0]
        else:
            organisation = None
        country = organisation.country_code if organisation else rng.choice(list(CITIES))
        domain = f"{organisation.slug}.example" if organisation else "members.example"
        local = _slug(f"{given}.{family}").replace("-", ".")
        email = f"{_unique(local, emails, separator='')}@{domain}" if rng.random() < 0.9 else None
        orcid = None
        if rng.random() < 0.4:
            digits = f"{rng.randrange(10**15):015d}"
            orcid = f"0000-{digits[0:4]}-{digits[4:8]}-{digits[8:11]}{rng.choice('0123456789X')}"
        result.append(Person(
            id=f"per_{_token(seed, 'per', index)}", given_name=given, family_name=family, email=email, orcid=orcid,
            country_code=country, affiliation_id=organisation.id if organisation else None,
            contact_visibility=rng.choices(list(VISIBILITY_WEIGHTS), weights=list(VISIBILITY_WEIGHTS.values()))[0],
        ))
    return result


def _groups(seed: int) -> list[Group]:
    ids = {name: f"grp_{_token(seed, 'grp', i)}" for i, (name, *_rest) in enumerate(GROUPS)}
    return [
        Group(id=ids[name], slug=_slug(name), name=name, kind=kind, active=active,
              description=f"The alliance's {name}." if kind is not GroupKind.FORUM else None,
              parent_id=ids[parent] if parent else None)
        for name, kind, parent, active in GROUPS
    ]


def _roster(rng: random.Random, groups: list[Group], people: list[Person], target: int) -> list[RosterEntry]:
    staff = people[-40:]  # a secretariat pool, serving as staff on every group
    members = people[:-40]
    entries: dict[str, RosterEntry] = {}

    def add(entry: RosterEntry) -> None:
        entries.setdefault(entry.id, entry)

    for group in groups:
        start = _day_between(rng, FIRST_JOINING, date(2020, 1, 1))
        end = None if group.active else _day_between(rng, date(2021, 1, 1), REFERENCE_DATE - timedelta(days=60))
        # Chairs: a past chair, the current chair and often co-chairs.
        handover = _day_between(rng, start + timedelta(days=365), (end or REFERENCE_DATE) - timedelta(days=30))
        add(RosterEntry(group.id, rng.choice(members).id, RosterRole.CHAIR, start, handover - timedelta(days=1)))
        add(RosterEntry(group.id, rng.choice(members).id, RosterRole.CHAIR, handover, end))
        for _ in range(rng.choice((0, 1, 1, 2))):
            add(RosterEntry(group.id, rng.choice(members).id, RosterRole.CO_CHAIR, handover, end))
        for person in rng.sample(staff, k=3):
            add(RosterEntry(group.id, person.id, RosterRole.STAFF, start, end))
    while len(entries) < target:
        group = rng.choice(groups)
        role = rng.choices(list(ROLE_WEIGHTS), weights=list(ROLE_WEIGHTS.values()))[0]
        since = _day_between(rng, FIRST_JOINING, REFERENCE_DATE - timedelta(days=1))
        roll = rng.random()
        if roll < 0.3:  # a tenure that has ended
            until: date | None = _day_between(rng, since, REFERENCE_DATE - timedelta(days=1))
        elif roll < 0.38:  # a fixed term still running
            until = REFERENCE_DATE + timedelta(days=rng.randrange(30, 900))
        else:
            until = None
        add(RosterEntry(group.id, rng.choice(members).id, role, since, until))
    return list(entries.values())


def _contacts(
    rng: random.Random, organisations: list[Organisation], people: list[Person], groups: list[Group]
) -> list[RoleContact]:
    by_organisation: dict[str, list[Person]] = {}
    for person in people:
        if person.affiliation_id:
            by_organisation.setdefault(person.affiliation_id, []).append(person)
    streams = [g for g in groups if g.active and g.kind in (GroupKind.WORKING_GROUP, GroupKind.WORK_STREAM)]
    contacts: dict[str, RoleContact] = {}
    for organisation in organisations:
        staff = by_organisation.get(organisation.id, [])
        if not staff:
            continue
        if organisation.status is not MembershipStatus.ACTIVE:
            if rng.random() < 0.5:
                contact = RoleContact(organisation.id, rng.choice(staff).id, ContactRole.PRIMARY)
                contacts[contact.id] = contact
            continue
        for role in (ContactRole.PRIMARY, ContactRole.ADMINISTRATOR, ContactRole.SIGNER):
            contact = RoleContact(organisation.id, rng.choice(staff).id, role)
            contacts[contact.id] = contact
        for group in rng.sample(streams, k=rng.randint(2, 5)):
            contact = RoleContact(organisation.id, rng.choice(staff).id, ContactRole.COMMUNICATIONS, group.id)
            contacts[contact.id] = contact
    return list(contacts.values())


INDIVIDUAL_WEIGHTS = {
    IndividualMembershipStatus.ACTIVE: 70, IndividualMembershipStatus.APPLICANT: 8,
    IndividualMembershipStatus.CANCELLED: 12, IndividualMembershipStatus.DECLINED: 7,
    IndividualMembershipStatus.REMOVED: 3,
}
REVIEW_REASONS = ["Renewal not confirmed at the 12-month review", "No response to the review"]
CANCEL_REASONS = ["Programme ended", "Merged into another member", "Budget", None]


def _after(rng: random.Random, day: date, low: int, high: int, limit: date = REFERENCE_DATE) -> date:
    """A day `low` to `high` days after `day`, never past `limit`."""
    return min(day + timedelta(days=rng.randint(low, high)), limit)


def _organisation_history(rng: random.Random, organisation: Organisation) -> Organisation:
    """The status changes that led to the organisation's status today, back to 2013.

    Half of today's applicants become DECLINED applications instead; some
    active members lapsed once and were reinstated.
    """
    status, joined = organisation.status, organisation.joined_on
    if status is MembershipStatus.APPLICANT:
        applied = REFERENCE_DATE - timedelta(days=rng.randint(10, 400))
        if rng.random() < 0.5:
            return replace(organisation, history=(StatusChange(status, applied),))
        declined = _after(rng, applied, 20, 120)
        return replace(organisation, status=MembershipStatus.DECLINED, history=(
            StatusChange(MembershipStatus.APPLICANT, applied),
            StatusChange(MembershipStatus.DECLINED, declined, "Does not meet the membership criteria"),
        ))
    assert joined is not None
    applied = max(FIRST_JOINING, joined - timedelta(days=rng.randint(14, 120)))
    history = [StatusChange(MembershipStatus.APPLICANT, applied), StatusChange(MembershipStatus.ACTIVE, joined)]
    last_reviewed = organisation.last_reviewed_on or joined
    if status is MembershipStatus.ACTIVE and joined < date(2021, 1, 1) and rng.random() < 0.15:
        lapsed = _after(rng, dates.add_months(joined, 12), 1, 60)
        history += [
            StatusChange(MembershipStatus.LAPSED, lapsed, rng.choice(REVIEW_REASONS)),
            StatusChange(MembershipStatus.ACTIVE, _after(rng, lapsed, 30, 300), "Reinstated after review"),
        ]
    notice = None
    if status is MembershipStatus.LAPSED:
        history.append(StatusChange(status, _after(rng, dates.add_months(last_reviewed, 12), 1, 60), rng.choice(REVIEW_REASONS)))
    elif status is MembershipStatus.CANCELLED:
        history.append(StatusChange(status, _after(rng, joined, 180, 2500), rng.choice(CANCEL_REASONS)))
    elif status is MembershipStatus.REMOVED:
        notice = _after(rng, joined, 200, 2500, REFERENCE_DATE - timedelta(days=40))
        history.append(StatusChange(status, _after(rng, notice, 31, 90), "Membership criteria no longer met"))
    return replace(organisation, history=tuple(history), removal_notice_on=notice)


def _individual_membership(rng: random.Random) -> IndividualMembership | None:
    """About a quarter of people are (or were) individual members."""
    if rng.random() >= 0.25:
        return None
    status = rng.choices(list(INDIVIDUAL_WEIGHTS), weights=list(INDIVIDUAL_WEIGHTS.values()))[0]
    applied = _day_between(rng, FIRST_JOINING, REFERENCE_DATE - timedelta(days=60))
    history = [StatusChange(IndividualMembershipStatus.APPLICANT, applied)]
    if status is IndividualMembershipStatus.APPLICANT:
        return IndividualMembership(status, applied, tuple(history))
    decided = _after(rng, applied, 7, 45)
    if status is IndividualMembershipStatus.DECLINED:
        history.append(StatusChange(status, decided, "Not active in genomics"))
        return IndividualMembership(status, decided, tuple(history))
    history.append(StatusChange(IndividualMembershipStatus.ACTIVE, decided))
    if status is not IndividualMembershipStatus.ACTIVE:
        left = _after(rng, decided, 60, 3000)
        history.append(StatusChange(status, left, "Cancelled by the member" if status.value == "CANCELLED" else None))
        return IndividualMembership(status, left, tuple(history))
    return IndividualMembership(status, decided, tuple(history))


def _lifecycles(seed: int, dataset: Dataset) -> Dataset:
    """Histories, individual memberships and subscriptions, from an RNG of their
    own so the records generated before them stay as they were."""
    rng = random.Random(f"{seed}:lifecycles")
    groups = [g.id for g in dataset.groups if g.active]
    organisations = [replace(_organisation_history(rng, o), updated_at=SEEDED_AT) for o in dataset.organisations]
    people = [
        replace(
            p,
            individual_membership=_individual_membership(rng),
            communications=tuple(rng.sample(groups, k=rng.randint(1, 3))) if rng.random() < 0.1 else (),
            updated_at=SEEDED_AT,
        )
        for p in dataset.people
    ]
    return Dataset(
        organisations=organisations,
        people=people,
        contacts=dataset.contacts,
        groups=[replace(g, updated_at=SEEDED_AT) for g in dataset.groups],
        roster=[replace(r, updated_at=SEEDED_AT) for r in dataset.roster],
    )


def generate(scale: int = 1, seed: int = 20260101) -> Dataset:
    """The demo directory at `scale` (1: ~620 organisations, ~5,200 people, ~12,600 tenures)."""
    rng = random.Random(seed)
    organisations = _organisations(rng, seed, ORGANISATIONS_PER_SCALE * scale)
    people = _people(rng, seed, PEOPLE_PER_SCALE * scale, organisations)
    groups = _groups(seed)
    roster = _roster(rng, groups, people, ROSTER_PER_SCALE * scale)
    contacts = _contacts(rng, organisations, people, groups)
    dataset = Dataset(organisations=organisations, people=people, contacts=contacts, groups=groups, roster=roster)
    return _lifecycles(seed, dataset)
