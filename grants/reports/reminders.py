"""Reminders about the report and accounts: some days before the deadline, and once it has
passed. One ReminderLog row per case and kind, written in the same transaction as the
e-mails are queued, so a reminder is sent once however often (or however concurrently) the
command runs.

When: the reminder ``before_due`` from ``fund.remind_days_before`` days before
``application.report_due`` up to and including the deadline (a day the command did not run
is caught up the next day); the reminder ``overdue`` from the day after the deadline. A case
first seen after its deadline gets only the overdue reminder. Only cases still waiting for
their report (granted, partly granted, or returned for corrections) are reminded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from grants.cases.models import Application
from grants.cases.states import GRANTED_STATES, State
from grants.core import clock
from grants.extensions import db
from grants.jobs.models import Job
from grants.jobs.runner import handler, record_result
from grants.notifications.operations import queue_mail
from grants.reports.models import ReminderLog
from grants.workflow import engine
from grants.workflow.journal_texts import note

BEFORE_DUE = "before_due"
OVERDUE = "overdue"
WAITING_STATES = (*GRANTED_STATES, State.REPORT_RETURNED)


@dataclass(frozen=True)
class Reminder:
    application_id: int
    case_number: str | None
    kind: str
    recipients: tuple[str, ...]


def kind_due(application: Application, today: dt.date) -> str | None:
    """Which reminder the case is due on ``today``, if any."""
    due = application.report_due
    if due is None:
        return None
    if today > due:
        return OVERDUE
    if today >= due - dt.timedelta(days=max(application.fund.remind_days_before, 0)):
        return BEFORE_DUE
    return None


def recipients_of(application: Application) -> list:
    """The applicant and, for an organisation's case, everyone who acts for it."""
    people = {application.applicant.id: application.applicant}
    if application.organisation is not None:
        for membership in application.organisation.members:
            people.setdefault(membership.user.id, membership.user)
    return [p for p in people.values() if p.active and p.email]


def send_reminders(today: dt.date | None = None) -> list[Reminder]:
    """Queue the reminders due today, each with its log row and journal entry. Flushes;
    the caller commits and sends the outbox."""
    today = today or clock.today()
    sent: list[Reminder] = []
    candidates = db.session.scalars(
        select(Application)
        .where(
            Application.state.in_(WAITING_STATES),
            Application.report_due.is_not(None),
        )
        .order_by(Application.id)
    ).all()
    for application in candidates:
        kind = kind_due(application, today)
        if kind is None:
            continue
        if _logged(application, kind) or (kind == BEFORE_DUE and _logged(application, OVERDUE)):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(ReminderLog(application_id=application.id, kind=kind))
                db.session.flush()
        except IntegrityError:
            continue  # another run reminded this case of this a moment ago
        sent.append(_remind(application, kind))
    db.session.flush()
    return sent


def _logged(application: Application, kind: str) -> bool:
    return (
        db.session.scalar(
            select(ReminderLog.id).where(
                ReminderLog.application_id == application.id, ReminderLog.kind == kind
            )
        )
        is not None
    )


def _remind(application: Application, kind: str) -> Reminder:
    try:
        report_url = url_for("reports.edit", application_id=application.id, _external=True)
    except (BuildError, RuntimeError):  # no SERVER_NAME configured for the command
        report_url = ""
    people = recipients_of(application)
    for person in people:
        queue_mail(
            person,
            "mail/report_reminder_subject.txt",
            "mail/report_reminder.txt",
            application=application,
            kind=kind,
            report_url=report_url,
        )
    message = "report_reminder_overdue" if kind == OVERDUE else "report_reminder"
    engine.record(
        application,
        "report_reminder",
        None,
        details=note(message, date=application.report_due),
        visible_to_applicant=True,
    )
    return Reminder(
        application_id=application.id,
        case_number=application.case_number,
        kind=kind,
        recipients=tuple(p.email for p in people),
    )


@handler("reports_remind")
def remind_job(job: Job) -> None:
    """The reminders as a job (``flask reports remind`` with RQ): one transaction, as the
    command's; each reminder counted on the job. Run again after dying, it reminds nobody
    twice (ReminderLog is unique per case and kind)."""
    from grants.notifications.sender import send_pending

    job_id = job.id
    reminders = send_reminders()
    job = db.session.get(Job, job_id)
    job.total = len(reminders)
    db.session.flush()
    for reminder in reminders:
        record_result(job, reminder.application_id, None)
    db.session.commit()
    send_pending()
