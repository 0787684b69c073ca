"""The case file keeps every document (journaliseringspligt, offentlighedsloven § 15): a new
programme file is a new version, and every version stays on the case page, downloadable, in
the case-file archive and in the journal. Nothing can change or remove one, except the
privacy purge."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from sqlalchemy import delete, select, text, update

from grants.applications import documents
from grants.cases.models import Attachment, DocumentIsKept
from grants.core import clock
from grants.extensions import db
from grants.workflow.models import JournalEntry
from tests.applications.resubmission import (
    PROGRAMME_V1,
    PROGRAMME_V2,
    data,
    post_form,
    waiting_for_information,
    with_file,
)
from tests.dbstate import table_fingerprint
from tests.html import field_error, page_text, text_of


def resubmit_with_new_programme(world, client, auth):
    application = waiting_for_information(world, client, auth)
    auth.login(world.employee)
    values = with_file(
        data(world, amount_applied="19.500,50", reply="Det endelige program er vedhæftet."),
        PROGRAMME_V2,
        "program-endelig.pdf",
    )
    response = post_form(client, f"/ansoegninger/{application.id}/rediger", values)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert application.state == "screening"
    return application


def versions(application) -> list[Attachment]:
    return sorted(application.attachments, key=lambda a: a.version)


def test_a_new_programme_file_is_a_new_version_and_the_old_one_stays(world, client, auth):
    application = resubmit_with_new_programme(world, client, auth)
    first, second = versions(application)
    assert (first.version, first.filename, first.data) == (1, "program.pdf", PROGRAMME_V1)
    assert (second.version, second.filename, second.data) == (
        2,
        "program-endelig.pdf",
        PROGRAMME_V2,
    )
    assert second.supersedes_id == first.id and first.supersedes_id is None
    assert {first.uploaded_by_id, second.uploaded_by_id} == {world.employee.id}
    assert documents.current(application, "programme") == second

    # The caseworker sees the current version first, and every version with its number, when
    # and by whom it was received; both download, byte for byte.
    auth.login(world.caseworker)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    table = page[page.index('id="documents"') :]
    table = table[: table.index("</table>")]
    assert table.index("program-endelig.pdf") < table.index("program.pdf")
    assert "gældende" in table and "erstattet" in table
    assert table.count("Mette Madsen") == 2
    programme_row = page[page.index('<th scope="row">Program</th>') :][:800]
    assert f"/bilag/{second.id}" in programme_row and "version 2" in programme_row
    for item, content in ((first, PROGRAMME_V1), (second, PROGRAMME_V2)):
        response = client.get(f"/ansoegninger/{application.id}/bilag/{item.id}")
        assert response.status_code == 200 and response.data == content

    # The form offers the current version and says a new file adds a version.
    auth.login(world.employee)
    assert client.get(f"/ansoegninger/{application.id}").status_code == 200


def test_the_old_version_downloads_for_those_who_see_the_case_only(world, client, auth):
    application = resubmit_with_new_programme(world, client, auth)
    first = versions(application)[0]
    url = f"/ansoegninger/{application.id}/bilag/{first.id}"
    for person in (world.employee, world.manager, world.caseworker, world.board_member):
        auth.login(person)
        assert client.get(url).data == PROGRAMME_V1, person.email
    auth.login(world.outsider)
    assert client.get(url).status_code == 403
    # The document's id under another case of the outsider's own: not found, never served.
    from tests.factories import make_application

    own = make_application(world.outsider, world.fund, state="screening")
    db.session.commit()
    response = client.get(f"/ansoegninger/{own.id}/bilag/{first.id}")
    assert response.status_code == 404


def test_every_version_is_in_the_journal_and_the_archive(world, client, auth):
    application = resubmit_with_new_programme(world, client, auth)
    first, second = versions(application)
    received = [e for e in application.journal if e.action == documents.RECEIVED]
    assert [e.details["document"]["version"] for e in received] == [1, 2]
    assert [e.details["document"]["sha256"] for e in received] == [
        hashlib.sha256(PROGRAMME_V1).hexdigest(),
        hashlib.sha256(PROGRAMME_V2).hexdigest(),
    ]
    assert all(e.actor_id == world.employee.id and e.visible_to_applicant for e in received)

    # In the journal on the case page, in the reader's language.
    auth.login(world.employee)
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Dokument modtaget" in page_text(page)
    assert "Program, version 2: program-endelig.pdf" in page_text(page)
    client.post("/sprog", data={"locale": "en"})
    page = client.get(f"/ansoegninger/{application.id}").get_data(as_text=True)
    assert "Document received" in page_text(
        page
    ) and "Programme, version 2: program-endelig.pdf" in page_text(page)

    # The archive: both files, the documents' index and the journal with the facts.
    auth.login(world.caseworker)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    assert archive.read(f"dokumenter/{first.id}-v1-program.pdf") == PROGRAMME_V1
    assert archive.read(f"dokumenter/{second.id}-v2-program-endelig.pdf") == PROGRAMME_V2
    rows = list(csv.DictReader(io.StringIO(archive.read("dokumenter.csv").decode("utf-8-sig"))))
    assert [(r["dokument"], r["version"], r["gaeldende"], r["filnavn"]) for r in rows] == [
        ("Program", "2", "ja", "program-endelig.pdf"),
        ("Program", "1", "nej", "program.pdf"),
    ]
    assert rows[0]["erstatter_id"] == str(first.id)
    assert rows[1]["modtaget_fra"] == "Mette Madsen"
    assert rows[1]["sha256"] == hashlib.sha256(PROGRAMME_V1).hexdigest()
    journal = list(csv.DictReader(io.StringIO(archive.read("journal.csv").decode("utf-8-sig"))))
    details = [r["detaljer"] for r in journal if r["handling"] == documents.RECEIVED]
    assert details == ["Program, version 1: program.pdf", "Program, version 2: program-endelig.pdf"]
    # The archive is the municipality's record: Danish, whoever exports it.
    client.post("/sprog", data={"locale": "en"})
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/ansoegninger/{application.id}/sagsmappe.zip").data)
    )
    assert "Program, version 2" in archive.read("journal.csv").decode("utf-8-sig")


def test_a_file_for_a_funds_question_keeps_its_versions_too(world, client, auth):
    from grants.questions.models import FormVersion, Question, QuestionKind

    version = FormVersion(fund_id=world.fund.id, version=1)
    version.questions.append(
        Question(key="budget_proof", kind=QuestionKind.FILE, label="Tilbud fra rejsebureau")
    )
    db.session.add(version)
    db.session.commit()
    auth.login(world.employee)
    values = data(world, intent="save")
    values["q-budget_proof"] = (io.BytesIO(PROGRAMME_V1), "tilbud.pdf")
    assert post_form(client, "/ansoegninger/ny/studierejsefonden", values).status_code == 302
    from grants.cases.models import Application

    application = db.session.scalars(select(Application)).one()
    values = data(world, intent="save")
    values["q-budget_proof"] = (io.BytesIO(PROGRAMME_V2), "tilbud-2.pdf")
    response = post_form(client, f"/ansoegninger/{application.id}/rediger", values)
    assert response.status_code == 302
    db.session.expire_all()
    first, second = versions(application)
    assert (first.filename, second.filename, second.supersedes_id) == (
        "tilbud.pdf",
        "tilbud-2.pdf",
        first.id,
    )
    assert application.answers["budget_proof"]["attachment_id"] == second.id
    page = client.get(f"/ansoegninger/{application.id}")
    assert "Tilbud fra rejsebureau" in text_of(page, "#documents")


def test_receipts_add_up_and_each_is_journalised(world):
    from grants.core.files import check_upload
    from grants.reports.report import add_receipt
    from tests.reports.helpers import PDF, PNG, granted_case

    application = granted_case(world, 8000)
    add_receipt(application, check_upload("fly.pdf", PDF, "receipts"), world.employee)
    add_receipt(application, check_upload("hotel.png", PNG, "receipts"), world.employee)
    db.session.commit()
    receipts = [a for a in application.attachments if a.purpose == "receipt"]
    assert [(r.version, r.supersedes_id) for r in receipts] == [(1, None), (1, None)]
    assert len(documents.documents_of(application)) == 2
    entries = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == documents.RECEIVED)
    ).all()
    assert [e.details["document"]["filename"] for e in entries] == ["fly.pdf", "hotel.png"]


def test_a_document_cannot_be_changed_or_removed_through_the_models(world, client, auth):
    application = resubmit_with_new_programme(world, client, auth)
    first = versions(application)[0]
    before = table_fingerprint()
    first.data = b"%PDF-1.4 something else"
    with pytest.raises(DocumentIsKept):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Attachment, first.id))
    with pytest.raises(DocumentIsKept):
        db.session.flush()
    db.session.rollback()
    application = db.session.get(type(application), application.id)
    application.attachments.remove(application.attachments[0])  # an orphan is deleted
    with pytest.raises(DocumentIsKept):
        db.session.flush()
    db.session.rollback()
    assert table_fingerprint() == before


def test_on_postgresql_the_database_refuses_too_except_for_the_purge(world, client, auth):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite has the models' guard only")
    application = resubmit_with_new_programme(world, client, auth)
    first = versions(application)[0]
    for statement in (
        update(Attachment).where(Attachment.id == first.id).values(data=b"changed"),
        delete(Attachment).where(Attachment.id == first.id),
    ):
        with pytest.raises(Exception, match="is kept"):
            db.session.execute(statement)
        db.session.rollback()
    # Deleting the case would take its documents with it (ON DELETE CASCADE), and is refused
    # too: by the documents' guard, or first by a reference to the case that does not
    # cascade (its journal's). Which PostgreSQL checks first goes by its triggers' names,
    # which hold their object ids: a database's history decides it, not the app.
    with pytest.raises(Exception, match="is kept|violates foreign key constraint"):
        db.session.execute(
            text("DELETE FROM application WHERE id = :id").bindparams(id=application.id)
        )
    db.session.rollback()
    assert db.session.get(Attachment, first.id).data == PROGRAMME_V1
    # The purge says it erases, in its own transaction only.
    documents.allow_erasure()
    db.session.execute(delete(Attachment).where(Attachment.application_id == application.id))
    db.session.rollback()
    with pytest.raises(Exception, match="is kept"):
        db.session.execute(delete(Attachment).where(Attachment.id == first.id))
    db.session.rollback()
    assert len(db.session.get(type(application), application.id).attachments) == 2


def test_the_privacy_purge_still_erases_every_version(world, client, auth, monkeypatch):
    from grants.privacy.operations import purge

    application = resubmit_with_new_programme(world, client, auth)
    application.state = "withdrawn"
    db.session.commit()
    later = clock.now() + dt.timedelta(days=7 * 366)
    monkeypatch.setattr(clock, "now", lambda: later)
    plan = purge(6)
    db.session.commit()
    assert [case.id for case in plan.cases] == [application.id]
    assert db.session.scalars(select(Attachment)).all() == []
    # The journal keeps that documents came, not what they were called.
    received = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == documents.RECEIVED)
    ).all()
    assert len(received) == 2 and all(e.details is None for e in received)
    assert db.session.get(type(application), application.id).reply_draft == ""


def test_the_migration_numbers_the_files_already_kept(tmp_path):
    """Existing files become version 1; several for one purpose of a case (never receipts)
    become versions in the order they came."""
    from flask_migrate import upgrade

    from grants import create_app

    url = f"sqlite:///{tmp_path / 'before.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="3c1d2e9f7a01")
        db.engine.dispose()
    # Only the attachment table matters: rows without their case (SQLite does not enforce
    # the foreign key here).
    import sqlite3

    connection = sqlite3.connect(tmp_path / "before.db")
    for row_id, purpose in [(1, "programme"), (2, "receipt"), (3, "programme"), (4, "receipt")]:
        connection.execute(
            "INSERT INTO attachment (id, application_id, purpose, filename, content_type, size,"
            " sha256, data, created_at) VALUES (?, 7, ?, 'f.pdf', 'application/pdf', 1, 'x', x'00',"
            " '2026-01-01')",
            (row_id, purpose),
        )
    connection.execute(
        "INSERT INTO attachment (id, application_id, purpose, filename, content_type, size,"
        " sha256, data, created_at) VALUES (5, 8, 'programme', 'g.pdf', 'application/pdf', 1,"
        " 'x', x'00', '2026-01-01')"
    )
    connection.commit()
    connection.close()
    with app.app_context():
        upgrade()
        rows = db.session.execute(
            text("SELECT id, version, supersedes_id FROM attachment ORDER BY id")
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        (1, 1, None),
        (2, 1, None),
        (3, 2, 1),
        (4, 1, None),
        (5, 1, None),
    ]


def test_the_same_file_again_is_not_a_new_version(world, client, auth):
    application = resubmit_with_new_programme(world, client, auth)
    auth.login(world.caseworker)
    client.post(
        f"/ansoegninger/{application.id}/trin/request_information",
        data={"comment": "Og beløbet?"},
    )
    auth.login(world.employee)
    values = with_file(
        data(world, amount_applied="19000", reply="Rettet."), PROGRAMME_V2, "program-endelig.pdf"
    )
    assert post_form(client, f"/ansoegninger/{application.id}/rediger", values).status_code == 302
    db.session.expire_all()
    assert [a.version for a in versions(application)] == [1, 2]
    assert len([e for e in application.journal if e.action == documents.RECEIVED]) == 2


def test_a_document_takes_a_bounded_number_of_versions(world, client, auth, monkeypatch):
    monkeypatch.setattr(documents, "MAX_VERSIONS", 2)
    application = resubmit_with_new_programme(world, client, auth)
    auth.login(world.caseworker)
    client.post(
        f"/ansoegninger/{application.id}/trin/request_information", data={"comment": "Mere?"}
    )
    auth.login(world.employee)
    before = table_fingerprint()
    values = with_file(
        data(world, amount_applied="19.500,50", reply="En tredje udgave."),
        b"%PDF-1.4\n% a third\n%%EOF\n",
        "program-3.pdf",
    )
    response = post_form(client, f"/ansoegninger/{application.id}/rediger", values)
    assert response.status_code == 422
    assert "allerede 2 versioner" in (field_error(response, "programme_file") or "")
    assert table_fingerprint() == before
