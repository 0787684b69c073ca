"""Demo data for Ballerup: the municipality, its funds and budgets (DOMAIN.md), the partner
cities, and one person per role. Loaded once; loading again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from grants import demo_cases
from grants.budgets.operations import allocate
from grants.core import clock
from grants.core.models import Municipality
from grants.extensions import db
from grants.funds.models import CarryOver, Fund, FundBoardMember, FundKind
from grants.organisations.models import Membership, Organisation, OrganisationKind
from grants.partners.models import PartnerCity, Relation
from grants.people.models import Role, User
from grants.subsidies.operations import load_standard_rule_sets
from grants.workflow.loader import load_standard_routes

# (e-mail, name, title, roles, password). The passwords are for the demo only.
DEMO_PEOPLE = [
    ("medarbejder@ballerup.dk", "Mette Madsen", "Pædagog", [Role.EMPLOYEE], "medarbejder"),
    ("leder@ballerup.dk", "Lars Lund", "Institutionsleder", [Role.EMPLOYEE, Role.MANAGER], "leder"),
    (
        "sagsbehandler@ballerup.dk",
        "Sara Skov",
        "Sagsbehandler",
        [Role.EMPLOYEE, Role.CASEWORKER],
        "sagsbehandler",
    ),
    (
        "bestyrelse@ballerup.dk",
        "Bent Bach",
        "Formand for studierejsefonden",
        [Role.EMPLOYEE, Role.BOARD_MEMBER],
        "bestyrelse",
    ),
    (
        "okonomi@ballerup.dk",
        "Olga Olsen",
        "Økonomimedarbejder",
        [Role.EMPLOYEE, Role.FINANCE],
        "okonomi",
    ),
    ("admin@ballerup.dk", "Anders Andersen", "Administrator", [Role.ADMIN], "admin"),
    # Sits on the committees: decides youth subsidies above the caseworker's limit and the
    # committees' own trips, and reads their budgets.
    (
        "udvalg@ballerup.dk",
        "Ulla Ulriksen",
        "Udvalgsmedlem",
        [Role.BOARD_MEMBER],
        "udvalg",
    ),
    # No staff role: acts for the demo association (an organisation member, not an employee).
    ("forening@example.dk", "Frida Frost", "Formand, Ballerup Ungdomsorkester", [], "forening"),
]
DEMO_PASSWORD_SUFFIX = "-demo-2026"  # nosec B105  # demo logins, printed in the README

STANDING_COMMITTEES = [
    "Børne- og Skoleudvalget",
    "Social- og Sundhedsudvalget",
    "Beskæftigelses- og Integrationsudvalget",
    "Kultur-, Fritids- og Idrætsudvalget",
    "By-, Erhvervs- og Klimaudvalget",
]

STRATEGY_APPROVED = dt.date(2014, 8, 25)


def demo_password(stem: str) -> str:
    return stem + DEMO_PASSWORD_SUFFIX


def is_loaded() -> bool:
    return db.session.scalar(select(Municipality.id).limit(1)) is not None


def load() -> bool:
    """Load the demo data unless it is there. Returns whether it loaded anything."""
    if is_loaded():
        return False
    routes = load_standard_routes()
    db.session.add(
        Municipality(
            name="Ballerup Kommune",
            unit="Sekretariatet for internationalt samarbejde",
            address="Hold-An Vej 7, 2750 Ballerup",
            cvr="58271713",
            email="international@balk.dk",
            phone="44 77 20 00",
            website="https://ballerup.dk",
            contact_note="international@balk.dk",
            postcodes="2740 2750 2760",  # Skovlunde, Ballerup, Måløv
        )
    )

    people = {}
    for email, name, title, roles, password in DEMO_PEOPLE:
        user = User(email=email, name=name, title=title, department="Ballerup Kommune")
        user.set_password(demo_password(password))
        for role in roles:
            user.grant_role(role)
        db.session.add(user)
        people[password] = user
    people["medarbejder"].manager = people["leder"]
    db.session.flush()

    this_year = clock.today().year
    funds = [
        Fund(
            code="studierejsefonden",
            name="Studierejsefonden",
            kind=FundKind.STUDY_TRIP,
            description="Medarbejderes studierejser til udlandet.",
            route=routes["study_trip"],
            delegated_limit=Decimal("15000"),
            yearly_budget=Decimal("100000"),
            carry_over=CarryOver.NONE,
            report_due_days=42,
            publish_trips=True,
        ),
        Fund(
            code="ungdomsrejser",
            name="Ungdomsrejser og venskabsbyforeninger",
            kind=FundKind.YOUTH_TRIP,
            description="Tilskud til børn og unge under 25 år, der rejser til "
            "venskabs- og partnerbyerne, og til venskabsbyforeningerne.",
            route=routes["screening_decision"],
            delegated_limit=Decimal("20000"),
            yearly_budget=Decimal("150000"),
            report_due_days=42,
        ),
        Fund(
            code="wuxi-udveksling",
            name="Elevudveksling med Wuxi",
            kind=FundKind.PUPIL_EXCHANGE,
            description="Tilskud til skoleelevers udveksling med Wuxi, Kina.",
            route=routes["screening_decision"],
            delegated_limit=Decimal("40000"),
            yearly_budget=Decimal("159000"),
            report_due_days=42,
        ),
        Fund(
            code="kommunalbestyrelsen",
            name="Kommunalbestyrelsen",
            kind=FundKind.COMMITTEE,
            description="Kommunalbestyrelsens kurser, konferencer og studieture.",
            route=routes["screening_decision"],
            delegated_limit=Decimal("0"),
            yearly_budget=Decimal("69000"),
            carry_over=CarryOver.ELECTION_PERIOD,
            publish_trips=True,
        ),
        Fund(
            code="okonomiudvalget",
            name="Økonomiudvalget",
            kind=FundKind.COMMITTEE,
            description="Økonomiudvalgets kurser, konferencer og studieture.",
            route=routes["screening_decision"],
            delegated_limit=Decimal("0"),
            yearly_budget=Decimal("65000"),
            carry_over=CarryOver.ELECTION_PERIOD,
            publish_trips=True,
        ),
    ]
    for committee in STANDING_COMMITTEES:
        funds.append(
            Fund(
                code=_slug(committee),
                name=committee,
                kind=FundKind.COMMITTEE,
                description=f"{committee}s kurser, konferencer og studieture.",
                route=routes["screening_decision"],
                delegated_limit=Decimal("0"),
                yearly_budget=Decimal("65000"),
                carry_over=CarryOver.ELECTION_PERIOD,
                publish_trips=True,
            )
        )
    funds.insert(
        2,
        Fund(
            code="vaertskab",
            name="Værtskab for grupper fra venskabsbyer",
            kind=FundKind.HOSTING,
            description="Engangstilskud til foreninger, skoler og institutioner, der er vært for "
            "en gruppe fra en venskabsby. (Demo: puljens størrelse er et skøn.)",
            route=routes["screening_decision"],
            delegated_limit=Decimal("5000"),
            yearly_budget=Decimal("25000"),
            report_due_days=42,
        ),
    )
    db.session.add_all(funds)
    db.session.flush()
    funds[0].board.append(FundBoardMember(user=people["bestyrelse"]))
    # Every other fund has a board too, so no case above the delegated limit waits for ever.
    for fund in funds[1:]:
        fund.board.append(FundBoardMember(user=people["udvalg"]))
    load_standard_rule_sets()
    for fund in funds:
        for year in (this_year, this_year + 1):
            allocate(fund, year, fund.yearly_budget, note=f"Bevilling {year}")

    orchestra = Organisation(
        name="Ballerup Ungdomsorkester",
        kind=OrganisationKind.ASSOCIATION,
        cvr="12345678",
        address="Banegårdspladsen 1",
        postcode="2750",
        city="Ballerup",
        email="kontakt@ungdomsorkester.example.dk",
    )
    orchestra.members.append(Membership(user=people["forening"]))
    db.session.add(orchestra)

    db.session.add_all(
        [
            PartnerCity(
                name="Prag 10",
                country="CZ",
                relation=Relation.TWIN_CITY,
                valid_from=STRATEGY_APPROVED,
            ),
            PartnerCity(
                name="East Kilbride (South Lanarkshire)",
                country="GB",
                relation=Relation.TWIN_CITY,
                valid_from=STRATEGY_APPROVED,
            ),
            PartnerCity(
                name="Wuxi",
                country="CN",
                relation=Relation.PARTNERSHIP,
                valid_from=STRATEGY_APPROVED,
                note="Gennem Bycirklen med Egedal og Frederikssund.",
            ),
            PartnerCity(
                name="Brandenburg an der Havel",
                country="DE",
                relation=Relation.PARTNERSHIP,
                valid_from=STRATEGY_APPROVED,
            ),
            PartnerCity(
                name="Ystad",
                country="SE",
                relation=Relation.PARTNERSHIP,
                valid_from=dt.date(2020, 1, 1),
                note="Nordisk partnerby.",
            ),
        ]
    )
    db.session.flush()
    prague = db.session.scalar(select(PartnerCity).where(PartnerCity.name == "Prag 10"))
    demo_cases.load(people, {fund.code: fund for fund in funds}, orchestra, prague)
    return True


def _slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", ",": "", " ": "-"})
    return text.lower().translate(table).replace("--", "-")[:40]


def logins() -> list[tuple[str, str, str]]:
    return [
        (email, demo_password(stem), ", ".join(r.value for r in roles) or "representative")
        for email, _n, _t, roles, stem in DEMO_PEOPLE
    ]
