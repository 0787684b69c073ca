"""The work queue, and the steps people take on a case."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from grants.applications import operations
from grants.applications.forms import DECISION_ACTIONS, DecisionForm, StepForm
from grants.applications.models import Application
from grants.applications.views import CONFIRMED_STEPS, get_application, render_case
from grants.core import access, confirmation
from grants.core.errors import DomainError
from grants.core.pagination import paginate
from grants.extensions import db
from grants.funds.models import Fund
from grants.people.models import User
from grants.workflow import engine
from grants.workflow.labels import STATE_LABELS, action_label

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from grants.applications.operations import Decision

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


@bp.get("/arbejdskoe")
@login_required
def queue() -> ResponseReturnValue:
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


def wants_fragment() -> bool:
    """The page's script asks for the confirmation alone, to show it in a dialog."""
    return request.headers.get("X-Requested-With") == "fetch"


def render_confirmation(
    application: Application, template: str, status: int = 200, **context: Any
) -> ResponseReturnValue:
    """A confirmation: the whole page without JavaScript, the dialog's content with it."""
    if wants_fragment():
        return render_template(template, application=application, **context), status
    return render_template(
        "workflow/confirm.html",
        application=application,
        fragment=template,
        **context,
    ), status


@bp.post("/ansoegninger/<int:application_id>/trin/<action>")
@login_required
def step(application_id: int, action: str) -> ResponseReturnValue:
    """Take a step that needs at most a comment (endorse, ask for information, ...).
    Withdrawing, giving up and cancelling a grant are shown first and taken on confirming."""
    application = get_application(application_id)
    if action in DECISION_ACTIONS:
        abort(404)
    if action in FORM_ACTIONS:
        endpoint, code = FORM_ACTIONS[action]
        values: dict[str, Any] = {"action": action} if code == 307 else {}
        return redirect(url_for(endpoint, application_id=application.id, **values), code=code)
    confirming = action in CONFIRMED_STEPS
    token = request.form.get("confirmation", "")
    form = StepForm()
    if not form.validate():
        return render_case(application, step_form=form, status=422)
    comment = form.comment.data or ""
    if confirming and token:
        facts = confirmation.read("step", token)
        if not _confirms(facts, application, action) or (
            "comment" in request.form and request.form["comment"] != facts["comment"]
        ):
            return _confirmation_refused(application)
        comment = facts["comment"]
    try:
        if confirming and not token:
            # Shown, not taken: the same checks as the step, nothing changed.
            transition = engine.find_transition(application, action, current_user)
            if transition.comment_required and not comment.strip():
                raise DomainError(_("Skriv en begrundelse."), field="comment")
            money_held = None
            if action in operations.GIVING_UP_ACTIONS:
                money_held = operations.check_giving_up(application, current_user, action)
            facts = {
                "case": application.id,
                "by": current_user.id,
                "state": application.state,
                "action": action,
                "comment": comment,
            }
            return render_confirmation(
                application,
                "workflow/_confirm_step.html",
                action=action,
                comment=comment.strip(),
                money_held=money_held,
                token=confirmation.sign("step", facts),
            )
        if action in operations.GIVING_UP_ACTIONS:
            operations.give_up_grant(application, current_user, action, comment)
        elif action in ("endorse", "not_endorse"):
            operations.endorse(application, current_user, action == "endorse", comment)
        elif action in ("submit", "resubmit"):
            # Submitting goes through the form, which checks the application is complete.
            return redirect(url_for("applications.edit", application_id=application.id))
        else:
            engine.take(application, action, current_user, comment)
    except DomainError as error:
        db.session.rollback()
        if error.field == "comment":
            form.comment.errors = [error.message]
            return render_case(application, step_form=form, status=422)
        flash(error.message, "error")
        return render_case(application, status=403)
    flash(_("Udført: %(action)s.", action=action_label(action)), "success")
    return redirect(url_for("applications.show", application_id=application.id))


def _confirms(
    facts: dict[str, Any] | None, application: Application, action: str | None = None
) -> TypeIs[dict[str, Any]]:
    """The token was made for this case, by this person, in the case's present state."""
    return (
        facts is not None
        and facts.get("case") == application.id
        and facts.get("by") == current_user.id
        and facts.get("state") == application.state
        and (action is None or facts.get("action") == action)
    )


def _confirmation_refused(
    application: Application, decision_form: DecisionForm | None = None
) -> ResponseReturnValue:
    db.session.rollback()
    flash(
        _(
            "Bekræftelsen passer ikke til det, der blev vist, eller sagen er ændret siden. "
            "Intet er ændret. Se det igen, før du bekræfter."
        ),
        "error",
    )
    return render_case(application, decision_form=decision_form, status=409)


DECISION_INPUTS = ("action", "amount", "reasons", "dispensation_reason")


@bp.post("/ansoegninger/<int:application_id>/afgoerelse")
@login_required
def decide(application_id: int) -> ResponseReturnValue:
    """A decision is shown first (outcome, amount in figures and words, reasons and the
    letter itself) and issued only when the decider confirms what was shown."""
    application = get_application(application_id)
    if not access.may(current_user, "case.decide", application):
        flash(_("Du kan ikke træffe afgørelse i denne sag."), "error")
        return render_case(application, status=403)
    token = request.form.get("confirmation", "")
    if token:
        return _confirm_decision(application, token)
    form = DecisionForm()
    if not form.validate():
        return render_case(application, decision_form=form, status=422)
    inputs = {
        "action": form.action.data,
        "amount": "" if form.amount.data is None else str(form.amount.data),
        "reasons": form.reasons.data or "",
        "dispensation_reason": form.dispensation_reason.data or "",
    }
    try:
        decision = _check(application, inputs, lock=False)
    except DomainError as error:
        return _decision_refused(application_id, form, error)
    return _show_decision(application, inputs, decision)


def _check(application: Application, inputs: dict[str, str], lock: bool) -> Decision:
    amount = inputs["amount"]
    return operations.check_decision(
        application,
        current_user,
        inputs["action"],
        Decimal(amount) if amount else None,
        inputs["reasons"],
        inputs["dispensation_reason"],
        lock=lock,
    )


def _case_facts(application: Application, text_id: int | None) -> dict[str, Any]:
    """What the letter says about the case besides the decision: if any of it changes
    between the preview and the confirmation, the decider must see the letter again."""
    return {
        "state": application.state,
        "amount_applied": str(application.amount_applied),
        "computed_amount": str(application.computed_amount),
        "return_date": application.return_date.isoformat() if application.return_date else "",
        "letter_text": text_id,
    }


def _show_decision(
    application: Application, inputs: dict[str, str], decision: Decision, status: int = 200
) -> ResponseReturnValue:
    from grants.core.words import amount_in_words
    from grants.letters.operations import preview_decision_letter

    letter, text_id, language = preview_decision_letter(
        operations.DraftDecision(application, decision, current_user)
    )
    facts = {
        "case": application.id,
        "by": current_user.id,
        "state": application.state,
        "inputs": inputs,
        "decision": decision.summary(),
        "case_facts": _case_facts(application, text_id),
    }
    return render_confirmation(
        application,
        "workflow/_confirm_decision.html",
        status,
        decision=decision,
        in_words=amount_in_words(decision.granted, str(get_locale() or "da")),
        letter=letter,
        letter_language=language,
        token=confirmation.sign("decision", facts),
    )


def _confirm_decision(application: Application, token: str) -> ResponseReturnValue:
    facts = confirmation.read("decision", token)
    posted = {name: request.form[name] for name in DECISION_INPUTS if name in request.form}
    if request.form.get("intent") == "edit" and facts and facts.get("case") == application.id:
        # Back to the decision form, filled in as it was.
        form = DecisionForm(formdata=None, data=_form_data(facts["inputs"]))
        return render_case(application, decision_form=form)
    if not _confirms(facts, application) or any(
        facts["inputs"].get(name, "") != value for name, value in posted.items()
    ):
        return _confirmation_refused(application)
    inputs = facts["inputs"]
    try:
        decision = _check(application, inputs, lock=True)
        from grants.letters.operations import decision_text

        # The text in the applicant's language, as the preview used it.
        text = decision_text(application, decision.outcome.value)
        if (
            decision.summary() != facts["decision"]
            or _case_facts(application, text.id if text else None) != facts["case_facts"]
        ):
            # Something the letter says changed since it was shown: show it again.
            db.session.rollback()
            flash(
                _(
                    "Sagen eller brevet er ændret, siden du så afgørelsen. Intet er sendt. "
                    "Se afgørelsen igen, og bekræft den."
                ),
                "error",
            )
            return _show_decision(application, inputs, _check(application, inputs, False), 409)
        operations.take_decision(application, current_user, decision)
    except DomainError as error:
        form = DecisionForm(formdata=None, data=_form_data(inputs))
        return _decision_refused(application.id, form, error)
    flash(_("Afgørelsen er truffet, og afgørelsesbrevet er sendt til ansøgeren."), "success")
    return redirect(url_for("applications.show", application_id=application.id))


def _form_data(inputs: dict[str, str]) -> dict[str, Any]:
    amount = inputs.get("amount") or ""
    return {**inputs, "amount": Decimal(amount) if amount else None}


def _decision_refused(
    application_id: int, form: DecisionForm, error: DomainError
) -> ResponseReturnValue:
    db.session.rollback()
    application = get_application(application_id)
    known = ("amount", "reasons", "dispensation_reason")
    field = error.field if error.field in known else None
    if field:
        form[field].errors = list(form[field].errors) + [error.message]
    else:
        form.action.errors = list(form.action.errors) + [error.message]
    return render_case(application, decision_form=form, status=422)
