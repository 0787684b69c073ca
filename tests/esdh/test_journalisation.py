"""Journalisation in the ESDH by e-mail to its journalisation mailbox, received by a real
SMTP server on loopback: the subject in the agreed form with the case number, the fund's
KLE number and handling code and the document's title, the document attached; automatic
when a case is submitted and a letter issued, by hand from the case page, each document
once unless asked again; refused for anyone but the secretariat."""

from __future__ import annotations

import hashlib

import pytest

from grants.applications.operations import submit
from grants.cases.models import Attachment
from grants.esdh.models import Journalisation, JournalisationStatus
from grants.extensions import db
from grants.jobs.runner import start_pending
from grants.workflow import engine
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_fund
from tests.html import flashes, page_text, table_rows
from tests.letters.kinds import decision_case, letters_of

MAILBOX = "journalisering@sbsys.ballerup.dk"
PROGRAMME = b"%PDF-1.4 programme of the trip"


@pytest.fixture
def esdh(app, world, inbox):
    app.config.update(ESDH_ADAPTER="email", ESDH_MAILBOX=MAILBOX)
    world.fund.kle_number = "05.10.00"
    world.fund.handling_code = "G01"
    db.session.commit()
    return inbox


def _with_programme(application, person):
    application.attachments.append(
        Attachment(
            purpose="programme",
            filename="program.pdf",
            content_type="application/pdf",
            size=len(PROGRAMME),
            sha256=hashlib.sha256(PROGRAMME).hexdigest(),
            data=PROGRAMME,
            uploaded_by_id=person.id,
        )
    )
    db.session.flush()
    return application


def _submitted(world):
    application = _with_programme(make_application(world.employee, world.fund), world.employee)
    submit(application, world.employee)
    db.session.commit()
    start_pending()
    return application


def _journalised(mail) -> tuple[str, list[tuple[str, str, bytes]]]:
    files = [
        (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        for part in mail.iter_attachments()
    ]
    return str(mail["Subject"]).strip(), files


def test_a_submitted_case_is_journalised_with_its_documents(world, esdh):
    application = _submitted(world)
    number = application.case_number

    mails = [m for m in esdh.take() if m["To"] == MAILBOX]
    assert len(mails) == 2
    subject, files = _journalised(mails[0])
    assert subject == (
        f"Journalisering: sag {number} [KLE 05.10.00 G01] Ansøgning: {application.title}"
    )
    ((name, content_type, data),) = files
    assert (name, content_type) == (f"ansoegning-{number}.pdf", "application/pdf")
    assert data.startswith(b"%PDF")
    subject, files = _journalised(mails[1])
    assert subject == f"Journalisering: sag {number} [KLE 05.10.00 G01] Program 1: program.pdf"
    assert files == [("program.pdf", "application/pdf", PROGRAMME)]
    assert "Sagsnr.: " + number in mails[1].get_body(("plain",)).get_content()

    rows = db.session.scalars(db.select(Journalisation).order_by(Journalisation.id)).all()
    assert [(r.document, r.status, r.destination, r.kle_number, r.handling_code) for r in rows] == [
        ("application", JournalisationStatus.SENT, MAILBOX, "05.10.00", "G01"),
        (
            f"attachment:{application.attachments[0].id}",
            JournalisationStatus.SENT,
            MAILBOX,
            "05.10.00",
            "G01",
        ),
    ]
    (entry,) = db.session.scalars(
        db.select(JournalEntry).filter_by(application_id=application.id, action="journalised")
    ).all()
    assert entry.details["destination"] == MAILBOX
    assert entry.visible_to_applicant is False


def test_each_fund_files_under_its_own_kle_number(world, esdh):
    other = make_fund(code="ungdom", kle_number="18.20.00", handling_code="G10")
    db.session.commit()
    application = _with_programme(make_application(world.employee, other), world.employee)
    submit(application, world.employee)
    db.session.commit()
    start_pending()

    subjects = [str(m["Subject"]).strip() for m in esdh.take()]
    assert subjects and all("[KLE 18.20.00 G10]" in s for s in subjects if "Journalisering" in s)


def test_a_fund_without_a_kle_number_is_not_journalised(world, esdh):
    world.fund.kle_number = ""
    db.session.commit()
    _submitted(world)
    assert [m for m in esdh.take() if m["To"] == MAILBOX] == []
    assert db.session.scalar(db.select(Journalisation)) is None


def test_the_letter_is_journalised_when_issued(world, esdh):
    application = decision_case(world, "grant")
    start_pending()

    (letter,) = letters_of(application, "decision")
    ((subject, files),) = [_journalised(m) for m in esdh.take() if m["To"] == MAILBOX]
    assert subject == (
        f"Journalisering: sag {application.case_number} [KLE 05.10.00 G01] "
        f"Afgørelsesbrev: {letter.filename}"
    )
    assert files == [(letter.filename, "application/pdf", letter.pdf)]


def test_the_subject_form_is_configurable(world, esdh, app):
    app.config["ESDH_SUBJECT"] = "{kle}-{handling_code} #{case_number}# {title}"
    application = decision_case(world, "grant")
    start_pending()
    (letter,) = letters_of(application, "decision")
    (mail,) = [m for m in esdh.take() if m["To"] == MAILBOX]
    assert str(mail["Subject"]).strip() == (
        f"05.10.00-G01 #{application.case_number}# Afgørelsesbrev: {letter.filename}"
    )


def test_staff_journalise_by_hand_once_unless_asked_again(world, esdh, client, auth):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    _with_programme(application, world.employee)
    engine.record(application, "comment", world.caseworker, comment="Vi mangler et program.")
    db.session.commit()
    auth.login(world.caseworker)

    response = client.post(f"/ansoegninger/{application.id}/journaliser")
    assert response.status_code == 302
    mails = [m for m in esdh.take() if m["To"] == MAILBOX]
    titles = [str(m["Subject"]).strip().split("] ", 1)[1] for m in mails]
    assert titles[0].startswith("Ansøgning:")
    assert titles[1] == "Program 1: program.pdf"
    assert titles[2].startswith("Meddelelse:")
    _, ((name, content_type, data),) = _journalised(mails[2])
    assert content_type == "text/plain" and "Vi mangler et program." in data.decode()
    # The case page lists what went where.
    page = client.get(f"/ansoegninger/{application.id}")
    rows = table_rows(page, "section[aria-labelledby=esdh-heading] table")[1:]
    assert [row[1] for row in rows] == [MAILBOX] * 3
    assert all(row[3] == "Sendt" for row in rows)

    # Again: nothing new, nothing sent twice.
    response = client.post(f"/ansoegninger/{application.id}/journaliser", follow_redirects=True)
    assert "Alle sagens dokumenter er allerede journaliseret." in flashes(response)
    assert esdh.take() == []
    # Asked again, every document goes again, each with a new record.
    client.post(f"/ansoegninger/{application.id}/journaliser", data={"again": "1"})
    assert len([m for m in esdh.take() if m["To"] == MAILBOX]) == 3
    assert db.session.scalar(db.select(db.func.count(Journalisation.id))) == 6


@pytest.mark.parametrize("who", ["employee", "manager", "finance", "board_member", "outsider"])
def test_only_the_secretariat_journalises(world, esdh, client, auth, who):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(getattr(world, who))

    response = client.post(f"/ansoegninger/{application.id}/journaliser")

    assert response.status_code in (403, 404)
    assert esdh.take() == []
    assert db.session.scalar(db.select(Journalisation)) is None


def test_without_a_kle_number_the_button_is_refused_and_nothing_changes(world, esdh, client, auth):
    world.fund.kle_number = ""
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    auth.login(world.caseworker)

    response = client.post(f"/ansoegninger/{application.id}/journaliser")

    assert response.status_code == 422
    assert "har intet KLE-nummer" in page_text(response)
    assert db.session.scalar(db.select(Journalisation)) is None
    assert esdh.take() == []


def test_a_mailbox_that_refuses_is_recorded_and_tried_again_by_hand(world, esdh, app, client, auth):
    from tests.conftest import free_port

    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    application = decision_case(world, "grant")
    start_pending()
    (row,) = db.session.scalars(db.select(Journalisation)).all()
    assert row.status == JournalisationStatus.FAILED and row.error
    assert db.session.scalars(
        db.select(JournalEntry).filter_by(
            application_id=application.id, action="journalisation_failed"
        )
    ).all()

    app.config["MAIL_PORT"] = port
    auth.login(world.caseworker)
    client.post(f"/ansoegninger/{application.id}/journaliser")
    subjects = [str(m["Subject"]) for m in esdh.take() if m["To"] == MAILBOX]
    assert any("Afgørelsesbrev" in s for s in subjects)


def test_the_purge_keeps_what_went_where_but_not_the_titles(world, esdh, move_clock):
    from grants.privacy import operations as privacy

    application = decision_case(world, "refuse")  # refused: the case is closed
    start_pending()
    (row,) = db.session.scalars(
        db.select(Journalisation).where(Journalisation.document.startswith("letter:"))
    ).all()
    assert row.title.startswith("Afgørelsesbrev")
    move_clock(application.decided_at.date().replace(year=application.decided_at.year + 7))

    privacy.purge(6, actor=world.admin)
    db.session.commit()

    db.session.expire_all()
    assert {r.title for r in db.session.scalars(db.select(Journalisation))} == {""}
    row = db.session.get(Journalisation, row.id)
    assert (row.title, row.document, row.destination, row.kle_number, row.status) == (
        "",
        f"letter:{letters_of(application, 'decision')[0].id}",
        MAILBOX,
        "05.10.00",
        JournalisationStatus.SENT,
    )
