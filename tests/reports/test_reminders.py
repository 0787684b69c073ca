"""`flask reports remind`: the applicant (and an organisation's members) are reminded before
the report deadline and after it, once each, with the clock moved by the test."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.notifications.sender import send_pending
from grants.reports.models import ReminderLog
from grants.workflow.models import JournalEntry
from tests.reports.helpers import file_report, granted_case, granted_youth_case


def run(runner, inbox) -> list[tuple[str, str]]:
    result = runner.invoke(args=["reports", "remind"])
    assert result.exit_code == 0, result.output
    return sorted((m["To"], m["Subject"]) for m in inbox.take())


def test_reminders_go_to_the_right_people_at_the_right_times_once(world, runner, inbox, move_clock):
    study = granted_case(world, 8000)
    send_pending()  # the decisions' own e-mails
    inbox.take()
    days_before = world.fund.remind_days_before
    assert days_before == 7

    # Too early: nothing.
    move_clock(study.report_due - dt.timedelta(days=days_before + 1))
    assert run(runner, inbox) == []

    # A week before the study trip's deadline: its applicant, once.
    move_clock(study.report_due - dt.timedelta(days=days_before))
    mails = run(runner, inbox)
    assert [to for to, _subject in mails] == ["medarbejder@ballerup.dk"]
    assert "Påmindelse om rapport og regnskab" in mails[0][1]
    assert study.case_number in mails[0][1]
    assert run(runner, inbox) == []  # the same day again: nothing twice

    # On the deadline: nothing extra.
    move_clock(study.report_due)
    assert run(runner, inbox) == []

    # The day after: the overdue reminder, once.
    move_clock(study.report_due + dt.timedelta(days=1))
    mails = run(runner, inbox)
    assert [to for to, _subject in mails] == ["medarbejder@ballerup.dk"]
    assert "overskredet" in mails[0][1]
    assert run(runner, inbox) == []

    db.session.expire_all()
    logs = db.session.execute(
        select(ReminderLog.application_id, ReminderLog.kind).order_by(ReminderLog.id)
    ).all()
    assert logs == [(study.id, "before_due"), (study.id, "overdue")]
    # Each reminder is in the case's journal, for the applicant to see too.
    entries = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.application_id == study.id, JournalEntry.action == "report_reminder"
        )
    ).all()
    assert len(entries) == 2 and all(e.visible_to_applicant for e in entries)


def test_a_youth_case_reminds_every_member_of_the_association(
    world, youth, runner, inbox, move_clock
):
    trip = granted_youth_case(world, youth)
    send_pending()
    inbox.take()
    move_clock(trip.report_due - dt.timedelta(days=3))
    assert [to for to, _s in run(runner, inbox)] == ["frida@example.dk", "karl@example.dk"]
    move_clock(trip.report_due + dt.timedelta(days=10))
    mails = run(runner, inbox)
    assert [to for to, _s in mails] == ["frida@example.dk", "karl@example.dk"]
    assert all("overskredet" in subject for _to, subject in mails)
    assert run(runner, inbox) == []
    db.session.expire_all()
    logs = db.session.execute(select(ReminderLog.application_id, ReminderLog.kind)).all()
    assert sorted(logs) == [(trip.id, "before_due"), (trip.id, "overdue")]


def test_no_reminder_once_the_report_is_in(world, runner, inbox, move_clock):
    submitted = granted_case(world, 8000)
    waiting = granted_case(world, 5000)
    move_clock(submitted.return_date)  # back from the trip
    file_report(submitted, world.employee, {"transport": "1000"})
    assert submitted.state == "report_submitted"
    send_pending()
    inbox.take()
    move_clock(waiting.report_due + dt.timedelta(days=1))
    mails = run(runner, inbox)
    assert len(mails) == 1
    db.session.expire_all()
    assert db.session.scalars(select(ReminderLog.application_id)).all() == [waiting.id]


def test_a_case_first_seen_after_its_deadline_gets_only_the_overdue_reminder(
    world, runner, inbox, move_clock
):
    application = granted_case(world, 8000)
    send_pending()
    inbox.take()
    move_clock(application.report_due + dt.timedelta(days=30))
    assert len(run(runner, inbox)) == 1
    move_clock(application.report_due + dt.timedelta(days=31))
    assert run(runner, inbox) == []
    db.session.expire_all()
    assert db.session.scalars(select(ReminderLog.kind)).all() == ["overdue"]


def test_a_concurrent_run_that_logged_first_wins(world, runner, inbox, move_clock, monkeypatch):
    """Two runs at once: both see no log row, the database's unique constraint lets one
    insert it, and the other skips the case (its savepoint rolled back, nothing queued)."""
    from grants.reports import reminders

    application = granted_case(world, 8000)
    send_pending()
    inbox.take()
    move_clock(application.report_due + dt.timedelta(days=1))
    db.session.add(ReminderLog(application_id=application.id, kind="overdue"))
    db.session.commit()
    monkeypatch.setattr(reminders, "_logged", lambda application, kind: False)
    assert run(runner, inbox) == []
    db.session.expire_all()
    assert len(db.session.scalars(select(ReminderLog)).all()) == 1
    journal = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "report_reminder")
    ).all()
    assert journal == []


def test_with_a_job_queue_the_reminders_are_a_job_for_the_worker(
    app, world, runner, inbox, move_clock
):
    """With REDIS_URL the command only queues the job; an RQ worker sends the reminders, and
    the job counts them."""
    import uuid

    redis = pytest.importorskip("redis")
    rq = pytest.importorskip("rq")
    from grants.jobs.models import Job, JobStatus

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    queue_name = f"grants-test-{uuid.uuid4().hex[:8]}"
    app.config.update(
        REDIS_URL="redis://127.0.0.1:6379/15",
        RQ_QUEUE=queue_name,
        JOBS_MODE="rq",
        JOBS_WORKER_CONFIG={
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_FOLDER": app.config["MAIL_FOLDER"],
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
        },
    )
    study = granted_case(world, 8000)
    send_pending()
    inbox.take()
    move_clock(study.report_due - dt.timedelta(days=world.fund.remind_days_before))
    queue = rq.Queue(queue_name, connection=connection)
    try:
        result = runner.invoke(args=["reports", "remind"])
        assert result.exit_code == 0, result.output
        assert "Queued as job" in result.output
        assert inbox.take() == [] and queue.count == 1  # nothing sent until the worker runs
        rq.SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.expire_all()
        job = db.session.scalar(select(Job).where(Job.kind == "reports_remind"))
        assert (job.status, job.total, job.done) == (JobStatus.DONE, 1, 1)
        assert [m["To"] for m in inbox.take()] == ["medarbejder@ballerup.dk"]
    finally:
        queue.delete(delete_jobs=True)
