"""Each case keeps from which day it waits for whose step (``grants.workflow.waits_for``),
and what waits for a person is found by those days. For any cases and any changes to them,
their funds and their routes, on the day of the change and a week after, the work
queue's condition finds exactly the cases the rule finds when it is worked out straight
from the transition table and the guards, case by case (what the days replaced); and
each guard's first day agrees with whether it holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, create_engine, false, or_, select, text

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import clock
from grants.extensions import db
from grants.funds.models import Fund, FundBoardMember
from grants.organisations.models import Membership
from grants.people.models import Role, User
from grants.workflow import engine
from grants.workflow.cli import refresh_waiting
from grants.workflow.guards import GUARDS, guard
from grants.workflow.models import CaseRole, Route, Transition
from tests.factories import make_application, make_fund, make_user
from tests.workflow.test_transition_table import STATES
from tests.workflow.test_waiting_implied import _ids, _town, _trip, case, drawn_case


def rule_from_the_routes(person: User):
    """What waits for ``person``, from the transition table read now and the guards' SQL
    forms, tested on every case: the rule before the cases kept their days."""
    steps: dict[CaseRole, list] = {}
    for route_id, from_state, role, guard_name in db.session.execute(
        select(Transition.route_id, Transition.from_state, Transition.role, Transition.guard).where(
            Transition.notifies
        )
    ):
        steps.setdefault(CaseRole(role), []).append(
            and_(
                Application.route_id == route_id,
                Application.state == from_state,
                guard(guard_name).sql(Application, Fund),
            )
        )

    def step_for(role: CaseRole):
        return or_(*steps[role]) if role in steps else false()

    organisations = select(Membership.organisation_id).where(Membership.user_id == person.id)
    applicant_side = or_(
        Application.applicant_id == person.id,
        and_(
            Application.organisation_id.is_not(None),
            Application.organisation_id.in_(organisations),
        ),
    )
    boards = select(FundBoardMember.fund_id).where(FundBoardMember.user_id == person.id)
    others = [
        and_(Application.manager_id == person.id, step_for(CaseRole.MANAGER)),
        and_(Application.fund_id.in_(boards), step_for(CaseRole.BOARD_MEMBER)),
    ]
    if person.has_role(Role.CASEWORKER):
        others.append(step_for(CaseRole.CASEWORKER))
    return or_(
        and_(applicant_side, step_for(CaseRole.APPLICANT)),
        and_(~applicant_side, or_(*others)),
    )


def _on(day: dt.date):
    """The app's clock at 07:00 on ``day`` (inside a hypothesis example: no fixture)."""
    moment = dt.datetime.combine(day, dt.time(7, 0), tzinfo=clock.LOCAL)
    return patch.object(clock, "now", lambda: moment.astimezone(dt.UTC))


def _agree(town, days_later: int) -> None:
    with _on(clock.today() + dt.timedelta(days=days_later)):
        for person in town.people:
            assert _ids(engine.waiting_for(person)) == _ids(rule_from_the_routes(person)), (
                person.email,
                days_later,
            )


change = st.one_of(
    st.tuples(st.just("state"), st.integers(0, 11), st.sampled_from(STATES)),
    st.tuples(st.just("amount"), st.integers(0, 11), st.sampled_from([8000, 15000, 40000])),
    st.tuples(st.just("trip"), st.integers(0, 11), st.sampled_from([-3, 0, 6, None])),
    st.tuples(st.just("route"), st.integers(0, 11), st.integers(0, 3)),
    st.tuples(st.just("fund"), st.integers(0, 11), st.integers(0, 3)),
    st.tuples(st.just("limit"), st.integers(0, 3), st.sampled_from([10000, 20000, 50000])),
    st.tuples(st.just("report_before_return"), st.integers(0, 3), st.booleans()),
)


def test_the_kept_days_find_what_the_routes_say_after_any_changes(world):
    town = _town(world)

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(case, min_size=1, max_size=12), st.lists(change, max_size=8))
    def holds(drawn, changes):
        cases = [drawn_case(town, values) for values in drawn]
        db.session.flush()
        _agree(town, 0)
        for what, which, value in changes:
            application = cases[which % len(cases)]
            if what == "state":
                application.state = value
            elif what == "amount":
                application.amount_applied = Decimal(value)
            elif what == "trip":
                application.return_date = None if value is None else _trip(value)["return_date"]
            elif what == "route":
                # The relationship, as the engine moves a case to a newer route.
                application.route = db.session.get(Route, town.routes[value])
            elif what == "fund":
                application.fund = town.funds[value]
            elif what == "limit":
                town.funds[which].delegated_limit = Decimal(value)
            else:
                town.funds[which].report_before_return = value
        db.session.flush()
        for days_later in (0, 7):
            _agree(town, days_later)
        db.session.rollback()

    holds()


def test_a_case_knows_its_days_as_soon_as_it_is_flushed(world):
    """The session's own objects learn the days the UPDATE worked out (no stale None)."""
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.flush()
    assert application.waits_for_caseworker == dt.date(1, 1, 1)
    assert application.waits_for_applicant is None
    application.state = State.GRANTED
    db.session.flush()
    # The report is the applicant's from the return date (the fund wants it after the trip).
    assert application.waits_for_applicant == application.return_date
    assert application.waits_for_caseworker is None


def test_a_route_changed_in_place_moves_its_cases(world):
    """Routes are loaded whole and versioned; a transition that stops notifying (a route
    made and changed in one go, a repair by hand) still moves what its cases wait for."""
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.flush()
    assert application.id in _ids(engine.waiting_for(world.caseworker))
    for transition in db.session.scalars(
        select(Transition).where(
            Transition.route_id == application.route_id,
            Transition.from_state == State.SCREENING,
            Transition.role == CaseRole.CASEWORKER,
        )
    ):
        transition.notifies = False
    db.session.flush()
    assert application.waits_for_caseworker is None
    assert application.id not in _ids(engine.waiting_for(world.caseworker))
    db.session.rollback()


@pytest.mark.parametrize("by", ["route_id", "route"])
def test_a_transition_moved_to_another_route_moves_the_cases_it_left(world, by):
    """A transition given to another route (a repair by hand) is a change of both routes:
    the cases of the route it left stop waiting for it, not only those of its new one."""
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.flush()
    assert application.id in _ids(engine.waiting_for(world.caseworker))
    other = Route(code="repair", version=1, name="Reparation", initial_state=State.DRAFT)
    db.session.add(other)
    db.session.flush()
    for transition in db.session.scalars(
        select(Transition).where(
            Transition.route_id == application.route_id,
            Transition.from_state == State.SCREENING,
            Transition.role == CaseRole.CASEWORKER,
        )
    ):
        if by == "route_id":
            transition.route_id = other.id
        else:
            transition.route = other
    db.session.flush()
    assert application.waits_for_caseworker is None
    assert application.id not in _ids(engine.waiting_for(world.caseworker))
    db.session.rollback()


def test_refresh_waiting_mends_days_written_past_the_app(world, app):
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.commit()
    db.session.execute(
        Application.__table__.update()
        .where(Application.id == application.id)
        .values(waits_for_caseworker=None, waits_for_applicant=dt.date(2000, 1, 1))
    )
    db.session.commit()
    assert application.id not in _ids(engine.waiting_for(world.caseworker))
    result = app.test_cli_runner().invoke(refresh_waiting)
    assert result.exit_code == 0, result.output
    assert "Cases: " in result.output
    db.session.expire_all()
    assert application.id in _ids(engine.waiting_for(world.caseworker))
    assert application.id not in _ids(engine.waiting_for(world.employee))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(sorted(GUARDS)),
    amount=st.sampled_from([9999, 10000, 10001]),
    report_before_return=st.booleans(),
    returns_in=st.one_of(st.none(), st.integers(-3, 3)),
)
def test_each_guard_holds_from_its_first_day(world, name, amount, report_before_return, returns_in):
    """A guard holds today exactly when its first day (``since``) is today or before, by
    its Python form and by its SQL form, on every day around the return."""
    fund = make_fund(delegated_limit=10000, report_before_return=report_before_return)
    return_date = None if returns_in is None else clock.today() + dt.timedelta(days=returns_in)
    application = make_application(
        world.employee,
        fund,
        amount=amount,
        return_date=return_date,
        departure_date=None if return_date is None else return_date - dt.timedelta(days=2),
    )
    db.session.flush()
    named = GUARDS[name]
    first_day = db.session.scalar(
        select(named.since(Application, Fund))
        .select_from(Application)
        .join(Fund, Fund.id == Application.fund_id)
        .where(Application.id == application.id)
    )
    for shift in (-4, 0, 4):
        today = clock.today() + dt.timedelta(days=shift)
        with _on(today):
            by_sql = db.session.scalar(
                select(named.sql(Application, Fund))
                .select_from(Application)
                .join(Fund, Fund.id == Application.fund_id)
                .where(Application.id == application.id)
            )
            assert named.holds(application) == (first_day is not None and first_day <= today)
            assert bool(by_sql) == named.holds(application), (name, shift)
    db.session.rollback()


def test_a_new_person_of_the_board_sees_the_waiting_cases(world):
    """The days are the case's, not a person's: joining a board needs no refresh."""
    fund = make_fund(route="screening_decision", delegated_limit=1000, board=[world.board_member])
    application = make_application(world.employee, fund, state=State.AWAITING_DECISION, amount=5000)
    db.session.flush()
    newcomer = make_user(Role.EMPLOYEE, Role.BOARD_MEMBER)
    assert application.id not in _ids(engine.waiting_for(newcomer))
    db.session.add(FundBoardMember(fund_id=fund.id, user_id=newcomer.id))
    db.session.flush()
    assert application.id in _ids(engine.waiting_for(newcomer))
    db.session.rollback()


def test_a_funds_new_limit_moves_its_waiting_cases_between_caseworker_and_board(world):
    """The delegated limit decides whose decision a case waits for: lowering it below the
    amount applied gives the case to the board, raising it gives it back, with nothing
    done to the case itself."""
    fund = make_fund(route="screening_decision", delegated_limit=20000, board=[world.board_member])
    application = make_application(
        world.employee, fund, state=State.AWAITING_DECISION, amount=15000
    )
    db.session.commit()
    assert application.id in _ids(engine.waiting_for(world.caseworker))
    assert application.id not in _ids(engine.waiting_for(world.board_member))
    fund.delegated_limit = Decimal(10000)
    db.session.commit()
    assert application.id not in _ids(engine.waiting_for(world.caseworker))
    assert application.id in _ids(engine.waiting_for(world.board_member))
    fund.delegated_limit = Decimal(15000)
    db.session.commit()
    assert application.id in _ids(engine.waiting_for(world.caseworker))


def test_a_fund_that_takes_reports_before_the_return_wants_them_at_once(world):
    application = make_application(world.employee, world.fund, state=State.GRANTED, **_trip(10))
    db.session.commit()
    assert application.id not in _ids(engine.waiting_for(world.employee))
    world.fund.report_before_return = True
    db.session.commit()
    assert application.id in _ids(engine.waiting_for(world.employee))
    world.fund.report_before_return = False
    db.session.commit()
    assert application.id not in _ids(engine.waiting_for(world.employee))
    with _on(application.return_date):
        assert application.id in _ids(engine.waiting_for(world.employee))


def test_counting_by_the_rules_branches_counts_what_the_rule_finds_up_to_any_cap(world):
    """``counted_ids``: the union of the branches, each read up to the cap, counted up to
    the cap, is the number of cases the rule finds, or the cap when there are more."""
    from sqlalchemy import func

    town = _town(world)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(case, min_size=1, max_size=10), st.integers(1, 4))
    def holds(drawn, cap):
        for values in drawn:
            drawn_case(town, values)
        db.session.flush()
        for person in town.people:
            waiting = engine.waiting_parts(person, quick=True)
            ids = engine.counted_ids(select(Application.id), waiting, cap).limit(cap)
            counted = db.session.scalar(select(func.count()).select_from(ids.subquery()))
            assert counted == min(len(_ids(waiting.exact)), cap), person.email
        db.session.rollback()

    holds()


def _updated_at(application: Application) -> dt.datetime:
    """The row's ``updated_at``, in UTC (SQLite gives it back naive, in UTC)."""
    moment = db.session.scalar(
        select(Application.updated_at).where(Application.id == application.id)
    )
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_working_the_days_out_again_is_no_edit_of_the_case(world, app):
    """The days are derived: a fund's new limit or report setting, or refresh-waiting, works
    out every case of the fund (or every case) again, but changes none of them. A case's
    ``updated_at`` orders "Mine ansøgninger" and dates a case without a journal for the
    privacy purge: an administrator's edit of a fund moved none of its cases, settled ones
    included, and the bench's cases keep the moments the data set gave them."""
    fund = make_fund(route="screening_decision", delegated_limit=20000, board=[world.board_member])
    waiting = make_application(world.employee, fund, state=State.AWAITING_DECISION, amount=15000)
    settled = make_application(world.employee, fund, state=State.SETTLED, amount=15000)
    db.session.commit()
    long_ago = dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.UTC)
    db.session.execute(
        Application.__table__.update()
        .where(Application.id.in_([waiting.id, settled.id]))
        .values(updated_at=long_ago)
    )
    db.session.commit()
    kept = {case.id: _updated_at(case) for case in (waiting, settled)}

    fund.delegated_limit = Decimal(10000)
    fund.report_before_return = True
    db.session.commit()
    assert waiting.id in _ids(engine.waiting_for(world.board_member))
    assert {case.id: _updated_at(case) for case in (waiting, settled)} == kept

    result = app.test_cli_runner().invoke(refresh_waiting)
    assert result.exit_code == 0, result.output
    assert {case.id: _updated_at(case) for case in (waiting, settled)} == kept


def test_a_changed_case_keeps_the_moment_of_its_change(world):
    """The case's own change stamps it once: the session's object and the row agree."""
    application = make_application(world.employee, world.fund, state=State.SCREENING)
    db.session.commit()
    application.state = State.AWAITING_DECISION
    db.session.flush()
    assert application.updated_at == _updated_at(application)
    db.session.rollback()


def test_a_funds_new_limit_waits_for_no_step_on_a_case_it_does_not_move(world, database_url):
    """A fund's change works out every case of the fund again, but writes, and so locks on
    PostgreSQL, only the cases whose days it moves. A step under way holds its case's row
    until it commits; an administrator saving the fund's delegated limit waited for every
    case of the fund, that one too (and, when the step then waited for the fund's lock,
    the two deadlocked: tests/budgets/test_lock_order.py). A case the limit does not move
    (granted: its report waits for the return date) is not touched, so the save waits for
    no step on it; the case the limit moves goes to the board."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite has one writer")
    fund = make_fund(route="screening_decision", delegated_limit=20000, board=[world.board_member])
    busy = make_application(world.employee, fund, state=State.GRANTED, amount=8000, **_trip(10))
    moved = make_application(world.employee, fund, state=State.AWAITING_DECISION, amount=15000)
    db.session.commit()
    elsewhere = create_engine(database_url)
    try:
        with elsewhere.begin() as step_under_way:
            # The row lock a step's UPDATE takes (no key changes), held until it commits.
            step_under_way.execute(
                text("SELECT id FROM application WHERE id = :id FOR NO KEY UPDATE"),
                {"id": busy.id},
            )
            db.session.execute(text("SET LOCAL lock_timeout = '3s'"))
            fund.delegated_limit = Decimal(10000)
            db.session.flush()
        db.session.commit()
    finally:
        elsewhere.dispose()
    assert moved.id in _ids(engine.waiting_for(world.board_member))
    assert moved.id not in _ids(engine.waiting_for(world.caseworker))


def test_a_new_amount_or_return_date_moves_the_case_at_once(world):
    """A case's own change moves it: an amount above the limit gives the decision to the
    board, an earlier return date makes the report due now."""
    fund = make_fund(route="screening_decision", delegated_limit=20000, board=[world.board_member])
    deciding = make_application(world.employee, fund, state=State.AWAITING_DECISION, amount=15000)
    granted = make_application(world.employee, world.fund, state=State.GRANTED, **_trip(10))
    db.session.commit()
    assert deciding.id in _ids(engine.waiting_for(world.caseworker))
    assert granted.id not in _ids(engine.waiting_for(world.employee))
    deciding.amount_applied = Decimal(25000)
    granted.return_date = clock.today() - dt.timedelta(days=1)
    db.session.commit()
    assert deciding.id not in _ids(engine.waiting_for(world.caseworker))
    assert deciding.id in _ids(engine.waiting_for(world.board_member))
    assert granted.id in _ids(engine.waiting_for(world.employee))
