"""The applicant's e-mail about a request for information names who asks as the route gave
them the step: the caseworker on a study trip's screening, the fund's board on an official
trip's decision; in the applicant's own language."""

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
