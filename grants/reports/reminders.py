"""Reminders about the report and accounts: some days before the deadline, and once it has
passed. One ReminderLog row per case and kind, written in the same transaction as the
e-mails are queued, so a reminder is sent once however often (or however concurrently) the
command runs.

When and to whom is the secretariat's setting (ReminderSetting, one per kind, on the
reminders' page); without one, as it always was: the reminder ``before_due`` from
``fund.remind_days_before`` days before ``application.report_due`` up to and including the
deadline (a day the command did not run is caught up the next day), the reminder ``overdue``
from the day after the deadline, both to the applicant and everyone who acts for the
organisation. A case first seen after its deadline gets only the overdue reminder. Only cases
still waiting for their report (granted, partly granted, or returned for corrections) are
reminded. Each run is logged (ReminderRun) with the reminders it sent.

``remind_now`` is one case's reminder sent by the secretariat (the bulk page), whatever the
day: the kind the deadline gives (overdue after it, else before it), once per kind as ever.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from grants.cases.models import Application
from grants.cases.states import GRANTED_STATES, State
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import long_date
from grants.extensions import db
from grants.jobs.models import Job
from grants.jobs.runner import handler, record_result
from grants.notifications.operations import queue_mail
from grants.reports.models import (
    APPLICANT_ONLY,
    APPLICANT_SIDE,
    ReminderLog,
    ReminderRun,
    ReminderSetting,
)
from grants.workflow import engine
from grants.workflow.journal_texts import note

BEFORE_DUE = "before_due"
OVERDUE = "overdue"
KINDS = (BEFORE_DUE, OVERDUE)
# As the command always sent them: before_due on each fund's own days (None), overdue from
# the day after the deadline; both to the applicant side.
DEFAULTS = {
    BEFORE_DUE: {"active": True, "days": None, "recipients": APPLICANT_SIDE},
    OVERDUE: {"active": True, "days": 1, "recipients": APPLICANT_SIDE},
}
WAITING_STATES = (*GRANTED_STATES, State.REPORT_RETURNED)


@dataclass(frozen=True)
class Reminder:
    application_id: int
    case_number: str | None
    kind: str
    recipients: tuple[str, ...]


def setting(kind: str) -> ReminderSetting:
    """The secretariat's setting of a kind of reminder, or (none saved) the default, unsaved."""
    saved = db.session.get(ReminderSetting, kind)
    return saved if saved is not None else ReminderSetting(kind=kind, **DEFAULTS[kind])


def settings() -> dict[str, ReminderSetting]:
    return {kind: setting(kind) for kind in KINDS}


def save_settings(values: dict[str, tuple[bool, int | None, str]]) -> None:
    """Save each kind's setting (audited as a setting: who changed what, from what)."""
    for kind, (active, days, recipients) in values.items():
        row = db.session.get(ReminderSetting, kind)
        if row is None:
            row = ReminderSetting(kind=kind)
            db.session.add(row)
        row.active, row.days, row.recipients = bool(active), days, recipients
    db.session.flush()


def days_before(application: Application, before: ReminderSetting) -> int:
    days = before.days if before.days is not None else application.fund.remind_days_before
    return max(days, 0)


def kind_due(
    application: Application, today: dt.date, rules: dict[str, ReminderSetting] | None = None
) -> str | None:
    """Which reminder the case is due on ``today``, if any."""
    rules = rules or settings()
    due = application.report_due
    if due is None:
        return None
    overdue, before = rules[OVERDUE], rules[BEFORE_DUE]
    if today > due:
        after = max(overdue.days if overdue.days is not None else 1, 1)
        if overdue.active and today >= due + dt.timedelta(days=after):
            return OVERDUE
        return None
    if before.active and today >= due - dt.timedelta(days=days_before(application, before)):
        return BEFORE_DUE
    return None


def recipients_of(application: Application, who: str = APPLICANT_SIDE) -> list:
    """The applicant and, for an organisation's case, everyone who acts for it (``who``:
    APPLICANT_ONLY, the applicant alone)."""
    people = {application.applicant.id: application.applicant}
    if application.organisation is not None and who != APPLICANT_ONLY:
        for membership in application.organisation.members:
            people.setdefault(membership.user.id, membership.user)
    return [p for p in people.values() if p.active and p.email]


def start_run(source: str, actor=None) -> ReminderRun:
    run = ReminderRun(source=source, actor_id=actor.id if actor is not None else None, sent=0)
    db.session.add(run)
    db.session.flush()
    return run


def send_reminders(
    today: dt.date | None = None, source: str = "command", actor=None
) -> list[Reminder]:
    """Queue the reminders due today, each with its log row and journal entry, logged as one
    run (``source``: the command, the job, the page). Flushes; the caller commits and sends
    the outbox."""
    today = today or clock.today()
    rules = settings()
    run = start_run(source, actor)
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
        kind = kind_due(application, today, rules)
        if kind is None:
            continue
        if _logged(application, kind) or (kind == BEFORE_DUE and _logged(application, OVERDUE)):
            continue
        log = _claim(application, kind, run)
        if log is None:
            continue  # another run reminded this case of this a moment ago
        sent.append(_remind(application, kind, log, rules[kind]))
    run.sent = len(sent)
    db.session.flush()
    return sent


def remind_now(application: Application, actor, run: ReminderRun) -> Reminder:
    """One case's reminder, sent by the secretariat now (the bulk page): refused, with the
    reason, if the case waits for no report or has had this reminder."""
    if application.state not in WAITING_STATES or application.report_due is None:
        raise DomainError(_("Sagen venter ikke på rapport og regnskab."))
    kind = OVERDUE if clock.today() > application.report_due else BEFORE_DUE
    earlier = db.session.scalar(
        select(ReminderLog).where(
            ReminderLog.application_id == application.id, ReminderLog.kind == kind
        )
    )
    if earlier is not None:
        raise DomainError(
            _(
                "Sagen har allerede fået denne påmindelse den %(date)s.",
                date=long_date(_local_day(earlier.sent_at)),
            )
        )
    log = _claim(application, kind, run)
    if log is None:
        raise DomainError(_("Sagen har lige fået en påmindelse."))
    reminder = _remind(application, kind, log, setting(kind))
    run.sent += 1
    db.session.flush()
    return reminder


def _local_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:  # SQLite gives it back naive, in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL).date()


def _claim(application: Application, kind: str, run: ReminderRun) -> ReminderLog | None:
    log = ReminderLog(application_id=application.id, kind=kind, run_id=run.id)
    try:
        with db.session.begin_nested():
            db.session.add(log)
            db.session.flush()
    except IntegrityError:
        return None
    return log


def _logged(application: Application, kind: str) -> bool:
    return (
        db.session.scalar(
            select(ReminderLog.id).where(
                ReminderLog.application_id == application.id, ReminderLog.kind == kind
            )
        )
        is not None
    )


def _remind(
    application: Application, kind: str, log: ReminderLog, rule: ReminderSetting
) -> Reminder:
    try:
        report_url = url_for("reports.edit", application_id=application.id, _external=True)
    except (BuildError, RuntimeError):  # no SERVER_NAME configured for the command
        report_url = ""
    people = recipients_of(application, rule.recipients)
    log.recipients = ", ".join(p.email for p in people)
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
    reminders = send_reminders(source="job")
    job = db.session.get(Job, job_id)
    job.total = len(reminders)
    db.session.flush()
    for reminder in reminders:
        record_result(job, reminder.application_id, None)
    db.session.commit()
    send_pending()
