"""The report and accounts form (the applicant side) and the caseworker's review (approve,
which settles the grant, or return with a comment). The case page shows the report through
``report_view``, a template helper this blueprint installs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants.applications.views import get_application, render_case
from grants.cases.models import Application
from grants.cases.states import State
from grants.core import access, clock
from grants.core.formatting import money
from grants.core.money import ZERO
from grants.core.refusals import refused_by_domain, show_error
from grants.drafts import operations as draft_operations
from grants.drafts import views as drafts
from grants.reports import timing
from grants.reports.forms import ReportForm
from grants.reports.report import (
    AFTER_GRANT_STATES,
    DATE_SLACK_DAYS,
    account_rows,
    check_receipts,
    date_bounds,
    preview_recalculation,
    recalculate,
    receipts_of,
    report_from,
    report_of,
    return_report,
    save_report,
    submit_report,
    trip_ends,
)
from grants.reports.settlement import refund_owed, settle, settlement_for
from grants.subsidies.figures import age_limit_for, young_count_label
from grants.workflow import engine
from grants.workflow.forms import StepForm
from grants.workflow.models import CaseRole

bp = Blueprint("reports", __name__)

REVIEW_ACTIONS = ("approve_report", "return_report")


@bp.app_context_processor
def inject_report_view() -> dict:
    # The time to decision (grants.reports.timing, which also gives the budgets theirs).
    return {
        "report_view": report_view,
        "case_times": timing.case_times,
        "status_tracker": timing.tracker,
    }


def report_view(application: Application) -> dict | None:
    """What the case page shows about the report and accounts; None before a grant."""
    if application.state not in AFTER_GRANT_STATES or not application.granted_amount:
        return None
    report = report_of(application)
    roles = engine.case_roles(application, current_user)
    shown = report is not None and (
        CaseRole.APPLICANT in roles or application.state in (State.REPORT_SUBMITTED, State.SETTLED)
    )
    settlement = None
    if (
        report is not None
        and application.state == State.REPORT_SUBMITTED
        and CaseRole.CASEWORKER in roles
    ):
        settlement = settlement_for(application, report)
    today = clock.today()
    first_day = report_from(application)
    settle_from = trip_ends(application, report)
    return {
        # Before these days, the report cannot be submitted and the case cannot be settled.
        "report_from": first_day if first_day and today < first_day else None,
        "settle_from": settle_from if settle_from and today < settle_from else None,
        "report": report if shown else None,
        "can_report": access.may(current_user, "case.report", application),
        "rows": account_rows(application, report if shown else None),
        "receipts": receipts_of(application) if shown else [],
        "settlement": settlement,
        "youth": application.fund.computes_subsidy,
        # Still to be paid back after the settlement (the claim less what has come back).
        "refund_owed": refund_owed(application) if shown and report.refund_amount else ZERO,
    }


def make_form(application: Application, report, bind: bool = True) -> ReportForm:
    form = ReportForm(
        **({} if bind else {"formdata": None}),
        obj=report,
        youth=application.fund.computes_subsidy,
        hosting=application.fund.spec.rule_set_kind == "hosting",
        application=application,
    )
    if application.fund.computes_subsidy:
        label = young_count_label(age_limit_for(application), attended=True)
        form.actual_young.label.text = label
    if request.method == "GET":
        if report is not None:
            form.actual_birth_years.data = ", ".join(map(str, report.actual_birth_years or []))
            for category, _label, amount_field, note_field in form.account_fields():
                lines = [ln for ln in report.account_lines if ln.category == category]
                amount_field.data = lines[0].amount if lines else None
                note_field.data = lines[0].description if lines else ""
        else:
            form.actual_departure.data = application.departure_date
            form.actual_return.data = application.return_date
    return form


def draft_key(application: Application) -> str:
    return f"report:{application.id}"


def _render(
    application, report, form, recalculation, status=200, draft=None, kept=None, refused=False
):
    first_day = report_from(application)
    return render_template(
        "reports/form.html",
        application=application,
        draft=draft,
        draft_kept=kept,
        draft_url=url_for("reports.draft", application_id=application.id),
        report_from=first_day if first_day and clock.today() < first_day else None,
        date_slack_days=DATE_SLACK_DAYS,
        date_bounds=date_bounds(application),
        report=report,
        form=form,
        rows={row.category: row for row in account_rows(application, None)},
        receipts=receipts_of(application),
        recalculation=recalculation,
        # Refused input is never worked out: the preview says the fields need correcting.
        calculation_refused=refused,
    ), status


@bp.route("/ansoegninger/<int:application_id>/rapport", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    """Save the report as a draft, work out the subsidy again (youth), or submit."""
    application = get_application(application_id)
    access.require(current_user, "case.report", application)
    report = report_of(application)
    form = make_form(application, report)
    youth = application.fund.computes_subsidy
    key = draft_key(application)
    if request.method == "GET":
        # What the person typed and did not save or send (grants.drafts), back in the form.
        draft = drafts.restore(current_user.id, key, form)
        recalculation = recalculate(application, report) if report else None
        return _render(application, report, form, recalculation, draft=draft)

    intent = request.form.get("intent", "save")
    if intent == "preview" and not youth:
        # The form offers no preview (no subsidy is worked out): a crafted one saves nothing.
        abort(400)
    submitting = intent == "submit"
    has_receipts = bool(receipts_of(application))
    valid = form.validate_for_submission(has_receipts) if submitting else form.validate()
    if valid and intent == "preview" and youth:
        recalculation = preview_recalculation(application, form)
        return _render(application, report, form, recalculation)
    recalculation = None
    refusal = None
    if valid:
        with refused_by_domain(form, forbidden_aborts=True) as refusal:
            uploads = check_receipts(
                [(upload.filename, upload.read()) for upload in form.uploads()]
            )
            save_report(application, form, current_user, uploads)
            if submitting:
                submit_report(application, current_user)
        if refusal:  # read again after the rollback
            application = get_application(application_id)
            report = report_of(application)
        else:
            drafts.forget(current_user.id, key)
            if submitting:
                flash(_("Rapport og regnskab er indsendt."), "success")
            else:
                flash(_("Rapporten er gemt som kladde. Du kan fortsætte senere."), "success")
            return redirect(url_for("applications.show", application_id=application.id))
    # Refused: nothing is worked out from the refused dates and counts, whether a field
    # carries the error or the domain's refusal is only flashed (it has no field here).
    refused = bool(youth and (form.errors or refusal))
    if youth and not refused:
        recalculation = preview_recalculation(application, form)
    # Refused: what was typed stays in the page and is kept as the person's draft; chosen
    # receipts cannot be, and the page says so beside the field.
    kept = drafts.keep_refused(current_user.id, key, form)
    drafts.file_fields_to_choose_again(form)
    return _render(application, report, form, recalculation, 422, kept=kept, refused=refused)


@bp.post("/ansoegninger/<int:application_id>/rapport/kladde")
@login_required
def draft(application_id: int):
    """The draft of the report and accounts, saved as the person types (or discarded)."""
    application = get_application(application_id)
    access.require(current_user, "case.report", application)
    return drafts.handle(
        current_user.id,
        draft_key(application),
        lambda: draft_operations.draft_fields(make_form(application, None, bind=False)),
        url_for("reports.edit", application_id=application.id),
    )


@bp.post("/ansoegninger/<int:application_id>/rapport/<action>")
@login_required
def review(application_id: int, action: str):
    """Approve (and settle) or return the report. The case page's step buttons land here."""
    if action not in REVIEW_ACTIONS:
        abort(404)
    application = get_application(application_id)
    if not access.may(current_user, "case.step", application, step=action):
        # The engine's reason where it has one (the committee approves at its meeting).
        reason = engine.held_refusal(application, action, current_user)
        if reason is not None:
            show_error(None, reason)
        else:
            flash(_("Du kan ikke behandle rapporten i denne sag nu."), "error")
        return render_case(application, status=403)
    form = StepForm()
    if not form.validate():
        return render_case(application, step_form=form, status=422)
    with refused_by_domain(show=False) as refusal:
        if action == "approve_report":
            settlement = settle(application, current_user, form.comment.data or "")
        else:
            return_report(application, current_user, form.comment.data or "")
    if refusal:
        application = get_application(application_id)
        if refusal.error.field == "comment":
            # The route asks for a reason (the engine says so as NotAllowed): beside the field.
            refusal.show(form)
            return render_case(application, step_form=form, status=422)
        refusal.show(None)
        return render_case(application, status=refusal.status)
    if action == "approve_report":
        flash(
            _(
                "Rapport og regnskab er godkendt, og afregningsbrevet er sendt til ansøgeren. "
                "Endeligt tilskud: %(amount)s",
                amount=money(settlement.final),
            ),
            "success",
        )
    else:
        flash(_("Rapport og regnskab er sendt tilbage til ansøgeren."), "success")
    return redirect(url_for("applications.show", application_id=application.id))
