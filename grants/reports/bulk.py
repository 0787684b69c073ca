"""Bulk actions outside meetings: approve several trip reports, send several reminders. Each
case goes through the same operation as one at a time (``settlement.settle``,
``reminders.remind_now``), in a transaction of its own, so one refused case changes nothing
of its own and leaves the others done; the result lists each case with what happened or why it
was refused. As a step that cannot be undone, the choice is shown first and taken on
confirming: the confirmation carries a token signed with the cases shown
(``grants.core.confirmation``), so a forged post cannot act on cases nobody saw."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.cases.models import Application
from grants.cases.states import State
from grants.core import access, confirmation
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.input import parse_id
from grants.core.refusals import as_text
from grants.extensions import db
from grants.reports import reminders
from grants.reports.settlement import settle
from grants.workflow import engine

bp = Blueprint("bulk", __name__)
log = logging.getLogger(__name__)

# The most cases one confirmation acts on (each approval makes two PDFs).
MAX_CASES = 50


@dataclass(frozen=True)
class Bulk:
    """One bulk action: its page's words and the operation each case goes through."""

    purpose: str  # the confirmation token's purpose
    endpoint: str
    title: object
    lead: object
    button: object
    confirm: object
    candidates: Callable[[], list[Application]]
    one: Callable[[Application], str]  # does it for one case, says what was done


@dataclass(frozen=True)
class Result:
    application: Application | None
    case_id: int
    done: bool
    message: str


def _reports_to_approve() -> list[Application]:
    cases = db.session.scalars(
        select(Application)
        .where(Application.state == State.REPORT_SUBMITTED)
        .order_by(Application.id)
    ).all()
    return [
        case
        for case in cases
        if any(
            t.action == "approve_report" for t in engine.available_transitions(case, current_user)
        )
    ]


def _approve(application: Application) -> str:
    settlement = settle(application, current_user)
    return _("Godkendt og afregnet. Endeligt tilskud: %(amount)s", amount=money(settlement.final))


def _waiting_for_report() -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.state.in_(reminders.WAITING_STATES),
                Application.report_due.is_not(None),
            )
            .order_by(Application.report_due, Application.id)
        )
    )


def _remind(application: Application) -> str:
    run = g.get("reminder_run")
    if run is None:
        run = g.reminder_run = reminders.start_run("bulk", current_user)
    reminder = reminders.remind_now(application, current_user, run)
    return _("Påmindelse sendt til %(recipients)s.", recipients=", ".join(reminder.recipients))


APPROVE = Bulk(
    purpose="bulk_approve_reports",
    endpoint="bulk.approve_reports",
    title=_l("Godkend flere rapporter"),
    lead=_l(
        "Rapporterne og regnskaberne, der venter på din godkendelse. Hver sag godkendes og "
        "afregnes, som når du godkender den på sagen: afregningsbrevet sendes til ansøgeren."
    ),
    button=_l("Godkend de valgte rapporter"),
    confirm=_l(
        "Rapport og regnskab godkendes, og tilskuddet afregnes for hver af disse sager. "
        "Afregningsbrevene sendes. Det kan ikke fortrydes."
    ),
    candidates=_reports_to_approve,
    one=_approve,
)
REMIND = Bulk(
    purpose="bulk_send_reminders",
    endpoint="bulk.send_reminders",
    title=_l("Send påmindelser om rapport og regnskab"),
    lead=_l(
        "Sagerne, der venter på rapport og regnskab. Den valgte sag får påmindelsen nu: før "
        "fristen eller, når fristen er overskredet, om den overskredne frist. En sag får hver "
        "påmindelse én gang."
    ),
    button=_l("Send påmindelser til de valgte sager"),
    confirm=_l("Påmindelsen sendes nu til ansøgerne i disse sager."),
    candidates=_waiting_for_report,
    one=_remind,
)


def run_each(ids: list[int], one: Callable[[Application], str]) -> list[Result]:
    """Each case through ``one`` in a transaction of its own, committed before the next
    begins, as the meeting's issue job does (``committees.issuing``): a refusal undoes that
    case only (its writes, the e-mails and jobs it queued) and says why; a case done is
    done whatever happens to the cases after it. An approval moves money under the fund's
    lock (``reports.settlement.settle``): committed at once, the lock is not held through
    the next cases' letters, where one transaction for them all kept every other decision
    on the fund waiting (or refused) until the last case was done.

    The e-mails and jobs of the cases done go out once, when the request ends (as every
    request's do): one connection to the mail server for them all, and a mail server or
    job queue that is slow or down costs its timeout once, after every case is done."""
    results = []
    for case_id in ids:
        application = db.session.get(Application, case_id)
        if application is None or not access.may(current_user, "case.view", application):
            results.append(Result(None, case_id, False, _("Sagen findes ikke.")))
            continue
        queued, jobs, had_run = (
            len(g.get("outbox", [])),
            len(g.get("jobs_to_start", [])),
            "reminder_run" in g,
        )
        try:
            message = one(application)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            # The rolled-back case's e-mails and jobs (its letters by Digital Post) are
            # not sent; the cases done before it keep theirs.
            del g.get("outbox", [])[queued:]
            del g.get("jobs_to_start", [])[jobs:]
            if not had_run:
                g.pop("reminder_run", None)  # started with this case: rolled back with it
            if isinstance(error, DomainError):
                reason = as_text(error.message)
            else:
                log.exception("bulk action: case %s not done", case_id)
                reason = _("Teknisk fejl: sagen er ikke ændret. Prøv igen senere.")
            results.append(Result(db.session.get(Application, case_id), case_id, False, reason))
            continue
        results.append(Result(application, case_id, True, message))
    return results


def _chosen() -> list[int]:
    ids = []
    for value in request.form.getlist("cases"):
        case_id = parse_id(value)
        if case_id is not None and case_id not in ids:
            ids.append(case_id)
    return ids


def _page(bulk: Bulk):
    access.require(current_user, "reminders.manage")
    candidates = bulk.candidates()
    if request.method == "GET":
        return render_template("reports/bulk.html", bulk=bulk, candidates=candidates)
    token = request.form.get("confirmation", "")
    if token:
        facts = confirmation.read(bulk.purpose, token)
        if facts is None or facts.get("by") != current_user.id:
            return render_template(
                "reports/bulk.html",
                bulk=bulk,
                candidates=candidates,
                problem=_("Bekræftelsen er for gammel eller ikke din. Vælg sagerne igen."),
            ), 422
        results = run_each([int(i) for i in facts.get("cases", [])], bulk.one)
        return render_template("reports/bulk.html", bulk=bulk, results=results)
    ids = _chosen()
    known = {case.id: case for case in candidates}
    problem = None
    if not ids:
        problem = _("Vælg mindst én sag.")
    elif len(ids) > MAX_CASES:
        problem = _("Vælg højst %(max)s sager ad gangen.", max=MAX_CASES)
    elif any(i not in known for i in ids):
        problem = _("En af de valgte sager kan ikke vælges her længere. Vælg igen.")
    if problem:
        return render_template(
            "reports/bulk.html", bulk=bulk, candidates=candidates, problem=problem, chosen=ids
        ), 422
    return render_template(
        "reports/bulk.html",
        bulk=bulk,
        chosen_cases=[known[i] for i in ids],
        token=confirmation.sign(bulk.purpose, {"by": current_user.id, "cases": ids}),
    )


@bp.route("/rapporter/godkend-flere", methods=["GET", "POST"])
@login_required
def approve_reports():
    """Approve and settle several reports: choose, confirm, the result per case."""
    return _page(APPROVE)


@bp.route("/paamindelser/send-flere", methods=["GET", "POST"])
@login_required
def send_reminders():
    """Send the reminder to several cases now: choose, confirm, the result per case."""
    return _page(REMIND)
