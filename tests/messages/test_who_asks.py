"""The applicant is told who asks as the route gave them the step: the caseworker on a study
trip's screening, the fund's board on an official trip's decision; in the e-mail, in their
journal and in the notice on their form, in their own language. After a step of the
applicant's the e-mail names who acts next (the board, on an official trip), and a report
the board sends back says the board sent it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.funds import kinds
from grants.notifications.models import OutboxMessage
from tests.factories import make_application, make_fund


def _status_mail(applicant) -> str:
    """The body of the status e-mail queued for the applicant."""
    db.session.expire_all()
    [body] = db.session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient_id == applicant.id)
    ).all()
    return body


def _ask(client, application) -> None:
    response = client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Send programmet."},
    )
    assert response.status_code == 302


@pytest.fixture
def official_case(world):
    """An official trip before its board (the route gives the request to the board member)."""
    fund = make_fund(
        code="internationalt",
        name="Internationalt samarbejde",
        kind=kinds.OFFICIAL_TRIP.code,
        route="official_trip",
        delegated_limit=0,
        board=[world.board_member],
    )
    application = make_application(world.employee, fund, state="awaiting_decision")
    db.session.commit()
    return application


@pytest.mark.parametrize(
    ("locale", "board", "caseworker"),
    [
        ("da", "Bestyrelsen for Internationalt samarbejde mangler oplysninger", "Sagsbehandleren"),
        ("en", "The board of Internationalt samarbejde needs more information", "caseworker"),
    ],
)
def test_a_request_from_the_board_says_the_board_asks(
    world, client, auth, official_case, locale, board, caseworker
):
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.board_member)
    _ask(client, official_case)
    body = _status_mail(world.employee)
    assert board in body
    assert caseworker not in body
    assert "Send programmet." in body


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("da", "Sagsbehandleren mangler oplysninger"),
        ("en", "The caseworker needs more information"),
    ],
)
def test_a_request_from_the_caseworker_says_the_caseworker_asks(
    world, client, auth, locale, expected
):
    world.employee.locale = locale
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    _ask(client, application)
    body = _status_mail(world.employee)
    assert expected in body
    assert "Bestyrelsen" not in body and "board" not in body


# Who asked, on the applicant's own pages: their journal's label and the notice on the
# application's form name the board when the board asked (the route gave it the step), the
# caseworker otherwise; staff read the step's own name.
ASKED_BY = {
    ("board", "da"): (
        "Bestyrelsen beder om flere oplysninger",
        "Bestyrelsen for Internationalt samarbejde mangler oplysninger",
    ),
    ("board", "en"): (
        "The board asks for more information",
        "The board of Internationalt samarbejde needs more information",
    ),
    ("caseworker", "da"): (
        "Sagsbehandleren beder om flere oplysninger",
        "Sagsbehandleren mangler oplysninger",
    ),
    ("caseworker", "en"): (
        "The caseworker asks for more information",
        "The caseworker needs more information",
    ),
}


def _journal_actions(response) -> list[str]:
    """The case page's journal: each row's step (its third column)."""
    from tests import html

    rows = html.table_rows(response, "section[aria-labelledby=journal-heading] table")
    return [row[2] for row in rows[1:]]


@pytest.mark.parametrize("locale", ["da", "en"])
@pytest.mark.parametrize("who", ["board", "caseworker"])
def test_the_applicants_journal_and_form_name_who_asked(
    world, client, auth, official_case, who, locale
):
    from tests import html

    if who == "board":
        application, asker = official_case, world.board_member
    else:
        application = make_application(world.employee, world.fund, state="screening")
        asker = world.caseworker
    world.employee.locale = locale
    db.session.commit()
    auth.login(asker)
    _ask(client, application)
    label, heading = ASKED_BY[who, locale]
    other_label, other_heading = ASKED_BY["caseworker" if who == "board" else "board", locale]

    auth.login(world.employee)
    journal = _journal_actions(client.get(f"/ansoegninger/{application.id}"))
    assert label in journal and other_label not in journal
    form = client.get(f"/ansoegninger/{application.id}/rediger")
    assert form.status_code == 200
    (notice,) = html.notices(form, "warning")
    assert notice.startswith(heading) and "Send programmet." in notice
    assert other_heading not in html.page_text(form)

    # Staff read the step by its own name, whoever took it.
    auth.login(asker)
    staff_journal = _journal_actions(client.get(f"/ansoegninger/{application.id}"))
    assert label not in staff_journal
    assert {"Bed om flere oplysninger", "Request more information"} & set(staff_journal)


def _latest_mail(applicant) -> str:
    """The body of the latest e-mail queued for the applicant."""
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient_id == applicant.id)
        .order_by(OutboxMessage.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("locale", "board", "caseworker"),
    [
        ("da", "bestyrelsen for Internationalt samarbejde ser på den igen", "sagsbehandleren"),
        ("en", "the board of Internationalt samarbejde will look at it again", "caseworker"),
    ],
)
def test_an_official_trip_sent_again_goes_back_to_the_board_and_the_mail_says_so(
    world, client, auth, official_case, locale, board, caseworker
):
    """The official trip's route takes the answered request straight back to the board
    (awaiting_decision, the board's step): the applicant's e-mail names the board."""
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.board_member)
    _ask(client, official_case)
    auth.login(world.employee)
    response = client.post(
        f"/ansoegninger/{official_case.id}/beskeder", data={"body": "Programmet er vedhæftet."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert official_case.state == "awaiting_decision"
    body = _latest_mail(world.employee)
    assert board in body
    assert caseworker not in body.lower()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("da", "og sagsbehandleren ser på den igen"),
        ("en", "and the caseworker will look at it again"),
    ],
)
def test_a_study_trip_sent_again_goes_back_to_the_caseworker(world, client, auth, locale, expected):
    application = make_application(world.employee, world.fund, state="screening")
    world.employee.locale = locale
    db.session.commit()
    auth.login(world.caseworker)
    _ask(client, application)
    auth.login(world.employee)
    client.post(f"/ansoegninger/{application.id}/beskeder", data={"body": "Her er svaret."})
    db.session.expire_all()
    assert application.state == "screening"
    body = _latest_mail(world.employee)
    assert expected in body
    assert "bestyrelsen" not in body.lower() and "board" not in body


@pytest.fixture
def official_report(app, world, official_case):
    """The official trip granted and travelled, its report due (the board approves it)."""
    import datetime as dt

    from grants.core import clock

    official_case.state = "granted"
    official_case.outcome = "granted"
    official_case.granted_amount = official_case.amount_applied
    official_case.departure_date = clock.today() - dt.timedelta(days=10)
    official_case.return_date = clock.today() - dt.timedelta(days=3)
    official_case.report_due = clock.today() + dt.timedelta(days=30)
    db.session.commit()
    return official_case


def _take(app, application, action, actor, comment=""):
    from grants.workflow import engine

    with app.test_request_context():
        engine.take(application, action, actor, comment)
        db.session.commit()


@pytest.mark.parametrize(
    ("locale", "submitted", "returned", "notice"),
    [
        (
            "da",
            "Bestyrelsen for Internationalt samarbejde gennemgår dem",
            "Bestyrelsen for Internationalt samarbejde har sendt rapporten og regnskabet",
            "Bestyrelsen for Internationalt samarbejde har sendt rapport og regnskab tilbage",
        ),
        (
            "en",
            "The board of Internationalt samarbejde will review them",
            "The board of Internationalt samarbejde has sent the report and accounts",
            "The board of Internationalt samarbejde has sent the report and accounts back",
        ),
    ],
)
def test_an_official_trips_report_names_the_board_that_reviews_it(
    app, world, client, auth, official_report, locale, submitted, returned, notice
):
    """The board approves or returns an official trip's report: the e-mail on sending it
    says the board reviews it, the one on its return and the report's page that the board
    sent it back."""
    from tests import html

    world.employee.locale = locale
    db.session.commit()
    _take(app, official_report, "submit_report", world.employee)
    body = _latest_mail(world.employee)
    assert submitted in body and "caseworker" not in body and "Sagsbehandleren" not in body
    _take(app, official_report, "return_report", world.board_member, "Kvitteringerne mangler.")
    body = _latest_mail(world.employee)
    assert returned in body and "caseworker" not in body and "Sagsbehandleren" not in body
    auth.login(world.employee)
    page = client.get(f"/ansoegninger/{official_report.id}/rapport")
    assert page.status_code == 200
    (shown,) = html.notices(page, "warning")
    assert shown.startswith(notice) and "Kvitteringerne mangler." in shown


def test_a_study_trips_report_sent_back_by_the_caseworker_says_the_caseworker(
    app, world, client, auth
):
    import datetime as dt

    from grants.core import clock
    from tests import html

    application = make_application(
        world.employee,
        world.fund,
        state="granted",
        outcome="granted",
        departure_date=clock.today() - dt.timedelta(days=10),
        return_date=clock.today() - dt.timedelta(days=3),
    )
    application.report_due = clock.today() + dt.timedelta(days=30)
    db.session.commit()
    _take(app, application, "submit_report", world.employee)
    assert "Sagsbehandleren gennemgår dem" in _latest_mail(world.employee)
    _take(app, application, "return_report", world.caseworker, "Kvitteringerne mangler.")
    assert "Sagsbehandleren har sendt rapporten" in _latest_mail(world.employee)
    auth.login(world.employee)
    (shown,) = html.notices(client.get(f"/ansoegninger/{application.id}/rapport"), "warning")
    assert shown.startswith("Sagsbehandleren har sendt rapport og regnskab tilbage")
    assert "Bestyrelsen" not in shown
