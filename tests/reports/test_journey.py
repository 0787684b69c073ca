"""From a granted case to a settled one through the web pages: the report and accounts,
returned for corrections, corrected, approved, and the letters downloaded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.budgets.balances import balance
from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from grants.notifications.sender import send_pending
from grants.reports.models import TripReport
from tests.html import errors, field_value, links, page_text
from tests.reports.helpers import (
    PDF,
    PNG,
    granted_case,
    granted_youth_case,
    pay,
    pdf_text,
    report_data,
    with_files,
)


def test_a_study_trip_from_granted_to_settled(world, client, auth, inbox, move_clock):
    application = granted_case(world, 8000)
    pay(application, 8000, world.finance)  # paid in advance
    move_clock(application.return_date)  # home from the trip
    send_pending()  # the decision's own e-mails
    inbox.take()
    case_url = f"/ansoegninger/{application.id}"
    form_url = f"{case_url}/rapport"

    # The applicant finds the report form on the case page, with the budget beside each line.
    auth.login(world.employee)
    page = client.get(case_url)
    assert form_url in links(page, "Udfyld rapport og regnskab")
    page = client.get(form_url).get_data(as_text=True)
    assert "Budget: 3.000,00 kr." in page_text(page) and "Budget: 4.000,00 kr." in page_text(page)

    # A draft with a receipt, then on to submitting through the case page's step button.
    data = with_files(
        report_data(application, intent="save", what_was_learned=""), (PDF, "fly.pdf")
    )
    response = client.post(form_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.post(f"{case_url}/trin/submit_report", data={})
    assert response.status_code == 303 and response.headers["Location"].endswith(form_url)
    page = client.get(form_url).get_data(as_text=True)
    assert "fly.pdf" in page_text(page)
    response = client.post(form_url, data=report_data(application))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.state == "report_submitted"
    mails = inbox.take()
    assert [m["To"] for m in mails].count("sagsbehandler@ballerup.dk") == 1, [
        (m["To"], m["Subject"]) for m in mails
    ]

    # The caseworker sees the accounts against the budget and what approval would do.
    auth.login(world.caseworker)
    page = client.get(case_url).get_data(as_text=True)
    assert "Regnskab mod budget" in page_text(page) and "fly.pdf" in page_text(page)
    assert "-500,00 kr." in page_text(page)  # transport 2.500 against 3.000
    assert "Skal betales tilbage" in page_text(page) and "2.500,00 kr." in page_text(page)
    # Sent back with a comment.
    response = client.post(
        f"{case_url}/trin/return_report",
        data={"comment": "Hotellet mangler en kvittering."},
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "report_returned"
    mail = [m for m in inbox.take() if m["To"] == "medarbejder@ballerup.dk"]
    assert mail and "Hotellet mangler en kvittering." in mail[0].get_content()

    # The applicant reads the comment, corrects the accounts and sends them again.
    auth.login(world.employee)
    page = client.get(form_url).get_data(as_text=True)
    assert "Hotellet mangler en kvittering." in page_text(page)
    data = with_files(report_data(application, accommodation="3500"), (PNG, "hotel.png"))
    response = client.post(form_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302

    # The caseworker approves: the grant is settled.
    auth.login(world.caseworker)
    response = client.post(
        f"{case_url}/trin/approve_report", data={"comment": ""}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Endeligt tilskud: 6.000,00 kr." in page_text(response)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    report = db.session.scalars(select(TripReport)).one()
    assert application.state == "settled"
    assert (report.final_amount, report.refund_amount) == (Decimal("6000.00"), Decimal("2000.00"))
    figures = balance(world.fund.id, application.departure_date.year)
    assert (figures.granted, figures.spent) == (Decimal("6000.00"), Decimal("8000.00"))

    # The applicant downloads the settlement letter and the approved report.
    auth.login(world.employee)
    page = links(client.get(case_url))
    letters = {
        letter.kind: letter
        for letter in db.session.scalars(select(Letter).filter_by(application_id=application.id))
    }
    for kind in ("settlement", "report"):
        assert f"/breve/{letters[kind].id}/hent" in page
    response = client.get(f"/breve/{letters['settlement'].id}/hent")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == letters["settlement"].pdf
    text = pdf_text(response.data)
    for part in ("6.000,00 kr.", "8.000,00 kr.", "2.000,00 kr.", "6.000,00 kr."):
        assert part in text
    text = pdf_text(client.get(f"/breve/{letters['report'].id}/hent").data)
    assert "Finske klubber arbejder i små grupper" in text
    assert "6.000,00 kr." in text
    # The letters are never made again: approving twice is refused and changes nothing.
    auth.login(world.caseworker)
    response = client.post(f"{case_url}/rapport/approve_report", data={})
    assert response.status_code == 403
    assert db.session.scalar(select(db.func.count(Letter.id))) == 3


def test_a_youth_report_shows_the_subsidy_worked_out_again_before_it_is_sent(
    world, youth, client, auth, move_clock
):
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    form_url = f"/ansoegninger/{application.id}/rapport"
    auth.login(youth["karl"])  # any member of the association may write it
    page = client.get(form_url)
    assert field_value(page, "actual_young") is not None
    assert field_value(page, "participant_names") is None  # counts only, never names
    data = {
        "what_was_done": "Fælles prøver og koncert med orkestret i Prag 10.",
        "what_was_learned": "De unge lærte at spille sammen på tværs af sprog.",
        "how_it_will_be_used": "Vi inviterer orkestret til Ballerup næste år.",
        "actual_departure": application.departure_date.isoformat(),
        "actual_return": application.return_date.isoformat(),
        "actual_young": "10",
        "actual_birth_years": "",
        "actual_leaders": "2",
        "actual_disabled": "0",
        "transport": "20000",
        "meals": "5000",
        "intent": "preview",
    }
    response = client.post(form_url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10 unge + 2 ledere = 12 personer" in page_text(page)
    assert "6.000,00 kr." in page_text(page)
    assert db.session.scalars(select(TripReport)).all() == []  # a preview saves nothing

    data = with_files({**data, "intent": "submit"}, (PDF, "bus.pdf"))
    response = client.post(form_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalars(select(TripReport)).one()
    assert report.recalculation["total"] == "6000.00"
    assert report.participant_names == ""

    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Med de faktiske tal: 6.000,00 kr." in page_text(page)
    assert "10 unge + 2 ledere = 12 personer" in page_text(page)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/approve_report", data={}, follow_redirects=True
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(TripReport, report.id).final_amount == Decimal("6000.00")


def test_a_control_character_in_the_birth_years_is_refused_once_and_never_echoed(
    world, youth, client, auth, move_clock
):
    """The control-character policy refused "2009<NUL>", and the year check then quoted it
    back into the page, NUL and all ("“2009\\x00” er ikke et årstal"): a refused value is
    not parsed again."""
    application = granted_youth_case(world, youth)
    move_clock(application.return_date)
    auth.login(youth["karl"])
    response = client.post(
        f"/ansoegninger/{application.id}/rapport",
        data={
            "actual_departure": application.departure_date.isoformat(),
            "actual_return": application.return_date.isoformat(),
            "actual_birth_years": "2008, 2009\x00",
            "actual_leaders": "2",
            "transport": "20000",
            "intent": "preview",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "styretegn" in page_text(page)
    shown = page_text(page) + " ".join(errors(page))
    assert "“2009\x00”" not in shown and "er ikke et årstal" not in shown
    assert db.session.scalars(select(TripReport)).all() == []
