"""The work queue, and the steps people take on a case."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from grants.applications import operations
from grants.applications.forms import DECISION_ACTIONS, DecisionForm, StepForm
from grants.applications.models import Application
from grants.applications.views import get_application, render_case
from grants.core import access
from grants.core.errors import DomainError
from grants.core.pagination import paginate
from grants.extensions import db
from grants.funds.models import Fund
from grants.people.models import User
from grants.workflow import engine
from grants.workflow.labels import STATE_LABELS, action_label

bp = Blueprint("workflow", __name__)

# Steps with a page of their own: the generic step sends them there. The report's review
# keeps the POST (and its comment) with a 307; the report itself is written on its form.
FORM_ACTIONS = {
    "submit_report": ("reports.edit", 303),
    "approve_report": ("reports.review", 307),
    "return_report": ("reports.review", 307),
    "put_on_agenda": ("committees.agenda_for_case", 303),
    "put_report_on_agenda": ("committees.agenda_for_case", 303),
}


@bp.get("/queue")
@login_required
def queue():
    """What waits for the person: every case where they can take a step now."""
    conditions = [engine.waiting_for(current_user)]
    fund_code = request.args.get("fund", "")
    state = request.args.get("state", "")
    text = request.args.get("q", "").strip()[:100]
    funds = db.session.scalars(select(Fund).where(Fund.active).order_by(Fund.name)).all()
    if fund_code:
        # By the fund's id, which the index (fund_id, state, submitted_at, id) serves in the
        # queue's order; an unknown code finds nothing.
        fund_ids = [fund.id for fund in funds if fund.code == fund_code]
        conditions.append(
            Application.fund_id == fund_ids[0] if fund_ids else Fund.code == fund_code
        )
    if state in STATE_LABELS:
        conditions.append(Application.state == state)
    if text:
        like = f"%{text}%"
        conditions.append(
            or_(
                Application.title.ilike(like),
                Application.case_number.ilike(like),
                User.name.ilike(like),
            )
        )
    query = (
        select(Application)
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
        .where(*conditions)
        # The list shows the applicant's name, never their roles.
        .options(joinedload(Application.applicant).lazyload(User.role_grants))
        .order_by(Application.submitted_at.asc().nulls_last(), Application.id)
    )
    # The total: the ids under the same conditions, joining the applicant only when the
    # search needs the name (every case has one); counted up to the cap.
    count = select(Application.id).join(Fund, Fund.id == Application.fund_id)
    if text:
        count = count.join(User, User.id == Application.applicant_id)
    page = paginate(
        query,
        count_select=count.where(*conditions),
        per_page=current_app.config["WORK_QUEUE_PAGE_SIZE"],
    )
    return render_template(
        "workflow/queue.html",
        page=page,
        funds=funds,
        states=[
            (s, label)
            for s, label in STATE_LABELS.items()
            if s not in ("draft", "refused", "withdrawn", "settled")
        ],
        filters={"fund": fund_code, "state": state, "q": text},
        link_args={k: v for k, v in {"fund": fund_code, "state": state, "q": text}.items() if v},
    )


@bp.post("/applications/<int:application_id>/steps/<action>")
@login_required
def step(application_id: int, action: str):
    """Take a step that needs at most a comment (endorse, ask for information, ...)."""
    application = get_application(application_id)
    if action in DECISION_ACTIONS:
        abort(404)
    if action in FORM_ACTIONS:
        endpoint, code = FORM_ACTIONS[action]
        values = {"action": action} if code == 307 else {}
        return redirect(url_for(endpoint, application_id=application.id, **values), code=code)
    form = StepForm()
    if not form.validate():
        return render_case(application, step_form=form, status=422)
    try:
        if action in operations.GIVING_UP_ACTIONS:
            operations.give_up_grant(application, current_user, action, form.comment.data or "")
        elif action in ("endorse", "not_endorse"):
            operations.endorse(
                application, current_user, action == "endorse", form.comment.data or ""
            )
        elif action in ("submit", "resubmit"):
            # Submitting goes through the form, which checks the application is complete.
            return redirect(url_for("applications.edit", application_id=application.id))
        else:
            engine.take(application, action, current_user, form.comment.data or "")
    except DomainError as error:
        db.session.rollback()
        if error.field == "comment":
            form.comment.errors = [error.message]
            return render_case(application, step_form=form, status=422)
        flash(error.message, "error")
        return render_case(application, status=403)
    flash(_("Udført: %(action)s.", action=action_label(action)), "success")
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/applications/<int:application_id>/decision")
@login_required
def decide(application_id: int):
    application = get_application(application_id)
    form = DecisionForm()
    if not access.may(current_user, "case.decide", application):
        flash(_("Du kan ikke træffe afgørelse i denne sag."), "error")
        return render_case(application, status=403)
    if not form.validate():
        return render_case(application, decision_form=form, status=422)
    try:
        operations.decide(
            application,
            current_user,
            form.action.data,
            form.amount.data,
            form.reasons.data or "",
            form.dispensation_reason.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        application = get_application(application_id)
        known = ("amount", "reasons", "dispensation_reason")
        field = error.field if error.field in known else None
        if field:
            form[field].errors = list(form[field].errors) + [error.message]
        else:
            form.action.errors = list(form.action.errors) + [error.message]
        return render_case(application, decision_form=form, status=422)
    flash(_("Afgørelsen er truffet, og afgørelsesbrevet er sendt til ansøgeren."), "success")
    return redirect(url_for("applications.show", application_id=application.id))
