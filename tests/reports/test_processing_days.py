"""The processing times counted as they happen (ProcessingDays): calendar days in the
municipality's time zone, kept with every change of a case or a report, always equal to the
counts made again from the cases, and what the budgets dashboard reads."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from grants.applications.operations import decide, request_reconsideration
from grants.cases.models import Application
from grants.core import clock
from grants.core.stats import Spread
from grants.extensions import db
from grants.reports import processing
from grants.reports.models import ProcessingDays, TripReport
from grants.reports.timing import case_times, measured
from tests.factories import make_application, make_fund

FUND_NUMBERS = itertools.count(1)
# Every moment of the property test is this one plus some minutes: the year's end in
# Copenhagen (23:00 UTC) and a few midnights are crossed.
START = dt.datetime(2025, 12, 29, 20, 0, tzinfo=dt.UTC)


def local(*args: int) -> dt.datetime:
    """A moment in Copenhagen, as UTC (SQLite keeps the time as given, read back as UTC)."""
    return dt.datetime(*args, tzinfo=clock.LOCAL).astimezone(dt.UTC)


def kept() -> list[tuple]:
    rows = db.session.execute(
        select(
            ProcessingDays.year,
            ProcessingDays.fund_id,
            ProcessingDays.measure,
            ProcessingDays.days,
            ProcessingDays.cases,
        )
    )
    # A place that once counted a case keeps its row at zero.
    return sorted(tuple(row) for row in rows if row.cases)


def rebuilt() -> list[tuple]:
    processing.rebuild()
    return kept()


def decided_case(world, submitted: dt.datetime, decided: dt.datetime | None, fund=None):
    application = make_application(world.employee, fund or world.fund, state="granted")
    application.submitted_at = submitted
    application.decided_at = decided
    db.session.flush()
    return application


def report_of(application: Application) -> TripReport | None:
    """Asked of the database: ``application.report`` may still hold a report deleted."""
    return db.session.scalar(select(TripReport).where(TripReport.application_id == application.id))


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


minutes = st.integers(0, 60 * 24 * 5)
operation = st.one_of(
    st.tuples(
        st.just("new"),
        st.integers(0, 1),
        minutes,
        st.one_of(st.none(), minutes),
        st.one_of(st.none(), st.tuples(minutes, minutes)),  # a report sent and approved
    ),
    st.tuples(st.just("decide"), st.integers(0, 20), st.one_of(st.none(), minutes)),
    st.tuples(st.just("submit"), st.integers(0, 20), st.one_of(st.none(), minutes)),
    st.tuples(st.just("fund"), st.integers(0, 20)),
    st.tuples(st.just("report"), st.integers(0, 20), minutes, st.one_of(st.none(), minutes)),
    st.tuples(st.just("approve"), st.integers(0, 20), st.one_of(st.none(), minutes)),
    st.tuples(st.just("delete_report"), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("commit")),
    st.tuples(st.just("rollback")),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, max_size=25))
def test_the_kept_counts_equal_the_cases_counted_again(world, operations):
    # The world lives through all the examples: each makes its second fund under a new code.
    db.session.rollback()
    funds = [world.fund, make_fund(code=f"tid-{next(FUND_NUMBERS)}")]
    db.session.commit()
    made: list[Application] = []
    for step in operations:
        kind, *args = step
        # Without loading them: after a commit the changes below are made to expired cases.
        alive = [a for a in made if a in db.session and inspect(a).has_identity]
        if kind == "new":
            fund, submitted, decided, report = args
            application = decided_case(
                world, at(submitted), None if decided is None else at(decided), funds[fund]
            )
            if report is not None:
                db.session.add(
                    TripReport(
                        application=application,
                        submitted_at=at(report[0]),
                        approved_at=at(report[1]),
                    )
                )
            made.append(application)
        elif kind == "commit":
            db.session.commit()
        elif kind == "rollback":
            db.session.rollback()
            made = [a for a in made if a in db.session]
        elif not alive:
            continue
        elif kind in ("decide", "submit"):
            column = "decided_at" if kind == "decide" else "submitted_at"
            moment = None if args[1] is None else at(args[1])
            setattr(alive[args[0] % len(alive)], column, moment)
        elif kind == "fund":  # to the other fund
            application = alive[args[0] % len(alive)]
            application.fund = funds[1] if application.fund_id == funds[0].id else funds[0]
        elif kind == "report":
            application = alive[args[0] % len(alive)]
            approved = None if args[2] is None else at(args[2])
            report = report_of(application)
            if report is None:
                db.session.add(
                    TripReport(
                        application=application, submitted_at=at(args[1]), approved_at=approved
                    )
                )
            else:  # sent again: the approval is undone until it is approved again
                report.submitted_at = at(args[1])
                report.approved_at = approved
        elif kind == "approve":
            report = report_of(alive[args[0] % len(alive)])
            if report is not None:
                report.approved_at = None if args[1] is None else at(args[1])
        elif kind == "delete_report":
            report = report_of(alive[args[0] % len(alive)])
            if report is not None:
                db.session.delete(report)
        elif kind == "delete":
            application = alive[args[0] % len(alive)]
            report = report_of(application)
            if report is not None:
                db.session.delete(report)
            db.session.delete(application)
            made.remove(application)
        db.session.flush()
    counted = kept()
    assert rebuilt() == counted
    db.session.rollback()


def test_a_case_decided_late_on_the_day_it_was_sent_took_no_days(world):
    application = decided_case(world, local(2026, 3, 10, 8, 0), local(2026, 3, 10, 23, 30))
    db.session.commit()
    assert kept() == [(2026, world.fund.id, "decision", 0, 1)]
    assert case_times(application)["decision"] == 0
    assert measured([world.fund.id], 2026) == {(world.fund.id, 2026): {"decision": Spread(1, 0, 0)}}


def test_a_case_sent_on_new_years_eve_and_decided_on_2_january_took_2_days_of_the_new_year(
    world,
):
    # 25 hours, but three calendar days' dates: 31 December, 1 and 2 January (in UTC the
    # decision is still on 1 January).
    decided_case(world, local(2025, 12, 31, 23, 30), local(2026, 1, 2, 0, 30))
    db.session.commit()
    assert kept() == [(2026, world.fund.id, "decision", 2, 1)]
    assert measured([world.fund.id], 2025) == {}
    assert measured(None, 2026)[world.fund.id, 2026]["decision"] == Spread(1, 2, 2)


def test_the_median_and_90th_percentile_are_worked_out_from_the_counts(world):
    for days in (2, 4, 4, 10):
        decided_case(world, local(2026, 5, 1, 9, 0), local(2026, 5, 1 + days, 15, 0))
    db.session.commit()
    spread = measured([world.fund.id], 2026)[world.fund.id, 2026]["decision"]
    assert (spread.count, spread.median) == (4, 4)
    assert abs(spread.p90 - 8.2) < 1e-9  # 4 + (10 - 4) * 0.7


def test_a_reconsidered_case_moves_to_the_day_of_its_new_decision(world, monkeypatch):
    def now_is(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    application = make_application(world.employee, world.fund, state="awaiting_decision")
    application.submitted_at = local(2026, 4, 1, 10, 0)
    now_is(local(2026, 4, 8, 11, 0))
    decide(application, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen dækkes.")
    db.session.commit()
    assert kept() == [(2026, world.fund.id, "decision", 7, 1)]

    request_reconsideration(application, world.employee, "request_reconsideration", "Se igen.")
    now_is(local(2026, 4, 21, 9, 0))
    decide(application, world.caseworker, "grant", None, "")
    db.session.commit()

    assert kept() == [(2026, world.fund.id, "decision", 20, 1)]
    assert rebuilt() == kept()


def test_a_report_approved_counts_under_its_cases_fund_and_moves_with_the_case(world):
    other = make_fund(code="anden-tid", name="Anden pulje")
    application = decided_case(world, local(2026, 2, 1, 9, 0), local(2026, 2, 3, 9, 0))
    report = TripReport(application=application, submitted_at=local(2026, 6, 1, 9, 0))
    db.session.add(report)
    db.session.commit()
    assert kept() == [(2026, world.fund.id, "decision", 2, 1)]  # not approved: not counted

    report.approved_at = local(2026, 6, 5, 16, 0)
    db.session.commit()
    assert (2026, world.fund.id, "settlement", 4, 1) in kept()

    application.fund = other
    db.session.commit()
    assert kept() == [
        (2026, other.id, "decision", 2, 1),
        (2026, other.id, "settlement", 4, 1),
    ]
    report.approved_at = None  # returned: no longer settled
    db.session.commit()
    assert kept() == [(2026, other.id, "decision", 2, 1)]
    assert rebuilt() == kept()


def test_a_purged_case_keeps_its_times_in_the_counts(world, runner):
    """The purge anonymises a case; when it was sent and decided are no personal data, and
    the statistics of the years it counts in stay as they were."""
    from tests.privacy.test_privacy import old_closed_case

    old = old_closed_case(world.employee, world.fund, world.caseworker, years_ago=7)
    old.submitted_at = local(2019, 3, 1, 9, 0)
    old.decided_at = local(2019, 3, 15, 9, 0)
    db.session.add(
        TripReport(
            application=old,
            submitted_at=local(2019, 9, 1, 9, 0),
            approved_at=local(2019, 9, 3, 9, 0),
        )
    )
    db.session.commit()
    before = kept()
    assert before == [
        (2019, world.fund.id, "decision", 14, 1),
        (2019, world.fund.id, "settlement", 2, 1),
    ]

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "Anonymised 1 case(s)" in result.output, result.output
    db.session.expire_all()
    assert old.title == "[slettet]"
    assert kept() == before
    assert rebuilt() == before


def test_a_case_deleted_leaves_the_counts(world):
    application = decided_case(world, local(2026, 2, 1, 9, 0), local(2026, 2, 3, 9, 0))
    db.session.commit()
    db.session.delete(application)
    db.session.commit()
    assert kept() == []
