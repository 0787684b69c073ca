"""After the trip comes after the trip: the report is submitted once the trip is over (from
the return date; earlier only where the fund says so), its dates lie within
``DATE_SLACK_DAYS`` of the granted trip, and the settlement never comes before the return
date. Refused input is said next to its field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from grants.core.errors import DomainError
from grants.extensions import db
from grants.reports.report import DATE_SLACK_DAYS
from grants.reports.settlement import settle
from tests.dbstate import table_fingerprint
from tests.html import buttons, field_error, field_errors, field_value, page_text
from tests.reports.helpers import PDF, file_report, granted_case, report_data, with_files

DAY = dt.timedelta(days=1)
SLACK = dt.timedelta(days=DATE_SLACK_DAYS)


def url(application) -> str:
    return f"/ansoegninger/{application.id}/rapport"


def post(client, application, **overrides):
    data = with_files(report_data(application, **overrides), (PDF, "kvittering.pdf"))
    return client.post(url(application), data=data, content_type="multipart/form-data")


def error_at(page: str, field: str) -> str:
    """The message next to ``field`` (there must be one)."""
    message = field_error(page, field)
    assert message is not None, field_errors(page)
    return message


# -- the report waits for the return date ----------------------------------------------------


def test_the_day_before_the_return_date_the_report_waits(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date - DAY)
    auth.login(world.employee)
    # The case page and the form say from when; a draft may be saved.
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Rapport og regnskab kan indsendes fra" in page_text(page)
    form = client.get(url(application))
    assert "Indsend rapport og regnskab" not in buttons(form)
    before = table_fingerprint()
    response = post(client, application)
    assert response.status_code == 422
    assert "Rapport og regnskab kan indsendes fra" in page_text(response)
    assert table_fingerprint() == before
    # Nor through the case page's step button, nor straight through the operation.
    response = client.post(f"/ansoegninger/{application.id}/trin/submit_report", data={})
    assert response.status_code in (303, 403)
    assert table_fingerprint() == before
    assert post(client, application, intent="save").status_code == 302
    db.session.expire_all()
    assert application.state == "granted"


def test_on_the_return_date_the_report_is_submitted(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    auth.login(world.employee)
    response = post(client, application)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert application.state == "report_submitted"


def test_a_fund_may_take_reports_before_the_return_date_but_never_settles_early(
    world, client, auth, move_clock
):
    world.fund.report_before_return = True
    db.session.commit()
    application = granted_case(world, 8000)
    move_clock(application.departure_date + DAY)  # under way: the report is written on the way
    auth.login(world.employee)
    response = post(client, application)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert application.state == "report_submitted"

    # The caseworker has no approve button before the return date, and is refused.
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Rapport og regnskab kan først godkendes og afregnes" in page_text(page)
    assert "Godkend rapport og regnskab" not in buttons(page)
    before = table_fingerprint()
    response = client.post(f"/ansoegninger/{application.id}/rapport/approve_report", data={})
    assert response.status_code == 403
    assert table_fingerprint() == before
    with pytest.raises(DomainError, match="Rapport og regnskab kan først godkendes"):
        settle(application, world.caseworker)
    db.session.rollback()
    assert table_fingerprint() == before

    # On the return date: approved and settled.
    move_clock(application.return_date)
    response = client.post(
        f"/ansoegninger/{application.id}/rapport/approve_report", data={"comment": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "settled"


def test_a_reported_return_after_the_granted_one_delays_the_settlement(world, move_clock):
    world.fund.report_before_return = True
    db.session.commit()
    application = granted_case(world, 8000)
    move_clock(application.return_date - DAY)
    file_report(
        application,
        world.employee,
        {"transport": "5000"},
        actual_return=application.return_date + 2 * DAY,
    )
    move_clock(application.return_date + DAY)  # the granted return has passed, the actual not
    with pytest.raises(DomainError, match="Rapport og regnskab kan først godkendes"):
        settle(application, world.caseworker)
    db.session.rollback()
    move_clock(application.return_date + 2 * DAY)
    assert settle(application, world.caseworker).final > 0


# -- the report's dates lie within the stated bounds of the granted trip ---------------------


@pytest.mark.parametrize("intent", ["save", "submit"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actual_departure", "0001-01-01", "Afrejsen skal ligge mellem"),
        ("actual_return", "9999-12-31", "Hjemkomsten skal ligge mellem"),
        ("actual_departure", lambda a: a.departure_date - SLACK - DAY, "Afrejsen skal ligge"),
        ("actual_return", lambda a: a.return_date + SLACK + DAY, "Hjemkomsten skal ligge"),
        ("actual_departure", lambda a: a.return_date + SLACK + DAY, "Afrejsen skal ligge"),
    ],
    ids=["year-1", "year-9999", "departure-15-days-early", "return-15-days-late", "late-start"],
)
def test_dates_out_of_bounds_are_refused_and_change_nothing(
    world, client, auth, move_clock, intent, field, value, message
):
    application = granted_case(world, 8000)
    move_clock(application.return_date + SLACK + 2 * DAY)
    auth.login(world.employee)
    if callable(value):
        value = value(application).isoformat()
    before = table_fingerprint()
    response = post(client, application, intent=intent, **{field: value})
    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), field)
    assert table_fingerprint() == before


def test_the_bounds_are_stated_next_to_the_fields(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    auth.login(world.employee)
    page = client.get(url(application)).get_data(as_text=True)
    from grants.core.formatting import long_date

    assert f"Tidligst {long_date(application.departure_date - SLACK)}" in page_text(page)
    assert f"Senest {long_date(application.return_date + SLACK)}" in page_text(page)
    response = post(client, application, actual_departure="0001-01-01", actual_return="9999-12-31")
    page = response.get_data(as_text=True)
    for field, bound in (
        ("actual_departure", application.departure_date - SLACK),
        ("actual_return", application.return_date + SLACK),
    ):
        assert long_date(bound) in error_at(page, field)


def test_dates_exactly_at_the_bounds_are_accepted(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date + SLACK)
    auth.login(world.employee)
    response = post(
        client,
        application,
        actual_departure=(application.departure_date - SLACK).isoformat(),
        actual_return=(application.return_date + SLACK).isoformat(),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert application.state == "report_submitted"
    assert application.report.actual_departure == application.departure_date - SLACK


def test_a_return_after_today_is_refused_on_submission(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    auth.login(world.employee)
    before = table_fingerprint()
    response = post(client, application, actual_return=(application.return_date + DAY).isoformat())
    assert response.status_code == 422
    assert "Hjemkomsten ligger efter i dag" in error_at(
        response.get_data(as_text=True), "actual_return"
    )
    assert table_fingerprint() == before


def test_a_report_saved_with_absurd_dates_before_the_rule_is_never_settled(world, move_clock):
    """A report kept from before the bounds (0001-01-01 to 9999-12-31) cannot be settled."""
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "5000"})
    application.report.actual_departure = dt.date(1, 1, 1)
    db.session.commit()
    before = table_fingerprint()
    with pytest.raises(DomainError, match="Afrejsen skal ligge mellem") as refused:
        settle(application, world.caseworker)
    assert refused.value.field == "actual_departure"
    db.session.rollback()
    assert table_fingerprint() == before


def test_the_reports_dates_are_checked_in_english_too(world, client, auth, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    auth.login(world.employee)
    client.post("/sprog", data={"locale": "en"})
    response = post(client, application, actual_return="9999-12-31")
    assert "The return must be between" in error_at(
        response.get_data(as_text=True), "actual_return"
    )


def test_the_administrator_sets_whether_a_fund_takes_reports_before_the_return(world, client, auth):
    from tests.administration.test_admin_pages import save_fund

    auth.login(world.admin)
    page = client.get(f"/administration/puljer/{world.fund.id}")
    assert field_value(page, "report_before_return") is not None
    response = save_fund(client, world.fund, report_before_return="y")
    assert response.status_code == 302
    db.session.expire_all()
    assert world.fund.report_before_return is True
    response = save_fund(client, world.fund)
    db.session.expire_all()
    assert world.fund.report_before_return is False
    # Nobody else may.
    auth.login(world.caseworker)
    response = save_fund(client, world.fund, report_before_return="y")
    assert response.status_code == 403
    db.session.expire_all()
    assert world.fund.report_before_return is False
