"""Time to decision: per case, per fund and year (the budgets dashboard and its export), and
the applicant's status tracker with the fund's measured median."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from grants.cases.states import State
from grants.core import clock
from grants.core.stats import percentile
from grants.extensions import db
from grants.reports.models import TripReport
from tests import html
from tests.factories import make_application


def decided(world, days: float, **overrides):
    """A case decided ``days`` after it was submitted, decided an hour ago."""
    decided_at = clock.now() - dt.timedelta(hours=1)
    application = make_application(world.employee, world.fund, state=State.GRANTED, **overrides)
    application.submitted_at = decided_at - dt.timedelta(days=days)
    application.decided_at = decided_at
    return application


@pytest.fixture
def measured(world):
    cases = [decided(world, days) for days in (2, 4, 10)]
    settled = cases[0]
    settled.state = State.SETTLED
    db.session.add(
        TripReport(
            application=settled,
            submitted_at=clock.now() - dt.timedelta(days=6, hours=1),
            approved_at=clock.now() - dt.timedelta(hours=1),
        )
    )
    db.session.commit()
    return cases


def test_percentiles_as_postgresql_computes_them():
    assert percentile([2, 4, 10], 0.5) == 4
    assert percentile([2, 4, 10], 0.9) == pytest.approx(8.8)
    assert percentile([7], 0.9) == 7


def test_the_case_page_says_its_own_times(client, auth, world, measured):
    auth.login(world.caseworker)
    response = client.get(f"/ansoegninger/{measured[0].id}")
    text = html.text_of(response)
    assert "2 dage fra indsendelse til afgørelse" in text
    assert "6 dage fra rapport til afregning" in text


def test_the_dashboard_shows_median_and_90th_percentile_per_fund(client, auth, world, measured):
    auth.login(world.finance)
    response = client.get("/budgetter")
    rows = html.table_rows(response, "#case-times")
    (fund_row,) = [row for row in rows if row[0] == "Studierejsefonden"]
    assert fund_row[1:] == ["3", "4 dage", "9 dage", "1", "6 dage", "6 dage"]


def test_the_export_holds_the_same_figures(client, auth, world, measured):
    auth.login(world.finance)
    response = client.get(f"/budgetter/eksport/times.csv?year={clock.today().year}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    (row,) = rows
    assert row["fund_code"] == "studierejsefonden"
    assert (row["decisions"], row["decision_median_days"], row["decision_p90_days"]) == (
        "3",
        "4.0",
        "8.8",
    )
    assert (row["settlements"], row["settlement_median_days"]) == ("1", "6.0")
    xlsx = client.get("/budgetter/eksport/times.xlsx")
    assert xlsx.status_code == 200


def test_the_applicant_sees_where_the_case_is_and_when_to_expect_a_decision(
    client, auth, world, measured
):
    waiting = make_application(world.employee, world.fund, state=State.SCREENING)
    waiting.submitted_at = clock.now()
    db.session.commit()
    auth.login(world.employee)
    response = client.get(f"/ansoegninger/{waiting.id}")
    steps = html.page(response).select("section.status-tracker ol > li")
    current = [step for step in steps if step.get("aria-current") == "step"]
    assert len(current) == 1 and "Sagsbehandling" in html.text(current[0])
    expected = html.text_of(response, "#expected-decision")
    assert "inden for 4 dage" in expected
    assert clock.today().year and "forventer en afgørelse omkring" in expected
    client.post("/sprog", data={"locale": "en", "next": "/"})
    english = html.text_of(client.get(f"/ansoegninger/{waiting.id}"), "section.status-tracker")
    assert "Where is the case?" in english and "within 4 days" in english


def test_staff_see_no_tracker_and_too_few_decisions_say_so(client, auth, world):
    waiting = make_application(world.employee, world.fund, state=State.SCREENING)
    waiting.submitted_at = clock.now()
    db.session.commit()
    auth.login(world.caseworker)
    assert not html.page(client.get(f"/ansoegninger/{waiting.id}")).select("section.status-tracker")
    auth.login(world.employee)
    text = html.text_of(client.get(f"/ansoegninger/{waiting.id}"), "section.status-tracker")
    assert "for få afgjorte sager" in text


def test_the_expected_time_counts_local_calendar_days_of_the_last_year_only(world):
    """The fund's expected time: calendar days in Copenhagen, never below 0, over its
    decisions of the last 365 days. PostgreSQL works the days out in SQL and SQLite in Python
    (grants.reports.processing): this test runs on both and holds them to the same days."""
    from grants.reports.timing import fund_decision_time
    from tests.factories import make_fund

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A moment on the clock in Copenhagen, stored in UTC as the app stores them."""
        local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.LOCAL)
        return local.astimezone(dt.UTC)

    day = clock.today() - dt.timedelta(days=10)

    def case(submitted, decided, fund=world.fund, state=State.GRANTED):
        application = make_application(world.employee, fund, state=state)
        application.submitted_at, application.decided_at = submitted, decided
        return application

    # Across local midnight: 1 day here, 0 in UTC (the same UTC date, summer or winter).
    case(at(day, 23, 30), at(day + dt.timedelta(days=1), 0, 30))
    case(at(day, 23, 45), at(day + dt.timedelta(days=1), 0, 15))
    case(at(day, 9), at(day + dt.timedelta(days=3), 15))  # 3 days
    case(at(day, 12), at(day, 10))  # decided before it was sent, as data can be: 0
    # Not counted: a year and a day ago, another fund, undecided, never sent.
    long_ago = clock.today() - dt.timedelta(days=366)
    case(at(long_ago, 9), at(long_ago, 10))
    case(at(day, 9), at(day + dt.timedelta(days=30), 9), fund=make_fund(code="anden"))
    case(at(day, 9), None, state=State.SCREENING)
    case(None, at(day, 9))
    db.session.commit()

    spread = fund_decision_time(world.fund.id)
    # 0, 1, 1, 3: the median 1 (0 if the days were UTC's), the 90th percentile 2.4.
    assert (spread.count, spread.median, spread.p90) == (4, 1.0, pytest.approx(2.4))
    assert fund_decision_time(make_fund(code="tom").id) is None
