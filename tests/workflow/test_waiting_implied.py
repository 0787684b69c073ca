"""What waits for a person is decided by the rule (``Waiting.exact``); the implied condition
beside it only lets the database find the cases by its indexes. For any cases (applied by
employees, managers, caseworkers, board members or organisations' representatives, for
themselves or an organisation, on any fund and route, in any state, within or above the
limit, before or after the trip) and for every kind of person, the menu's count, the work
queue's condition and the task page's filter choices find exactly the cases the rule alone
finds; and the parts the task page's choices read from cover every one of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, or_, select

from grants.cases.models import Application
from grants.core import clock
from grants.desk import tasks
from grants.extensions import db
from grants.funds.models import Fund
from grants.organisations.models import Organisation
from grants.people.models import Role, User
from grants.workflow import engine
from grants.workflow.loader import current_route
from tests.factories import (
    make_application,
    make_fund,
    make_organisation,
    make_user,
    world_people,
)
from tests.workflow.test_transition_table import STATES

ROUTES = ("study_trip", "screening_decision", "official_trip", "committee_decision")


@dataclass
class Town:
    people: list[User]
    applicants: list[User]
    managers: list[User | None]
    organisations: list[Organisation | None]
    funds: list[Fund]
    routes: list[int]


def _town(world) -> Town:
    """Every kind of person, several at once: a caseworker on a board, a representative of
    two organisations who manages an employee."""
    board_caseworker = make_user(Role.EMPLOYEE, Role.CASEWORKER, Role.BOARD_MEMBER)
    representative = make_user(Role.EMPLOYEE)
    representing_manager = make_user(Role.EMPLOYEE, Role.MANAGER)
    employee_of_theirs = make_user(Role.EMPLOYEE, manager=representing_manager)
    association = make_organisation(representative, representing_manager)
    club = make_organisation(representing_manager, world.employee)
    funds = [
        world.fund,
        make_fund(route="screening_decision", delegated_limit=20000, board=[board_caseworker]),
        make_fund(route="official_trip", board=[world.board_member], report_before_return=True),
        make_fund(route="committee_decision"),
    ]
    db.session.commit()
    people = [
        *world_people(world),
        board_caseworker,
        representative,
        representing_manager,
        employee_of_theirs,
    ]
    return Town(
        people=people,
        applicants=[
            world.employee,
            world.manager,
            world.caseworker,
            world.board_member,
            board_caseworker,
            representative,
            representing_manager,
            employee_of_theirs,
        ],
        managers=[None, world.manager, representing_manager],
        organisations=[None, association, club],
        funds=funds,
        routes=[current_route(code).id for code in ROUTES],
    )


def _trip(days_to_return: int) -> dict:
    today = clock.today()
    return {
        "departure_date": today + dt.timedelta(days=days_to_return - 4),
        "return_date": today + dt.timedelta(days=days_to_return),
    }


def _ids(condition) -> set[int]:
    return set(
        db.session.scalars(
            select(Application.id).join(Fund, Fund.id == Application.fund_id).where(condition)
        )
    )


case = st.fixed_dictionaries(
    {
        "applicant": st.integers(0, 7),
        "manager": st.integers(0, 2),
        "organisation": st.integers(0, 2),
        "fund": st.integers(0, 3),
        # Mostly the fund's own route; sometimes another (a case that kept an older route
        # of its fund, or the fund's route was changed since).
        "route": st.one_of(st.none(), st.integers(0, 3)),
        "state": st.sampled_from(STATES),
        "amount": st.sampled_from([8000, 15000, 18000, 40000]),
        "trip": st.sampled_from([-3, 0, 6]),
    }
)


def drawn_case(town: Town, values: dict) -> Application:
    """The case ``case`` drew, made in ``town`` (not flushed)."""
    application = make_application(
        town.applicants[values["applicant"]],
        town.funds[values["fund"]],
        state=values["state"],
        amount=values["amount"],
        organisation=town.organisations[values["organisation"]],
        **_trip(values["trip"]),
    )
    application.manager = town.managers[values["manager"]]
    if values["route"] is not None:
        application.route_id = town.routes[values["route"]]
    return application


def test_the_implied_condition_changes_no_persons_cases(world):
    town = _town(world)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(case, max_size=12))
    def holds(drawn):
        for values in drawn:
            drawn_case(town, values)
        db.session.flush()
        for person in town.people:
            parts = engine.waiting_parts(person, quick=True)
            waiting = _ids(parts.exact)
            # The rule's cases, whichever way the condition is asked for (the implied
            # condition is ANDed to the rule: equal sets mean it left none out).
            assert _ids(engine.waiting_for(person, quick=True)) == waiting, person.email
            assert _ids(engine.waiting_for(person)) == waiting, person.email
            assert tasks.menu_count(person) == min(len(waiting), tasks.MENU_CAP + 1)
            # The task page's choices read the person's own cases and a probe per (state,
            # route) of the others: together they cover every case waiting.
            covered = or_(
                parts.own,
                *(
                    and_(Application.state == state, Application.route_id == route_id, on_fund)
                    for (state, route_id), on_fund in parts.staff_steps.items()
                ),
            )
            assert _ids(and_(parts.exact, covered)) == waiting, person.email
            pairs = db.session.execute(
                select(Fund.code, Fund.name, Application.state)
                .join(Fund, Fund.id == Application.fund_id)
                .where(parts.exact)
                .distinct()
            ).all()
            assert tasks.choices(person) == (
                sorted({(code, name) for code, name, _ in pairs}, key=lambda item: item[1]),
                sorted({state for _, _, state in pairs}),
            ), person.email
        db.session.rollback()

    holds()
