"""Several receipts in one field (issue 21 point 12): each checked as every upload is, each a
document of its own in the case file and the journal; too many or too large together is said
next to the field and nothing is kept; a receipt added since the report was last sent can be
taken back, and it stays in the case file marked so."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from grants.applications import documents
from grants.cases.models import Attachment, AttachmentWithdrawal
from grants.core import files
from grants.extensions import db
from tests.dbstate import table_fingerprint
from tests.html import field_error, flashes, links, page_text
from tests.reports.helpers import PDF, PNG, granted_case, report_data, with_files


@pytest.fixture
def case(world, move_clock):
    application = granted_case(world, 8000)
    move_clock(application.return_date)
    return application


def url(application) -> str:
    return f"/ansoegninger/{application.id}/rapport"


def post(client, application, data):
    return client.post(url(application), data=data, content_type="multipart/form-data")


def receipts(application) -> list[Attachment]:
    db.session.expire_all()
    return sorted(
        (a for a in application.attachments if a.purpose == documents.RECEIPT), key=lambda a: a.id
    )


def test_several_receipts_at_once_are_each_a_document_in_the_journal(world, case, client, auth):
    auth.login(world.employee)
    data = with_files(
        report_data(case, intent="save"),
        (PDF, "fly.pdf"),
        (PNG, "hotel.png"),
        (PDF, "konference.pdf"),
    )
    assert post(client, case, data).status_code == 302
    kept = receipts(case)
    assert [(a.filename, a.content_type) for a in kept] == [
        ("fly.pdf", "application/pdf"),
        ("hotel.png", "image/png"),
        ("konference.pdf", "application/pdf"),
    ]
    assert all(a.version == 1 and a.supersedes_id is None for a in kept)
    received = [e for e in case.journal if e.action == documents.RECEIVED]
    assert [e.details["document"]["filename"] for e in received] == [
        "fly.pdf",
        "hotel.png",
        "konference.pdf",
    ]
    # Each listed on the form with its download and a preview, and in the case file.
    page = links(client.get(url(case)))
    for item in kept:
        assert any(a.endswith(f"/bilag/{item.id}/vis") for a in page), page
    page = client.get(f"/ansoegninger/{case.id}").get_data(as_text=True)
    assert page_text(page).count("Kvittering") >= 3


def test_too_many_receipts_are_refused_beside_the_field(world, case, client, auth):
    auth.login(world.employee)
    before = table_fingerprint()
    many = [(PDF, f"bon-{n}.pdf") for n in range(files.MAX_FILES_PER_FIELD + 1)]
    response = post(client, case, with_files(report_data(case, intent="save"), *many))
    assert response.status_code == 422
    error = field_error(response, "receipts")
    assert error and f"højst sende {files.MAX_FILES_PER_FIELD} filer" in error
    assert table_fingerprint() == before


def test_receipts_too_large_together_are_refused_beside_the_field(
    world, case, client, auth, monkeypatch
):
    monkeypatch.setattr(files, "MAX_BYTES_PER_FIELD", 2 * 1024 * 1024)
    monkeypatch.setattr(
        files.check_uploads, "__defaults__", (files.MAX_FILES_PER_FIELD, 2 * 1024 * 1024)
    )
    auth.login(world.employee)
    before = table_fingerprint()
    big = PDF + b"\n%" + b"x" * (1024 * 1024 + 10)
    data = with_files(report_data(case, intent="save"), (big, "a.pdf"), (big, "b.pdf"))
    response = post(client, case, data)
    assert response.status_code == 422
    error = field_error(response, "receipts")
    assert error and "Du kan højst sende 2 MB ad gangen" in error
    assert table_fingerprint() == before


def test_one_file_over_its_size_is_refused_and_none_is_kept(world, case, client, auth):
    auth.login(world.employee)
    before = table_fingerprint()
    big = PDF + b"\n%" + b"x" * files.MAX_BYTES_PER_FILE
    data = with_files(report_data(case, intent="save"), (PDF, "ok.pdf"), (big, "stor.pdf"))
    response = post(client, case, data)
    assert response.status_code == 422
    assert "stor.pdf fylder 10 MB" in field_error(response, "receipts")
    assert table_fingerprint() == before


def test_markup_in_a_file_name_is_shown_as_text(world, case, client, auth):
    auth.login(world.employee)
    name = "<img src=x onerror=alert(1)>bon.pdf"
    assert post(client, case, with_files(report_data(case, intent="save"), (PDF, name))).status_code
    (item,) = receipts(case)
    assert "<" not in item.filename and item.filename.endswith("bon.pdf")
    for page_url in (url(case), f"/ansoegninger/{case.id}"):
        page = client.get(page_url).get_data(as_text=True)
        assert "<img src=x" not in page
    # Refused with a hostile name: the name is said as text beside the field.
    response = post(
        client, case, with_files(report_data(case, intent="save"), (b"<svg/onload=1>", name))
    )
    assert response.status_code == 422
    assert "<img src=x" not in response.get_data(as_text=True)
    assert "onload=1" not in response.get_data(as_text=True)


def test_a_receipt_added_before_submitting_can_be_taken_back_and_stays_in_the_case_file(
    world, case, client, auth
):
    auth.login(world.employee)
    data = with_files(report_data(case, intent="save"), (PDF, "fly.pdf"), (PNG, "forkert.png"))
    assert post(client, case, data).status_code == 302
    fly, wrong = receipts(case)
    response = client.post(f"/ansoegninger/{case.id}/bilag/{wrong.id}/fjern")
    assert response.status_code == 302 and response.location.endswith(url(case))
    page = client.get(url(case))
    assert "forkert.png er fjernet" in " ".join(flashes(page))
    # Gone from the report, kept in the case file and the journal, marked withdrawn.
    assert [a.filename for a in receipts(case) if not a.withdrawn] == ["fly.pdf"]
    assert db.session.get(Attachment, wrong.id).data == PNG
    entry = [e for e in case.journal if e.action == documents.WITHDRAWN][-1]
    assert entry.details["document"]["id"] == wrong.id and entry.actor_id == world.employee.id
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{case.id}").get_data(as_text=True)
    assert "trukket tilbage før indsendelse" in page_text(page)
    assert client.get(f"/ansoegninger/{case.id}/bilag/{wrong.id}").data == PNG
    # In the case-file archive too: the file, and its row saying when it was taken back.
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/ansoegninger/{case.id}/sagsmappe.zip").data))
    rows = csv.DictReader(io.StringIO(archive.read("dokumenter.csv").decode("utf-8-sig")))
    withdrawn = {r["filnavn"]: r["trukket_tilbage"] for r in rows}
    assert withdrawn["forkert.png"] and not withdrawn["fly.pdf"]
    assert PNG in [archive.read(name) for name in archive.namelist() if "forkert" in name]

    # Taken back once only; and once the report is sent, its receipts stay.
    auth.login(world.employee)
    assert client.post(f"/ansoegninger/{case.id}/bilag/{wrong.id}/fjern").status_code == 403
    assert post(client, case, report_data(case)).status_code == 302
    assert client.post(f"/ansoegninger/{case.id}/bilag/{fly.id}/fjern").status_code == 403
    assert len(db.session.scalars(select(AttachmentWithdrawal)).all()) == 1


def test_others_cannot_take_back_a_receipt(world, case, client, auth):
    auth.login(world.employee)
    assert post(client, case, with_files(report_data(case, intent="save"), (PDF, "a.pdf")))
    (item,) = receipts(case)
    other = granted_case(world, 5000)
    for person in (world.caseworker, world.manager, world.outsider, world.board_member):
        auth.login(person)
        response = client.post(f"/ansoegninger/{case.id}/bilag/{item.id}/fjern")
        assert response.status_code in (403, 404), person.email
    # A forged id: another case's id in the address, an id that does not exist.
    auth.login(world.employee)
    assert client.post(f"/ansoegninger/{other.id}/bilag/{item.id}/fjern").status_code == 404
    assert client.post(f"/ansoegninger/{case.id}/bilag/999999/fjern").status_code == 404
    # Nothing was taken back, and the journal says nothing of it.
    assert db.session.scalars(select(AttachmentWithdrawal)).all() == []
    assert not [e for e in case.journal if e.action == documents.WITHDRAWN]
    assert [a.filename for a in receipts(case) if not a.withdrawn] == ["a.pdf"]
