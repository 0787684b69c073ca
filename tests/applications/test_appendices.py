"""Other attachments on an application (issue 21 point 12): several files in one field, each
checked by its content and kept as a document of its own in the case file and the journal;
too many is said next to the field and nothing is saved; the applicant takes one back while
the application is a draft, and it stays in the case file, marked withdrawn."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from grants.applications import documents
from grants.cases.models import Application, Attachment
from grants.core import files
from grants.extensions import db
from tests.applications.helpers import form_data
from tests.html import field_error, links, page_text
from tests.html import page as html_page
from tests.reports.helpers import PDF, PNG

NEW = "/ansoegninger/ny/studierejsefonden"


def with_appendices(data: dict, *items: tuple[bytes, str]) -> dict:
    return {**data, "appendices": [(io.BytesIO(content), name) for content, name in items]}


def post(client, url: str, data: dict):
    return client.post(url, data=data, content_type="multipart/form-data")


def appendices(application) -> list[Attachment]:
    db.session.expire_all()
    return documents.kept(application, documents.APPENDIX)


def draft_with_two(world, client, auth) -> Application:
    auth.login(world.employee)
    data = with_appendices(
        form_data(manager_id=str(world.manager.id), intent="save"),
        (PDF, "invitation.pdf"),
        (PNG, "hotel.png"),
    )
    assert post(client, NEW, data).status_code == 302
    return db.session.scalars(select(Application)).one()


def test_several_attachments_are_each_a_document_of_their_own(world, client, auth):
    application = draft_with_two(world, client, auth)
    kept = appendices(application)
    assert [(a.filename, a.version, a.supersedes_id) for a in kept] == [
        ("invitation.pdf", 1, None),
        ("hotel.png", 1, None),
    ]
    received = [e for e in application.journal if e.action == documents.RECEIVED]
    assert [e.details["document"]["purpose"] for e in received] == ["appendix", "appendix"]
    page = client.get(f"/ansoegninger/{application.id}/rediger")
    shown = page_text(page)
    assert "invitation.pdf" in shown and "hotel.png" in shown
    addresses = links(page) + [str(form.get("action")) for form in html_page(page).select("form")]
    assert any(a.endswith(f"/bilag/{kept[0].id}/vis") for a in addresses), addresses
    assert any(a.endswith(f"/bilag/{kept[0].id}/fjern") for a in addresses), addresses


def test_too_many_attachments_or_one_bad_file_saves_nothing(world, client, auth):
    auth.login(world.employee)
    many = [(PDF, f"bilag-{n}.pdf") for n in range(files.MAX_FILES_PER_FIELD + 1)]
    data = with_appendices(form_data(manager_id=str(world.manager.id), intent="save"), *many)
    response = post(client, NEW, data)
    assert response.status_code == 422
    assert "højst sende" in field_error(response, "appendices")
    data = with_appendices(
        form_data(manager_id=str(world.manager.id), intent="save"),
        (PDF, "ok.pdf"),
        (b"<html><script>alert(1)</script>", "<b>bilag.png"),
    )
    response = post(client, NEW, data)
    assert response.status_code == 422
    error = field_error(response, "appendices")
    assert "_b_bilag.png: Filen kan ikke bruges" in error  # "<" and ">" shown as "_"
    assert "<b>bilag" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Application.id))) == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_the_applicant_takes_one_back_while_it_is_a_draft_and_it_stays_in_the_case_file(
    world, client, auth
):
    application = draft_with_two(world, client, auth)
    invitation, hotel = appendices(application)
    response = client.post(f"/ansoegninger/{application.id}/bilag/{hotel.id}/fjern")
    assert response.status_code == 302
    assert response.location.endswith(f"/ansoegninger/{application.id}/rediger")
    assert [a.filename for a in appendices(application)] == ["invitation.pdf"]
    assert db.session.get(Attachment, hotel.id).data == PNG
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "trukket tilbage før indsendelse" in page_text(page)
    # Others may not; once submitted, nobody may.
    for person in (world.manager, world.caseworker, world.outsider):
        auth.login(person)
        url = f"/ansoegninger/{application.id}/bilag/{invitation.id}/fjern"
        assert client.post(url).status_code in (403, 404), person.email
    auth.login(world.employee)
    edit = f"/ansoegninger/{application.id}/rediger"
    assert post(client, edit, form_data(manager_id=str(world.manager.id))).status_code == 302
    db.session.expire_all()
    assert application.state != "draft"
    url = f"/ansoegninger/{application.id}/bilag/{invitation.id}/fjern"
    assert client.post(url).status_code == 403
    assert [a.filename for a in appendices(application)] == ["invitation.pdf"]
