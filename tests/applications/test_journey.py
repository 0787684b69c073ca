"""The whole study-trip journey through the web pages, as each person in it."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from sqlalchemy import select

from grants.budgets.models import BudgetEntry, EntryKind
from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from tests.applications.helpers import form_data
from tests.confirming import confirm
from tests.html import field_value, headings, links, page_text, table_records, texts


def only_application() -> Application:
    db.session.expire_all()
    return db.session.scalars(select(Application)).one()


def test_from_draft_to_downloaded_letter(world, client, auth):
    # The employee starts, saves a draft with little in it, and comes back later.
    auth.login(world.employee)
    response = client.get("/ansoegninger/ny")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ansoegninger/ny/studierejsefonden")
    page = client.get("/ansoegninger/ny/studierejsefonden")
    assert "Ansøg om studierejse" in headings(page)
    assert field_value(page, "manager_id") == str(world.manager.id)  # their own manager

    response = client.post(
        "/ansoegninger/ny/studierejsefonden",
        data={"title": "Studietur til Helsinki", "intent": "save"},
    )
    assert response.status_code == 302
    application = only_application()
    assert (application.state, application.case_number) == ("draft", None)
    [draft] = table_records(client.get("/ansoegninger/mine"), ".case-table")
    assert (draft["Sagsnr."], draft["Titel"]) == ("(kladde)", "Studietur til Helsinki")

    # Back again: edit it, fill in everything and submit.
    page = client.get(f"/ansoegninger/{application.id}/rediger")
    assert field_value(page, "title") == "Studietur til Helsinki"
    response = client.post(
        f"/ansoegninger/{application.id}/rediger", data=form_data(manager_id=str(world.manager.id))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    application = only_application()
    assert application.state == "awaiting_endorsement"
    assert application.case_number
    assert application.amount_applied == Decimal("8000.00")
    assert application.budget_total == Decimal("10000.00")
    assert len(application.budget_lines) == 4

    # The manager finds it in the work queue and endorses it.
    auth.login(world.manager)
    queue = client.get("/arbejdskoe")
    assert application.case_number in texts(queue, ".case-number")
    response = client.post(
        f"/ansoegninger/{application.id}/trin/endorse",
        data={"comment": "Relevant for hele klubområdet."},
    )
    assert response.status_code == 302
    assert only_application().state == "screening"

    # The caseworker asks for more information.
    auth.login(world.caseworker)
    assert application.case_number in texts(client.get("/arbejdskoe"), ".case-number")
    response = client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Vedlæg venligst konferencens program."},
    )
    assert response.status_code == 302
    assert only_application().state == "awaiting_information"

    # The employee sees the request, adds the programme and resubmits.
    auth.login(world.employee)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Vedlæg venligst konferencens program." in page_text(page)
    response = client.post(
        f"/ansoegninger/{application.id}/rediger",
        data=form_data(
            manager_id=str(world.manager.id),
            programme="Dag 1: besøg. Dag 2: konferencen 'Inclusive Youth Work' (program vedlagt).",
            reply="Programmet står nu under Program.",
        ),
    )
    assert response.status_code == 302
    assert only_application().state == "screening"

    # The caseworker sends it for decision, and (within the delegated limit) decides.
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/trin/forward_for_decision", data={})
    assert only_application().state == "awaiting_decision"
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Til rådighed nu" in page_text(page)
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {"action": "grant", "amount": "", "reasons": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    application = only_application()
    assert application.state == "granted"
    reservation = db.session.scalars(
        select(BudgetEntry).filter_by(application_id=application.id)
    ).one()
    assert (reservation.kind, reservation.amount) == (EntryKind.RESERVATION, Decimal("8000.00"))

    # The applicant downloads the letter from the case page; twice gives the same bytes.
    auth.login(world.employee)
    letter = db.session.scalars(select(Letter).filter_by(application_id=application.id)).one()
    page = client.get(f"/ansoegninger/{application.id}")
    assert f"/breve/{letter.id}/hent" in links(page)
    first = client.get(f"/breve/{letter.id}/hent")
    second = client.get(f"/breve/{letter.id}/hent")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data
    assert hashlib.sha256(first.data).hexdigest() == letter.sha256

    # The journal holds every step, in order; the applicant does not see internal steps.
    actions = [entry.action for entry in application.journal]
    assert actions == [
        "created",
        "submit",
        "endorse",
        "request_information",
        "resubmit",
        "forward_for_decision",
        "grant",
        "letter_issued",
    ]
    assert "Send til afgørelse" not in page_text(page)


def test_above_the_delegated_limit_the_board_decides(world, client, auth):
    from tests.factories import make_application

    application = make_application(
        world.employee,
        world.fund,
        amount=20000,
        state="awaiting_decision",
        budget={"transport": 12000, "fees": 10000},
    )
    db.session.commit()
    auth.login(world.caseworker)
    response = confirm(
        client, f"/ansoegninger/{application.id}/afgoerelse", {"action": "grant", "reasons": ""}
    )
    assert response.status_code == 403
    assert only_application().state == "awaiting_decision"

    auth.login(world.board_member)
    assert application.case_number in texts(client.get("/arbejdskoe"), ".case-number")
    response = confirm(
        client,
        f"/ansoegninger/{application.id}/afgoerelse",
        {
            "action": "grant_part",
            "amount": "12000",
            "reasons": "Gebyret dækkes af arbejdspladsen.",
        },
    )
    assert response.status_code == 302
    application = only_application()
    assert (application.state, application.granted_amount) == (
        "partly_granted",
        Decimal("12000.00"),
    )


def test_a_grant_beyond_the_budget_is_refused_with_a_message(world, client, auth):
    from tests.factories import make_application, make_fund

    fund = make_fund(budget=5000)
    application = make_application(world.employee, fund, amount=8000, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)
    response = confirm(
        client, f"/ansoegninger/{application.id}/afgoerelse", {"action": "grant", "reasons": ""}
    )
    assert response.status_code == 422
    assert "Der er kun 5.000,00 kr. til rådighed" in page_text(response)
    application = only_application()
    assert application.state == "awaiting_decision"
    assert (
        db.session.scalars(select(BudgetEntry).filter_by(application_id=application.id)).all() == []
    )
    assert db.session.scalars(select(Letter)).all() == []
