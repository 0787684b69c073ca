"""Journalisation in the ESDH by e-mail to its journalisation mailbox, received by a real
SMTP server on loopback: the subject in the agreed form with the case number, the fund's
KLE number and handling code and the document's title, the document attached; automatic
when a case is submitted and a letter issued, by hand from the case page, each document
once unless asked again; refused for anyone but the secretariat."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest

from grants.applications.operations import submit
from grants.cases.models import Attachment
from grants.core import clock
from grants.esdh.models import Journalisation, JournalisationStatus
from grants.extensions import db
from grants.jobs.runner import start_pending
from grants.workflow import engine
from grants.workflow.models import JournalEntry
from tests.factories import make_application, make_fund
from tests.html import flashes, page_text, table_rows
from tests.letters.kinds import decision_case, letters_of
from tests.messages.helpers import post_message

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


# -- the case's thread (grants.messages): journalised as it is written -------------------------

MESSAGE_PDF = b"%PDF-1.4\n% the guidance\n%%EOF\n"


def _thread_case(world):
    application = make_application(world.employee, world.fund, state="awaiting_decision")
    db.session.commit()
    return application


def _to_the_mailbox(inbox) -> list[tuple[str, list[tuple[str, str, bytes]]]]:
    return [_journalised(m) for m in inbox.take() if m["To"] == MAILBOX]


def test_a_message_and_its_file_are_journalised_as_they_are_written(world, esdh, client, auth):
    application = _thread_case(world)
    esdh.take()
    auth.login(world.caseworker)

    response = post_message(
        client,
        application,
        body="Hvor mange deltager fra foreningen?",
        files=(io.BytesIO(MESSAGE_PDF), "vejledning.pdf"),
    )

    assert response.status_code == 302
    number = application.case_number
    received = _to_the_mailbox(esdh)
    assert [subject for subject, _files in received] == [
        f"Journalisering: sag {number} [KLE 05.10.00 G01] Meddelelse: Besked",
        f"Journalisering: sag {number} [KLE 05.10.00 G01] Bilag til besked 1: vejledning.pdf",
    ]
    ((name, content_type, text),) = received[0][1]
    assert name.startswith("meddelelse-") and content_type == "text/plain"
    assert "Hvor mange deltager fra foreningen?" in text.decode("utf-8")
    assert "Sara Skov" in text.decode("utf-8") or world.caseworker.name in text.decode("utf-8")
    assert received[1][1] == [("vejledning.pdf", "application/pdf", MESSAGE_PDF)]

    # The applicant's answer goes the same way; nothing is sent twice.
    auth.login(world.employee)
    assert post_message(client, application, body="Vi er 14.").status_code == 302
    ((subject, files),) = _to_the_mailbox(esdh)
    assert subject.endswith("Meddelelse: Besked")
    assert "Vi er 14." in files[0][2].decode("utf-8")
    rows = db.session.scalars(
        db.select(Journalisation).filter_by(application_id=application.id)
    ).all()
    assert len(rows) == len({r.document for r in rows}) == 3
    assert all(r.status == JournalisationStatus.SENT for r in rows)


def test_a_request_for_information_is_journalised_once(world, esdh, client, auth):
    """The request is a step with a comment and a message of the thread: one document."""
    application = make_application(world.employee, world.fund, state="screening")
    db.session.commit()
    esdh.take()
    auth.login(world.caseworker)

    response = post_message(
        client,
        application,
        body="Send programmet for dag 2.",
        request="y",
        due_date=(clock.today() + dt.timedelta(days=10)).isoformat(),
    )

    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state == "awaiting_information"
    ((subject, files),) = _to_the_mailbox(esdh)
    assert "Meddelelse:" in subject
    assert "Send programmet for dag 2." in files[0][2].decode("utf-8")


def test_an_internal_note_is_journalised_as_what_it_is(world, esdh, client, auth):
    application = _thread_case(world)
    esdh.take()
    auth.login(world.caseworker)

    response = client.post(
        f"/ansoegninger/{application.id}/interne-notater", data={"note": "Ringede til dem."}
    )

    assert response.status_code == 302
    ((subject, files),) = _to_the_mailbox(esdh)
    assert subject.endswith("Meddelelse: Internt notat")
    assert "Ringede til dem." in files[0][2].decode("utf-8")


def test_a_refused_message_journalises_nothing(world, esdh, client, auth):
    application = _thread_case(world)
    esdh.take()
    before = db.session.scalar(db.select(db.func.count()).select_from(Journalisation))

    auth.login(world.caseworker)
    assert post_message(client, application, body="   ").status_code == 422
    bad_file = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf")
    assert post_message(client, application, body="Se filen", files=bad_file).status_code == 422
    auth.login(world.manager)  # may not write in the case
    assert post_message(client, application, body="Hej").status_code == 403

    assert db.session.scalar(db.select(db.func.count()).select_from(Journalisation)) == before
    assert _to_the_mailbox(esdh) == []


def test_without_a_kle_number_a_message_is_not_journalised(world, esdh, client, auth):
    world.fund.kle_number = ""
    application = _thread_case(world)
    esdh.take()
    auth.login(world.caseworker)

    assert post_message(client, application, body="Hej fra sekretariatet.").status_code == 302
    assert _to_the_mailbox(esdh) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Journalisation)) == 0
