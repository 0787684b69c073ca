"""What the e-mails say, received over real SMTP: each step its own wording (a report sent
back, a case closed), nobody told that a case waits for the step they just took, and the
manager and the caseworker told of the board's decision (issue 15, point 19)."""

from __future__ import annotations

from grants.extensions import db
from grants.people.models import Role
from tests.confirming import confirm
from tests.factories import make_application, make_user
from tests.reports.helpers import file_report, granted_case, report_data

GONE_ON = ("er gået videre", "has gone on")


def _to(mails, person) -> list:
    return [m for m in mails if m["To"] == person.email]


def _body(mails, person) -> str:
    (mail,) = _to(mails, person)
    return mail.get_content()


def test_a_report_sent_back_and_a_case_closed_each_say_what_happened(
    world, client, auth, inbox, move_clock
):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "8000"})
    case_url = f"/ansoegninger/{application.id}"
    inbox.take()

    auth.login(world.caseworker)
    response = client.post(
        f"{case_url}/trin/return_report", data={"comment": "Kvittering?"}, follow_redirects=True
    )
    assert response.status_code == 200
    sent_back = _body(inbox.take(), world.employee)
    assert "har sendt rapporten og regnskabet" in sent_back and "tilbage til dig" in sent_back
    assert "Kvittering?" in sent_back

    auth.login(world.employee)
    response = client.post(f"{case_url}/rapport", data=report_data(application))
    assert response.status_code == 302, response.get_data(as_text=True)
    mails = inbox.take()
    received = _body(mails, world.employee)
    assert "Vi har modtaget rapporten og regnskabet" in received
    assert "venter på dig" in _body(mails, world.caseworker)

    auth.login(world.caseworker)
    response = client.post(
        f"{case_url}/trin/approve_report", data={"comment": ""}, follow_redirects=True
    )
    assert response.status_code == 200
    closed = _body(inbox.take(), world.employee)
    assert "sagen er afsluttet" in closed and "Afregningsbrevet" in closed

    texts = {sent_back, received, closed}
    assert len(texts) == 3
    for text in texts:
        assert not any(phrase in text for phrase in GONE_ON)


def test_a_case_closed_in_english(world, client, auth, inbox, move_clock):
    world.employee.locale = "en"
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    file_report(application, world.employee, {"transport": "8000"})
    inbox.take()
    auth.login(world.caseworker)
    client.post(
        f"/ansoegninger/{application.id}/trin/approve_report",
        data={"comment": ""},
        follow_redirects=True,
    )
    closed = _body(inbox.take(), world.employee)
    assert "the case is closed" in closed and "settlement letter" in closed
    assert "has gone on" not in closed


def test_who_takes_a_step_is_not_told_the_case_waits_for_them(world, client, auth, inbox):
    colleague = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Kim Kollega")
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    mails = inbox.take()
    assert _to(mails, world.caseworker) == []
    assert "venter på dig" in _body(mails, colleague)


def test_the_manager_and_the_caseworker_hear_of_the_boards_decision(world, client, auth, inbox):
    world.manager.locale = "en"
    application = make_application(
        world.employee, world.fund, amount=20000, state="screening", budget={"transport": 25000}
    )
    db.session.commit()
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    inbox.take()

    auth.login(world.board_member)
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code in (302, 303)
    mails = inbox.take()
    to_caseworker = _body(mails, world.caseworker)
    assert "Bestyrelsen for Studierejsefonden har truffet afgørelse" in to_caseworker
    assert application.case_number in to_caseworker
    assert "Bevilget beløb: 20.000,00 kr." in to_caseworker
    assert "venter på dig" not in to_caseworker
    to_manager = _body(mails, world.manager)
    assert "The board of Studierejsefonden has made a decision" in to_manager
    assert "Amount granted: 20,000.00 kr." in to_manager
    assert _to(mails, world.board_member) == []  # who decided is not told
    assert "afgørelse" in _body(mails, world.employee)


def test_the_manager_hears_of_the_caseworkers_decision(world, client, auth, inbox):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)
    confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "refuse", "amount": "", "reasons": "Uden for formålet."},
    )
    mails = inbox.take()
    to_manager = _body(mails, world.manager)
    assert "Der er truffet afgørelse i ansøgningen" in to_manager
    assert "Afgjort af: Sara Skov" in to_manager
    assert _to(mails, world.caseworker) == []
