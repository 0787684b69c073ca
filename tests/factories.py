"""Small factories: each makes one valid object, with keyword overrides."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from grants.budgets.elections import election_period
from grants.budgets.opening import open_year
from grants.cases.models import Application, BudgetCategory, BudgetLine, Outcome
from grants.core import clock
from grants.core.models import Municipality
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund, FundBoardMember
from grants.organisations.models import Membership, Organisation
from grants.people import two_factor
from grants.people.models import Role, User
from grants.workflow.loader import current_route

PASSWORD = "correct horse battery staple"
# The authenticator key of the tests' administrators (who must have a second factor).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_seq = itertools.count(1)


def make_municipality(**overrides) -> Municipality:
    values = dict(
        name="Ballerup Kommune",
        unit="Sekretariatet for internationalt samarbejde",
        address="Hold-An Vej 7, 2750 Ballerup",
        cvr="58271713",
        email="international@balk.dk",
        phone="44 77 20 00",
        website="https://ballerup.dk",
        postcodes="2740 2750 2760",
        refund_reg_number="2211",
        refund_account_number="4455667788",
    )
    values.update(overrides)
    municipality = Municipality(**values)
    db.session.add(municipality)
    db.session.flush()
    return municipality


def make_organisation(
    *members: User,
    name: str | None = None,
    postcode: str = "2750",
    cvr: str | None = None,
    kind: str = "association",
    city: str = "Ballerup",
) -> Organisation:
    n = next(_seq)
    organisation = Organisation(
        name=name or f"Forening {n}",
        kind=kind,
        cvr=cvr or f"{10000000 + n}",
        address="Vej 1",
        postcode=postcode,
        city=city,
        email=f"forening{n}@example.dk",
    )
    for member in members:
        organisation.members.append(Membership(user=member))
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(
    *roles: Role,
    name: str | None = None,
    email: str | None = None,
    manager: User | None = None,
    locale: str = "da",
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"person{n}@ballerup.dk",
        name=name or f"Person {n}",
        manager=manager,
        locale=locale,
    )
    user.set_password(PASSWORD)
    for role in roles or (Role.EMPLOYEE,):
        user.grant_role(role)
    db.session.add(user)
    db.session.flush()
    if Role.ADMIN in user.roles:
        two_factor.enrol(user, TOTP_SECRET)
    return user


def totp_code(user: User, *, fresh: bool = True, secret: str = TOTP_SECRET) -> str:
    """The code the person's authenticator app shows now. ``fresh`` forgets the code used
    last (a code is good once; the tests log an administrator in many times a minute, and
    tests/people test the refusal of a code used again)."""
    import pyotp

    if fresh and user.two_factor is not None:
        user.two_factor.last_used_step = None
        db.session.commit()
    return pyotp.TOTP(secret).at(clock.now())


def make_fund(
    *,
    code: str | None = None,
    route: str = "study_trip",
    delegated_limit: str | int = 15000,
    budget: str | int | None = 100000,
    years: tuple[int, ...] | None = None,
    board: list[User] = (),
    kind: str = kinds.STUDY_TRIP.code,
    **overrides,
) -> Fund:
    n = next(_seq)
    fund = Fund(
        code=code or f"fund-{n}",
        name=overrides.pop("name", f"Studierejsefonden {n}"),
        kind=kind,
        route=current_route(route),
        delegated_limit=Decimal(delegated_limit),
        yearly_budget=Decimal(budget or 0),
        report_due_days=42,
        **overrides,
    )
    db.session.add(fund)
    db.session.flush()
    for member in board:
        fund.board.append(FundBoardMember(user=member))
    if budget is not None:
        for year in years or (clock.today().year, clock.today().year + 1):
            open_year(fund, year, amount=Decimal(budget))
    db.session.flush()
    return fund


def make_youth_fund(**overrides) -> Fund:
    """Ballerup's youth trips to partner cities (ungdomsrejser): 150,000 kr. a year, the
    caseworker decides up to 20,000 kr. Without its rule set (add_rule_set)."""
    values = dict(
        code="ungdomsrejser",
        name="Ungdomsrejser",
        kind=kinds.YOUTH_TRIP.code,
        route="screening_decision",
        delegated_limit=20000,
        budget=150000,
    )
    return make_fund(**{**values, **overrides})


def future(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def trip_dates(departure_in: int, days: int = 4) -> dict[str, dt.date]:
    """A trip's departure ``departure_in`` days from today (negative: in the past) and its
    return ``days`` later, as ``make_application``'s overrides."""
    departure = future(departure_in)
    return {"departure_date": departure, "return_date": departure + dt.timedelta(days=days)}


def make_application(
    applicant: User,
    fund: Fund,
    *,
    manager: User | None = None,
    state: str | None = None,
    amount: str | int = 8000,
    budget: dict | None = None,
    **overrides,
) -> Application:
    values = dict(
        title="Studietur til Helsinki om ungdomsskoler",
        purpose="At lære af finske ungdomsskolers arbejde med inklusion.",
        destination_city="Helsinki",
        destination_country="FI",
        departure_date=future(60),
        return_date=future(64),
        programme="Dag 1: besøg på Vuosaari ungdomsskole. Dag 2: konference.",
        travellers="Mette Madsen, pædagog",
        traveller_count=1,
        other_funding=Decimal("0"),
        amount_applied=Decimal(amount),
        expected_benefit="Nye metoder til inklusion i vores klubber.",
        knowledge_sharing="Oplæg på personalemøde og en artikel på intranettet.",
    )
    values.update(overrides)
    application = Application(
        fund=fund,
        route=fund.route,
        state=state or fund.route.initial_state,
        applicant=applicant,
        manager=manager or applicant.manager,
        **values,
    )
    lines = budget or {
        BudgetCategory.TRANSPORT: 3000,
        BudgetCategory.ACCOMMODATION: 4000,
        BudgetCategory.FEES: 2000,
        BudgetCategory.MEALS: 1000,
    }
    for position, (category, line_amount) in enumerate(lines.items()):
        application.budget_lines.append(
            BudgetLine(position=position, category=category, amount=Decimal(line_amount))
        )
    db.session.add(application)
    db.session.flush()
    if application.state != "draft" and application.case_number is None:
        application.case_number = f"{clock.today().year}-{application.id:06d}"
    # A case made directly in a decided state has the outcome such a case would have.
    if application.outcome is None and application.state in DECIDED_STATES:
        application.outcome = DECIDED_STATES[application.state]
    return application


def make_cases_in_every_state(
    applicant: User, fund: Fund, states, trips, amounts=(8000, 40000)
) -> list[Application]:
    """A case for every amount (within and above the fund's delegated limit), state and trip
    (its dates), each with a 50,000 kr. transport line, committed."""
    cases = [
        make_application(
            applicant, fund, amount=amount, state=state, budget={"transport": 50000}, **trip
        )
        for amount in amounts
        for state in states
        for trip in trips
    ]
    db.session.commit()
    return cases


def world_people(world) -> list[User]:
    """The world's people of every kind (``world`` fixture): each route role and none."""
    return [
        world.employee,
        world.manager,
        world.caseworker,
        world.board_member,
        world.finance,
        world.admin,
        world.outsider,
    ]


def cases_before_and_after_the_trip(world, states) -> list[Application]:
    """``make_cases_in_every_state`` for the world's employee and fund, each state with a
    trip not yet begun and one just ended."""
    today = clock.today()
    trips = [
        {"departure_date": departure, "return_date": departure + dt.timedelta(days=3)}
        for departure in (today + dt.timedelta(days=3), today - dt.timedelta(days=6))
    ]
    return make_cases_in_every_state(world.employee, world.fund, states, trips)


DECIDED_STATES = {
    "granted": Outcome.GRANTED,
    "partly_granted": Outcome.PARTLY_GRANTED,
    "refused": Outcome.REFUSED,
    "report_submitted": Outcome.GRANTED,
    "report_returned": Outcome.GRANTED,
    "settled": Outcome.GRANTED,
    "cancelled": Outcome.GRANTED,
}


@dataclass
class StudyTripWorld:
    municipality: Municipality
    employee: User
    manager: User
    caseworker: User
    board_member: User
    finance: User
    admin: User
    outsider: User
    fund: Fund


def study_trip_world() -> StudyTripWorld:
    municipality = make_municipality()
    manager = make_user(Role.EMPLOYEE, Role.MANAGER, name="Lars Lund", email="leder@ballerup.dk")
    employee = make_user(
        Role.EMPLOYEE, name="Mette Madsen", email="medarbejder@ballerup.dk", manager=manager
    )
    caseworker = make_user(
        Role.EMPLOYEE, Role.CASEWORKER, name="Sara Skov", email="sagsbehandler@ballerup.dk"
    )
    board_member = make_user(
        Role.EMPLOYEE, Role.BOARD_MEMBER, name="Bent Bach", email="bestyrelse@ballerup.dk"
    )
    finance = make_user(Role.EMPLOYEE, Role.FINANCE, name="Olga Olsen", email="okonomi@ballerup.dk")
    admin = make_user(Role.ADMIN, name="Anders Andersen", email="admin@ballerup.dk")
    outsider = make_user(Role.EMPLOYEE, name="Ole Udenfor", email="ole@ballerup.dk")
    fund = make_fund(code="studierejsefonden", name="Studierejsefonden", board=[board_member])
    db.session.commit()
    return StudyTripWorld(
        municipality, employee, manager, caseworker, board_member, finance, admin, outsider, fund
    )


def this_year() -> int:
    """The year of the app's clock, read when a test runs: never at import or collection,
    where a run that crosses New Year would compare last year with this year's clock."""
    return clock.today().year


def this_period() -> tuple[int, int]:
    """The election period of the app's today as (first year, last year): a committee made
    by a test has its mandate on the day the test runs, in 2026 or in 2031 (a committee
    meets only within its period)."""
    period = election_period(clock.today().year)
    return period.first, period.last
