from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.applications import operations
from grants.applications.forms import (
    BUDGET_CATEGORIES,
    DECISION_ACTIONS,
    ApplicationForm,
    DecisionForm,
    StepForm,
)
from grants.applications.models import Application, Attachment
from grants.applications.permissions import can_edit, can_view, sees_internal_journal
from grants.budgets.operations import balance
from grants.core.errors import DomainError
from grants.core.files import check_upload
from grants.extensions import db
from grants.funds.models import Fund, FundKind
from grants.people.models import Role, User, UserRole
from grants.workflow import engine
from grants.workflow.models import CaseRole

bp = Blueprint("applications", __name__)

# The kinds of fund an employee applies to from here (youth subsidies come with issue 3).
EMPLOYEE_FUND_KINDS = (FundKind.STUDY_TRIP,)


def get_application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if not can_view(application, current_user):
        abort(403)
    return application


def managers_for(user) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.active, User.id != user.id)
            .order_by(User.name)
        )
    )


def route_needs_manager(route) -> bool:
    return any(t.role == CaseRole.MANAGER for t in route.transitions)


def make_form(fund: Fund, application: Application | None = None) -> ApplicationForm:
    form = ApplicationForm(
        obj=application,
        managers=managers_for(current_user),
        needs_manager=route_needs_manager(fund.route),
    )
    if request.method == "GET":
        if application is not None:
            if application.manager_id:
                form.manager_id.data = str(application.manager_id)
            for category, amount_field, note_field in form.budget_fields():
                line = application.line(category)
                amount_field.data = line.amount if line else None
                note_field.data = line.description if line else ""
        elif current_user.manager_id:
            form.manager_id.data = str(current_user.manager_id)
    return form


@bp.get("/applications/mine")
@login_required
def mine():
    applications = db.session.scalars(
        select(Application)
        .where(Application.applicant_id == current_user.id)
        .order_by(Application.updated_at.desc())
    ).all()
    return render_template("applications/mine.html", applications=applications)


@bp.get("/applications/new")
@login_required
def choose_fund():
    funds = db.session.scalars(
        select(Fund).where(Fund.active, Fund.kind.in_(EMPLOYEE_FUND_KINDS)).order_by(Fund.name)
    ).all()
    if len(funds) == 1:
        return redirect(url_for("applications.new", fund_code=funds[0].code))
    return render_template("applications/choose_fund.html", funds=funds)


@bp.route("/applications/new/<fund_code>", methods=["GET", "POST"])
@login_required
def new(fund_code: str):
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code, Fund.active))
    if fund is None or fund.kind not in EMPLOYEE_FUND_KINDS:
        abort(404)
    form = make_form(fund)
    if request.method == "POST":
        submitting = request.form.get("intent") == "submit"
        valid = form.validate_for_submission() if submitting else form.validate_draft()
        if valid:
            try:
                application = operations.create_draft(current_user, fund, form)
                _attach_upload(application, form)
                if submitting:
                    operations.submit(application, current_user)
            except DomainError as error:
                db.session.rollback()
                _show_error(form, error)
            else:
                _flash_saved(submitting)
                return redirect(url_for("applications.show", application_id=application.id))
        return render_template(
            "applications/form.html",
            form=form,
            fund=fund,
            application=None,
            categories=BUDGET_CATEGORIES,
        ), 422
    return render_template(
        "applications/form.html",
        form=form,
        fund=fund,
        application=None,
        categories=BUDGET_CATEGORIES,
    )


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    application = get_application(application_id)
    if not can_edit(application, current_user):
        abort(403)
    form = make_form(application.fund, application)
    if request.method == "POST":
        submitting = request.form.get("intent") == "submit"
        valid = form.validate_for_submission() if submitting else form.validate_draft()
        if valid:
            try:
                operations.fill_in(application, form)
                _attach_upload(application, form)
                if submitting:
                    operations.submit(application, current_user)
            except DomainError as error:
                db.session.rollback()
                _show_error(form, error)
            else:
                _flash_saved(submitting)
                return redirect(url_for("applications.show", application_id=application.id))
        return render_template(
            "applications/form.html",
            form=form,
            fund=application.fund,
            application=application,
            categories=BUDGET_CATEGORIES,
        ), 422
    return render_template(
        "applications/form.html",
        form=form,
        fund=application.fund,
        application=application,
        categories=BUDGET_CATEGORIES,
    )


def _attach_upload(application: Application, form: ApplicationForm) -> None:
    upload = form.programme_file.data
    if upload and getattr(upload, "filename", ""):
        checked = check_upload(upload.filename, upload.read(), field="programme_file")
        operations.attach(application, checked, current_user)


def _show_error(form, error: DomainError) -> None:
    field = form[error.field] if error.field and error.field in form else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")


def _flash_saved(submitting: bool) -> None:
    if submitting:
        flash(_("Din ansøgning er sendt. Du får en kvittering på e-mail."), "success")
    else:
        flash(_("Kladden er gemt. Du kan fortsætte senere under “Mine ansøgninger”."), "success")


@bp.get("/applications/<int:application_id>")
@login_required
def show(application_id: int):
    application = get_application(application_id)
    return render_case(application)


def render_case(
    application: Application,
    step_form: StepForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
):
    transitions = engine.available_transitions(application, current_user)
    decisions = [t for t in transitions if t.action in DECISION_ACTIONS]
    steps = [t for t in transitions if t.action not in DECISION_ACTIONS]
    if decisions and decision_form is None:
        decision_form = DecisionForm()
    if decision_form is not None:
        allowed = {t.action for t in decisions}
        decision_form.action.choices = [c for c in decision_form.action.choices if c[0] in allowed]
    internal = sees_internal_journal(application, current_user)
    journal = [e for e in application.journal if internal or e.visible_to_applicant]
    budget = None
    if decisions and application.budget_year:
        budget = balance(application.fund_id, application.budget_year)
    return render_template(
        "applications/show.html",
        application=application,
        steps=steps,
        step_form=step_form or StepForm(),
        decision_form=decision_form,
        budget=budget,
        journal=journal,
        internal=internal,
        is_applicant=application.applicant_id == current_user.id,
        can_edit=can_edit(application, current_user),
        categories=dict(BUDGET_CATEGORIES),
    ), status


@bp.get("/applications/<int:application_id>/attachments/<int:attachment_id>")
@login_required
def attachment(application_id: int, attachment_id: int):
    application = get_application(application_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.application_id != application.id:
        abort(404)
    response = send_file(
        io.BytesIO(item.data),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
