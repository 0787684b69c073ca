"""The work queue, and the steps people take on a case: the pages of the workflow's blueprint
(``workflow.queue``, ``workflow.step``, ``workflow.decide``), which show and act on the case,
so they stand with the case's pages above the workflow."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, or_, select

from grants.applications import case_lists, operations
from grants.applications.forms import DecisionForm
from grants.applications.views import get_application, render_case
from grants.cases.models import Application
from grants.cases.states import STATE_LABELS, State
from grants.core import access, confirmation
from grants.core.errors import DomainError
from grants.core.pagination import listing, paginate
from grants.core.refusals import Refused, refused_by_domain, show_error
from grants.extensions import db
from grants.funds.models import Fund
from grants.people.models import User
from grants.workflow import engine
from grants.workflow.actions import ACTIONS
from grants.workflow.forms import StepForm

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from grants.applications.operations import Decision

bp = Blueprint("workflow", __name__)
# The states by name in the templates, as in the code: ``application.state == State.DRAFT``.
bp.add_app_template_global(State, "State")


@bp.app_template_global()
def step_news(action: str, application: Application, role: str | None = None) -> str:
    """What the applicant's e-mail says about a step taken on their case by a person in
    ``role`` (the transition's: the caseworker, the fund's board); a step that names who
    acts next (``Action.news_by_next_role``) names the role the route gives the next step
    from the case's state now."""
    what = ACTIONS[action]
    following = engine.next_role(application) if what.news_by_next_role else None
    return what.news_for(application, role, following)


@dataclass(frozen=True)
class StepNotice:
    """The notice on the applicant's page about the latest step ``action`` on their case:
    its heading, naming who took the step, and the step's comment."""

    heading: str
    comment: str


@bp.app_template_global()
def step_notice(application: Application, action: str) -> StepNotice:
    """The applicant's notice about the case's latest step ``action`` (a request for
    information, a report sent back): the heading by the role the route gave the step
    (``Action.notice_by_role``), and what the step's comment said ("" for none yet)."""
    latest = next((e for e in reversed(application.journal) if e.action == action), None)
    role = (
        engine.taken_as(application.route_id, latest.from_state, action)
        if latest is not None
        else None
    )
    return StepNotice(
        heading=ACTIONS[action].notice_for(application, role),
        comment=latest.comment if latest is not None else "",
    )


# What a row of the work queue shows (workflow/queue.html).
QUEUE_COLUMNS = (
    Application.id,
    Application.case_number,
    Application.title,
    Application.submitted_at,
    Application.amount_applied,
    Application.state,
    User.name.label("applicant_name"),
    Fund.name.label("fund_name"),
)


@functools.cache
def queue_columns() -> tuple[Any, ...]:
    """``QUEUE_COLUMNS`` and the columns the packages above add to the lists
    (``case_lists.LIST_COLUMNS``: the deadline of an open request for information), made
    once, when the app has registered them: the same objects every request, so a statement
    made of them (the search keeps its own by their shape) is made and keyed once."""
    return (*QUEUE_COLUMNS, *case_lists.list_columns())


# The queue's rows (the columns the list shows, as plain rows: no case, applicant or fund is
# made an object for it; the ORM's loading was a third of the page's time), oldest first; and
# the ids counted, with the applicant joined for a search by name. What a request adds is its
# conditions; the rest is made once (on the first request, with the columns registered).
@functools.cache
def queue_rows() -> Select:
    return (
        select(*queue_columns())
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
        .order_by(Application.submitted_at.asc().nulls_last(), Application.id)
    )


# The ids alone: the waiting condition reads the case's own columns, so no fund is joined.
QUEUE_IDS = select(Application.id)
QUEUE_IDS_BY_NAME = QUEUE_IDS.join(User, User.id == Application.applicant_id)
# The active funds as plain rows (the queue's filter's options), not objects; the statement
# made once (it depends on nothing a request brings).
ACTIVE_FUNDS = select(Fund.id, Fund.code, Fund.name).where(Fund.active).order_by(Fund.name)
# The states the queue can be filtered by: those a case waits in for someone's step.
QUEUE_STATES = tuple(
    state
    for state in STATE_LABELS
    if state not in (State.DRAFT, State.REFUSED, State.WITHDRAWN, State.SETTLED)
)


@bp.get("/arbejdskoe")
@login_required
def queue() -> ResponseReturnValue:
    """What waits for the person: every case where they can take a step now."""
    waiting = engine.waiting_parts(current_user)
    conditions = []
    fund_code = request.args.get("fund", "")
    state = request.args.get("state", "")
    text = request.args.get("q", "").strip()[:100]
    funds = db.session.execute(ACTIVE_FUNDS).all()
    if fund_code:
        # By the fund's id, which the indexes on (fund_id, submitted_at, id) and (fund_id,
        # state, submitted_at, id) serve in the queue's order; an inactive fund is looked up
        # by its code, and an unknown code finds nothing.
        fund_ids = [fund.id for fund in funds if fund.code == fund_code]
        conditions.append(
            Application.fund_id == fund_ids[0]
            if fund_ids
            else Application.fund_id
            == select(Fund.id).where(Fund.code == fund_code).scalar_subquery()
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
    # The total: the ids under the same conditions, joining the applicant only when the
    # search needs the name (every case has one); counted up to the cap. By the waiting
    # condition, not its branches (``engine.counted_ids``, as the menu and the task list
    # count): the count is part of the rows' statement, and four branches, each with the
    # search, took PostgreSQL 4 ms to plan against 1.7 (the filtered queue at 100,000).
    page = paginate(
        listing(
            queue_rows().where(waiting.condition, *conditions),
            (QUEUE_IDS_BY_NAME if text else QUEUE_IDS).where(waiting.condition, *conditions),
            total_with_rows=True,
        ),
        per_page=current_app.config["WORK_QUEUE_PAGE_SIZE"],
        scalars=False,
    )
    if not (fund_code or state or text) and page.page == 1:
        # The whole queue counted, as the menu counts it (the same cases, ``waiting_for``):
        # the menu says that total, without counting them again in the layout's statement.
        engine.counted_waiting(page.total, page.capped)
    return render_template(
        "workflow/queue.html",
        page=page,
        funds=[(fund.code, fund.name) for fund in funds],
        states=[(state, str(STATE_LABELS[state])) for state in QUEUE_STATES],
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
    """Take a step of the route by what its action says (``grants.workflow.actions``): one
    with a page of its own is sent there (with its comment, where it has one), one that
    cannot be undone is shown first and taken on confirming, the others are taken here."""
    what = ACTIONS.get(action)
    if what is None:
        abort(404)
    application = get_application(application_id)
    if what.decides:
        abort(404)  # one choice of the decision form: see ``decide``
    if what.page:
        return redirect(what.url(application), code=307 if what.form else 303)
    token = request.form.get("confirmation", "")
    # A step with no form of its own (it has a page) never gets here; the plain step form.
    form = (what.form or StepForm)()
    # Who may take the step, and in this state, before what was typed: a person who may not
    # is refused as such whatever they sent, never shown errors of a form not offered them.
    with refused_by_domain(show=False) as refusal:
        transition = engine.find_transition(application, action, current_user)
    if refusal:
        refusal.show(None)
        return render_case(application, status=refusal.status)
    valid = form.validate()
    if transition.comment_required and not token and not (form.comment.data or "").strip():
        # The route asks for a reason: said with the form's other errors, all at once.
        form.comment.errors = [*form.comment.errors, _("Skriv en begrundelse.")]
        valid = False
    if not valid:
        return render_case(application, step_form=form, status=422)
    comment = form.comment.data or ""
    if what.confirm and token:
        facts = confirmation.read("step", token)
        if not _confirms(facts, application, action) or (
            "comment" in request.form and request.form["comment"] != facts["comment"]
        ):
            return _confirmation_refused(application)
        comment = facts["comment"]
    with refused_by_domain(show=False) as refusal:
        if what.confirm and not token:
            # Shown, not taken: the same checks as the step, nothing changed.
            transition = engine.find_transition(application, action, current_user)
            if transition.comment_required and not comment.strip():
                raise DomainError(_("Skriv en begrundelse."), field="comment")
            shown = what.preview(application, current_user, action) if what.preview else {}
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
                meaning=str(what.confirm) % shown,
                comment=comment.strip(),
                token=confirmation.sign("step", facts),
            )
        (what.effect or engine.take_step)(
            application, current_user, action, comment, **getattr(form, "facts", dict)()
        )
    if refusal:
        if refusal.error is not None and refusal.error.field in form:
            # The route asks for a reason (the engine says so as NotAllowed), a deadline is
            # refused: beside the field.
            refusal.show(form)
            return render_case(application, step_form=form, status=422)
        refusal.show(None)
        return render_case(application, status=refusal.status)
    flash(what.done_message(), "success")
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
    token = request.form.get("confirmation", "")
    if not access.may(current_user, "case.decide", application):
        if _decided_since_shown(application, token):
            # The person could decide it when it was shown; it has been decided since (by
            # this very confirmation, posted again, or by someone else): a conflict.
            flash(_already_decided(application), "error")
            return render_case(application, status=409)
        # The engine's reason where it has one (the committee decides at its meeting).
        reason = engine.held_refusal(application, request.form.get("action", ""), current_user)
        if reason is not None:
            show_error(None, reason)
        else:
            flash(_("Du kan ikke træffe afgørelse i denne sag."), "error")
        return render_case(application, status=403)
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
    with refused_by_domain(show=False) as refusal:
        decision = _check(application, inputs)
    if refusal:
        return _decision_refused(application_id, form, refusal)
    return _show_decision(application, inputs, decision)


def _decided_since_shown(application: Application, token: str) -> bool:
    """A confirmation of a decision shown to this person on this case, which has been
    decided since (a decision is shown only to one who may take it)."""
    facts = confirmation.read("decision", token) if token else None
    return (
        facts is not None
        and facts.get("case") == application.id
        and facts.get("by") == current_user.id
        and facts.get("state") != application.state
        and application.decided_at is not None
    )


def _already_decided(application: Application) -> str:
    """That the case is decided, and what: the decision in force."""
    from grants.cases.models import Outcome
    from grants.core import clock
    from grants.core.formatting import long_date, money

    decided_at = application.decided_at
    if decided_at.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        decided_at = decided_at.replace(tzinfo=dt.UTC)
    day = long_date(decided_at.astimezone(clock.LOCAL).date())
    amount = money(application.granted_amount)
    if application.outcome == Outcome.GRANTED:
        return _(
            "Sagen er allerede afgjort den %(date)s: %(amount)s er bevilget. Intet er ændret.",
            date=day,
            amount=amount,
        )
    if application.outcome == Outcome.PARTLY_GRANTED:
        return _(
            "Sagen er allerede afgjort den %(date)s: %(amount)s er bevilget delvist. Intet er "
            "ændret.",
            date=day,
            amount=amount,
        )
    if application.outcome == Outcome.REFUSED:
        return _("Sagen er allerede afgjort den %(date)s: afslag. Intet er ændret.", date=day)
    return _("Sagen er allerede afgjort. Intet er ændret.")


def _check(application: Application, inputs: dict[str, str]) -> Decision:
    amount = inputs["amount"]
    return operations.check_decision(
        application,
        current_user,
        inputs["action"],
        Decimal(amount) if amount else None,
        inputs["reasons"],
        inputs["dispensation_reason"],
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
    with refused_by_domain(show=False) as refusal:
        # Checked again under the fund's lock by take_decision, once the letter is made.
        decision = _check(application, inputs)
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
            return _show_decision(application, inputs, _check(application, inputs), 409)
        operations.take_decision(application, current_user, decision)
    if refusal:
        form = DecisionForm(formdata=None, data=_form_data(inputs))
        return _decision_refused(application.id, form, refusal)
    flash(_("Afgørelsen er truffet, og afgørelsesbrevet er sendt til ansøgeren."), "success")
    return redirect(url_for("applications.show", application_id=application.id))


def _form_data(inputs: dict[str, str]) -> dict[str, Any]:
    amount = inputs.get("amount") or ""
    return {**inputs, "amount": Decimal(amount) if amount else None}


def _decision_refused(
    application_id: int, form: DecisionForm, refusal: Refused
) -> ResponseReturnValue:
    """The decision form again, the reason beside the field it is about (or the outcome),
    with the case as it is after the rollback."""
    application = get_application(application_id)
    if not access.may(current_user, "case.decide", application):
        # Decided meanwhile (a confirmation posted twice at once), or no longer theirs to
        # decide: the case as it now is, with the reason, and no form to decide it with.
        refusal.show(None)
        return render_case(application, status=409 if application.decided_at else 422)
    refusal.show(form, default="action")
    return render_case(application, decision_form=form, status=422)
