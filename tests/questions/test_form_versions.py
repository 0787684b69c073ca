"""A fund's own questions: new applications get them, old cases keep what they were asked."""

from __future__ import annotations

import io

from sqlalchemy import select

from grants.cases.models import Application
from grants.extensions import db
from grants.questions.models import FormVersion
from tests.applications.helpers import form_data
from tests.html import page_text

PDF = b"%PDF-1.4\n% a tiny test file\n"


def newest_application() -> Application:
    db.session.expire_all()
    return db.session.scalars(select(Application).order_by(Application.id.desc())).first()


def add_question(client, fund, **data):
    response = client.post(f"/administration/puljer/{fund.id}/spoergsmaal", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_question_reaches_new_applications_only_and_old_cases_keep_their_answers(
    world, client, auth
):
    fund = world.fund
    # An application made before the fund had questions of its own.
    auth.login(world.employee)
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(world.manager.id))
    )
    assert response.status_code == 302
    old = newest_application()
    assert old.form_version_id is None

    # The administrator adds two questions.
    auth.login(world.admin)
    add_question(
        client,
        fund,
        label="Hvilken institution kommer du fra?",
        kind="short_text",
        required="y",
        help_text="Skriv institutionens fulde navn.",
    )
    add_question(client, fund, label="Har du været afsted før?", kind="yes_no")
    add_question(client, fund, label="Invitation", kind="file")

    # A new application asks them, and a required one must be answered to submit.
    auth.login(world.employee)
    page = client.get("/ansoegninger/ny/studierejsefonden").get_data(as_text=True)
    assert "Hvilken institution kommer du fra?" in page_text(page)
    assert "Skriv institutionens fulde navn." in page_text(page)
    data = form_data(manager_id=str(world.manager.id))
    response = client.post("/ansoegninger/ny/studierejsefonden", data=data)
    assert response.status_code == 422
    assert "Besvar spørgsmålet." in page_text(response)
    assert newest_application().id == old.id  # nothing saved

    bad = dict(
        data,
        **{
            "q-hvilken_institution_kommer_du": "Skovlunde Fritidsklub",
            "q-har_du_vaeret_afsted_foer": "maybe",
        },
    )
    response = client.post("/ansoegninger/ny/studierejsefonden", data=bad)
    assert response.status_code == 422
    assert "Vælg en af mulighederne." in page_text(response)

    evil = dict(
        data,
        **{
            "q-hvilken_institution_kommer_du": "Skovlunde Fritidsklub",
            "q-invitation": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "invitation.pdf"),
        },
    )
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=evil, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Filen kan ikke bruges" in page_text(response)
    assert newest_application().id == old.id

    good = dict(
        data,
        **{
            "q-hvilken_institution_kommer_du": "Skovlunde Fritidsklub",
            "q-har_du_vaeret_afsted_foer": "nej",
            "q-invitation": (io.BytesIO(PDF), "invitation.pdf"),
        },
    )
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=good, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    new = newest_application()
    assert new.id != old.id and new.state == "awaiting_endorsement"
    assert new.form_version.version == 3
    assert new.answers["hvilken_institution_kommer_du"] == "Skovlunde Fritidsklub"
    assert new.answers["har_du_vaeret_afsted_foer"] == "nej"
    assert new.answers["invitation"]["filename"] == "invitation.pdf"

    # The old case does not show the new questions.
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{old.id}")
    assert "Hvilken institution kommer du fra?" not in page_text(page)

    # The form changes again: the question is removed and another is asked.
    auth.login(world.admin)
    response = client.post(
        f"/administration/puljer/{fund.id}/spoergsmaal/hvilken_institution_kommer_du/fjern"
    )
    assert response.status_code == 302
    assert db.session.query(FormVersion).count() == 4
    add_question(client, fund, label="Hvor mange dage?", kind="number")

    # The earlier case still shows exactly what it was asked and answered.
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{new.id}").get_data(as_text=True)
    assert "Hvilken institution kommer du fra?" in page_text(page)
    assert "Skovlunde Fritidsklub" in page_text(page)
    assert "Har du været afsted før?" in page_text(page) and "Nej" in page_text(page)
    assert "invitation.pdf" in page_text(page)
    assert "Hvor mange dage?" not in page_text(page)
    attachment_id = new.answers["invitation"]["attachment_id"]
    assert client.get(f"/ansoegninger/{new.id}/bilag/{attachment_id}").data == PDF

    # A new application gets the newest version.
    auth.login(world.employee)
    page = client.get("/ansoegninger/ny/studierejsefonden")
    assert "Hvor mange dage?" in page_text(page)
    assert "Hvilken institution kommer du fra?" not in page_text(page)
