"""What happens to an application. Each function changes state, writes the journal and
queues e-mail through the workflow engine; none commits (the request does, once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from grants.applications.models import Application, Attachment, BudgetLine, Outcome
from grants.budgets.operations import reserve
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.files import CheckedFile
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.workflow import engine

# The form's fields that are copied onto the application as they are.
PLAIN_FIELDS = (
    "title",
    "purpose",
    "destination_city",
    "destination_country",
    "departure_date",
    "return_date",
    "programme",
    "travellers",
    "traveller_count",
    "other_funding_source",
    "expected_benefit",
    "knowledge_sharing",
)
MONEY_FIELDS = ("other_funding", "amount_applied")


def create_draft(applicant, fund, form) -> Application:
    application = Application(
        fund=fund, route=fund.route, state=fund.route.initial_state, applicant=applicant, title=""
    )
    db.session.add(application)
    fill_in(application, form)
    db.session.flush()
    engine.record(application, "created", applicant, to_state=application.state)
    return application


def fill_in(application: Application, form) -> None:
    """Copy the form onto the application, budget lines included."""
    for name in PLAIN_FIELDS:
        value = form[name].data
        if isinstance(value, str):
            value = value.strip()
        if name == "traveller_count" and value is None:
            value = 1
        if value is None and name not in ("departure_date", "return_date"):
            value = ""
        setattr(application, name, value)
    for name in MONEY_FIELDS:
        setattr(application, name, form[name].data or ZERO)
    if form.needs_manager and form.manager_id.data:
        application.manager_id = int(form.manager_id.data)
    elif not form.needs_manager:
        application.manager_id = None
    lines = []
    for position, (category, amount_field, note_field) in enumerate(form.budget_fields()):
        if amount_field.data or (note_field.data or "").strip():
            lines.append(
                BudgetLine(
                    position=position,
                    category=category,
                    amount=amount_field.data or ZERO,
                    description=(note_field.data or "").strip(),
                )
            )
    application.budget_lines = lines


def attach(
    application: Application, checked: CheckedFile, actor, purpose: str = "programme"
) -> Attachment:
    """Attach a checked file; a new programme file replaces the old one."""
    for old in [a for a in application.attachments if a.purpose == purpose]:
        application.attachments.remove(old)
    attachment = Attachment(
        purpose=purpose,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        data=checked.data,
        uploaded_by_id=actor.id,
    )
    application.attachments.append(attachment)
    return attachment


def submit(application: Application, actor) -> None:
    """Send a draft on its route (or back to the caseworker after more information)."""
    if application.state == "awaiting_information":
        engine.take(application, "resubmit", actor)
        return
    if application.case_number is None:
        db.session.flush()
        application.case_number = case_number(application)
    application.submitted_at = clock.now()
    engine.take(application, "submit", actor)


def case_number(application: Application) -> str:
    """sagsnr.: the year of submission and the case's own number, unique without a counter."""
    return f"{clock.today().year}-{application.id:06d}"


def endorse(application: Application, actor, endorsed: bool, comment: str) -> None:
    engine.take(application, "endorse" if endorsed else "not_endorse", actor, comment)
    application.endorsed = endorsed
    application.endorsement_comment = comment.strip()


def decide(
    application: Application, actor, action: str, amount: Decimal | None, reasons: str
) -> None:
    """Grant in full, in part, or refuse; reserve the grant on the year of travel's budget
    and issue the decision letter, all in the caller's one transaction."""
    from grants.letters.operations import issue_decision_letter

    transition = engine.find_transition(application, action, actor)
    outcome = Outcome(transition.outcome)
    reasons = (reasons or "").strip()
    if outcome is Outcome.GRANTED:
        granted = application.amount_applied
    elif outcome is Outcome.PARTLY_GRANTED:
        if amount is None:
            raise DomainError(_("Skriv det beløb, der bevilges."), field="amount")
        granted = kroner(amount)
        if not ZERO < granted < application.amount_applied:
            raise DomainError(
                _("Ved delvis bevilling skal beløbet være over 0 kr. og under det ansøgte."),
                field="amount",
            )
    else:
        granted = ZERO
    if outcome is not Outcome.GRANTED and not reasons:
        raise DomainError(
            _("Skriv en begrundelse: ansøgeren får ikke alt, der er søgt om."), field="reasons"
        )
    if granted > 0:
        reserve(application, granted, actor)

    application.outcome = outcome
    application.granted_amount = granted
    application.decision_reasons = reasons
    application.decided_at = clock.now()
    application.decided_by = actor
    application.report_due = (
        application.return_date + dt.timedelta(days=application.fund.report_due_days)
        if granted > 0 and application.return_date
        else None
    )
    engine.take(application, action, actor, comment=reasons)
    issue_decision_letter(application, actor)
