"""What became of a letter after Serviceplatformen took it: the Digital Post status messages
fetched from the Beskedfordeler (a stand-in on loopback demanding the organisation's
certificate) by `flask delivery fetch-statuses`, matched to the letter by its transaction
id: delivered, failed after sending (and the fallback), a transaction nobody knows, the
same status twice, and the Beskedfordeler down."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from grants.core import clock
from grants.delivery import operations
from grants.delivery.models import Channel, LetterDelivery, Status
from grants.extensions import db
from grants.jobs.models import Job, JobStatus
from tests.delivery.beskedfordeler import Beskedfordeler, status_message
from tests.delivery.test_sending import _decided, _journal
from tests.html import table_rows


def _sent(dp_world) -> tuple:
    application = _decided(dp_world)
    delivery = db.session.scalar(db.select(LetterDelivery))
    assert delivery.status == Status.SENT
    return application, delivery


@pytest.fixture
def sent(dp_world, platform, beskedfordeler):
    """The decided case and its letter, sent by Digital Post, with the Beskedfordeler running."""
    return _sent(dp_world)


def _tell(beskedfordeler, delivery, **status) -> None:
    """The Beskedfordeler holds a status for the letter's transaction."""
    beskedfordeler.messages.append(status_message(transaction_id=delivery.transaction_id, **status))


def _fetch(runner, *args) -> str:
    result = runner.invoke(args=["delivery", "fetch-statuses", "--now", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def _case_row(client, application, auth=None, who=None) -> list[str]:
    if auth is not None:
        auth.login(who)
    rows = table_rows(
        client.get(f"/ansoegninger/{application.id}"),
        "section[aria-labelledby=delivery-heading] table",
    )
    (row,) = rows[1:]
    return row


def test_off_by_default(dp_world, platform, runner, app):
    assert app.config["DIGITAL_POST_STATUS_URL"] == ""
    _sent(dp_world)
    assert "not set up" in _fetch(runner)
    assert db.session.scalar(db.select(Job).filter_by(kind="post_status_fetch")) is None


def test_a_delivered_status_shows_as_delivered(
    sent, dp_world, beskedfordeler, runner, client, auth
):
    application, delivery = sent
    _tell(beskedfordeler, delivery, at="2026-12-06T10:15:00Z")

    _fetch(runner)

    delivery = db.session.get(LetterDelivery, delivery.id)
    assert (delivery.channel, delivery.status) == (Channel.DIGITAL_POST, Status.DELIVERED)
    finished = delivery.finished_at.replace(tzinfo=delivery.finished_at.tzinfo or dt.UTC)
    assert finished == dt.datetime(2026, 12, 6, 10, 15, tzinfo=dt.UTC)
    # Fetched over mutual TLS with the organisation's certificate.
    assert beskedfordeler.subjects == ["Testkommune - Rejsetilskud (FOCES)"]
    (entry,) = _journal(application, "digital_post_delivered")
    assert entry.details["transaction"] == delivery.transaction_id
    assert entry.details["status"] == "Afleveret Digital Post"
    assert not entry.visible_to_applicant
    row = _case_row(client, application, auth, dp_world.caseworker)
    assert row[1] == "Digital Post"
    assert row[2].startswith("Leveret (")
    job = db.session.scalar(db.select(Job).filter_by(kind="post_status_fetch"))
    assert job.status == JobStatus.DONE


def test_the_case_page_says_delivered_in_english(
    sent, dp_world, beskedfordeler, runner, client, auth
):
    application, delivery = sent
    _tell(beskedfordeler, delivery)
    _fetch(runner)
    auth.login(dp_world.caseworker)
    client.post("/sprog", data={"locale": "en"})
    row = _case_row(client, application)
    assert row[2].startswith("Delivered (")


def test_a_failure_after_sending_sends_the_letter_by_the_fallback(
    sent, dp_world, beskedfordeler, runner, client, auth, inbox
):
    application, delivery = sent
    inbox.take()
    _tell(
        beskedfordeler, delivery, status="Fejlet", error=("1234", "Modtagerens postkasse er lukket")
    )

    _fetch(runner)

    delivery = db.session.get(LetterDelivery, delivery.id)
    assert (delivery.channel, delivery.status, delivery.reason) == (
        Channel.EMAIL,
        Status.EMAILED,
        operations.FAILED_AFTER_SENDING,
    )
    assert delivery.last_error == "1234: Modtagerens postkasse er lukket"
    (failed,) = _journal(application, "digital_post_failed_after_sending")
    assert failed.details["error"] == "1234: Modtagerens postkasse er lukket"
    (emailed,) = _journal(application, "letter_emailed")
    assert emailed.details["reason"] == operations.FAILED_AFTER_SENDING
    assert [m["To"] for m in inbox.take() if "Brev i sag" in m["Subject"]] == [
        dp_world.employee.email
    ]
    row = _case_row(client, application, auth, dp_world.caseworker)
    assert row[1] == "E-mail med sikkert link"
    assert row[4].startswith("Fejlet efter afsendelse")
    client.post("/sprog", data={"locale": "en"})
    assert _case_row(client, application)[4].startswith("Failed after sending")


def test_a_failure_after_sending_goes_to_print_when_the_municipality_prints(
    sent, beskedfordeler, runner, app
):
    app.config["DIGITAL_POST_FALLBACK"] = "print"
    application, delivery = sent
    beskedfordeler.messages.append(
        status_message(message_uuid=delivery.message_uuid, status="Fejlet", error=("9", "x"))
    )
    _fetch(runner)
    delivery = db.session.get(LetterDelivery, delivery.id)
    assert (delivery.channel, delivery.status) == (Channel.PRINT, Status.TO_PRINT)
    assert len(_journal(application, "letter_to_print")) == 1


def test_a_status_for_an_unknown_transaction_is_logged_and_ignored(
    sent, beskedfordeler, runner, caplog
):
    application, delivery = sent
    beskedfordeler.messages.append(
        status_message(transaction_id="00000000-0000-0000-0000-000000000000", status="Fejlet")
    )

    with caplog.at_level(logging.WARNING, logger="grants.delivery.statuses"):
        _fetch(runner)

    assert "unknown transaction 00000000-0000-0000-0000-000000000000" in caplog.text
    delivery = db.session.get(LetterDelivery, delivery.id)
    assert (delivery.channel, delivery.status) == (Channel.DIGITAL_POST, Status.SENT)
    assert not _journal(application, "digital_post_failed_after_sending")
    assert not _journal(application, "letter_emailed")
    job = db.session.scalar(db.select(Job).filter_by(kind="post_status_fetch"))
    assert job.status == JobStatus.DONE


def test_a_status_read_twice_changes_nothing_the_second_time(sent, beskedfordeler, runner, inbox):
    application, delivery = sent
    inbox.take()
    failed = status_message(transaction_id=delivery.transaction_id, status="Fejlet")
    beskedfordeler.messages.extend([failed, failed])  # twice in one fetch

    _fetch(runner)
    _fetch(runner)  # and again on the next run

    assert len(_journal(application, "digital_post_failed_after_sending")) == 1
    assert len(_journal(application, "letter_emailed")) == 1
    assert len([m for m in inbox.take() if "Brev i sag" in m["Subject"]]) == 1
    # A "delivered" that comes after the failure does not undo the fallback.
    _tell(beskedfordeler, delivery)
    _fetch(runner)
    assert db.session.get(LetterDelivery, delivery.id).status == Status.EMAILED
    assert not _journal(application, "digital_post_delivered")


def test_a_step_on_the_way_changes_nothing(sent, beskedfordeler, runner):
    application, delivery = sent
    _tell(beskedfordeler, delivery, status="Modtaget Digital Post")
    _fetch(runner)
    assert db.session.get(LetterDelivery, delivery.id).status == Status.SENT


def test_the_beskedfordeler_down_changes_nothing_and_the_next_run_fetches(
    sent, beskedfordeler, certificates, runner, app
):
    application, delivery = sent
    beskedfordeler.stop()

    output = _fetch(runner)

    assert "Not fetched" in output
    delivery = db.session.get(LetterDelivery, delivery.id)
    assert delivery.status == Status.SENT
    assert not _journal(application, "digital_post_delivered")
    job = db.session.scalar(db.select(Job).filter_by(kind="post_status_fetch"))
    assert job.status == JobStatus.FAILED

    again = Beskedfordeler(certificates).start()
    try:
        app.config["DIGITAL_POST_STATUS_URL"] = again.url
        again.messages.append(status_message(transaction_id=delivery.transaction_id))
        _fetch(runner)
    finally:
        again.stop()
    assert db.session.get(LetterDelivery, delivery.id).status == Status.DELIVERED
    assert len(_journal(application, "digital_post_delivered")) == 1


def test_the_schedule_fetches_when_the_last_fetch_is_old_enough(
    dp_world, platform, beskedfordeler, runner, app, monkeypatch
):
    app.config["DIGITAL_POST_STATUS_MINUTES"] = 15
    _fetch(runner)
    result = runner.invoke(args=["delivery", "fetch-statuses"])
    assert "Fetched recently" in result.output
    assert len(beskedfordeler.subjects) == 1
    later = clock.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    result = runner.invoke(args=["delivery", "fetch-statuses"])
    assert "fetched" in result.output
    assert len(beskedfordeler.subjects) == 2


def test_a_certificate_from_another_ca_is_refused(sent, beskedfordeler, certificates, runner, app):
    application, delivery = sent
    _tell(beskedfordeler, delivery)
    app.config["DIGITAL_POST_STATUS_CERTIFICATE"] = str(certificates.stranger)
    assert "Not fetched" in _fetch(runner)
    assert beskedfordeler.subjects == []
    assert db.session.get(LetterDelivery, delivery.id).status == Status.SENT


@pytest.mark.parametrize("status", ["Afleveret Digital Post", "Fejlet"])
def test_a_message_on_another_channel_is_left(sent, beskedfordeler, runner, status):
    application, delivery = sent
    _tell(beskedfordeler, delivery, status=status, channel="Fjernprint")
    _fetch(runner)
    assert db.session.get(LetterDelivery, delivery.id).status == Status.SENT
