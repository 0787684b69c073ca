"""What happens to an application. Each function changes state, writes the journal and
queues e-mail through the workflow engine; none commits (the request does, once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from grants.applications import changes, documents
from grants.budgets.movements import check_regrant, check_reservation, reserve
from grants.cases.models import Application, Attachment, BudgetLine, Outcome, YouthSubsidy
from grants.cases.states import RECONSIDERING_STATES, State
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.files import CheckedFile
from grants.core.formatting import money
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.workflow import engine, journal_texts
from grants.workflow.models import CaseRole

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
    from grants.questions.models import current_form

    version = current_form(fund.id)
    application = Application(
        fund=fund,
        route=fund.route,
        state=fund.route.initial_state,
        applicant=applicant,
        title="",
        # The case keeps the fund's questions as they are now, whatever changes later.
        form_version_id=version.id if version else None,
    )
    db.session.add(application)
    fill_in(application, form, applicant)
    db.session.flush()
    engine.record(application, "created", applicant, to_state=application.state)
    return application


def fill_in(application: Application, form, actor) -> None:
    """Copy the form onto the application, budget lines included. A submitted case whose
    budget year the new dates change (``Application.budget_year``) says so in its journal."""
    from grants.applications.forms import YouthApplicationForm

    year = application.budget_year
    if isinstance(form, YouthApplicationForm):
        fill_in_youth(application, form)
    else:
        _fill_in_plain(application, form)
    if (
        application.id is not None
        and application.state != State.DRAFT
        and year is not None
        and application.budget_year not in (None, year)
    ):
        engine.record(
            application,
            "budget_year_changed",
            actor,
            details=journal_texts.note(
                "budget_year_changed", year=year, to=application.budget_year
            ),
            visible_to_applicant=False,
        )


def _fill_in_plain(application: Application, form) -> None:
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
    _fill_budget_lines(application, form)


YOUTH_FIELDS = (
    "title",
    "purpose",
    "departure_date",
    "return_date",
    "participants_young",
    "participants_leaders",
    "participants_disabled",
    "host_group_size",
    "direct_contact",
    "programme",
    "other_funding_source",
    "dispensation_request",
)


def fill_in_youth(application: Application, form) -> None:
    """Copy a youth-subsidy form onto the application. Counts only: no names. The case has
    its youth subsidy (YouthSubsidy) from its first form on, filled in or not."""
    if application.youth_subsidy is None:
        application.youth_subsidy = YouthSubsidy()
    for name in YOUTH_FIELDS:
        value = form[name].data
        if isinstance(value, str):
            value = value.strip()
        setattr(application, name, value)
    for name in (
        "title",
        "purpose",
        "direct_contact",
        "programme",
        "other_funding_source",
        "dispensation_request",
    ):
        if getattr(application, name) is None:
            setattr(application, name, "")
    application.birth_years = form.parsed_birth_years or None
    if form.parsed_birth_years:
        application.participants_young = None  # counted from the birth years by the rules
    application.organisation_id = (
        int(form.organisation_id.data) if form.organisation_id.data else None
    )
    application.partner_city_id = (
        int(form.partner_city_id.data) if form.partner_city_id.data else None
    )
    application.other_funding = form.other_funding.data or ZERO
    _fill_budget_lines(application, form)


def _fill_budget_lines(application: Application, form) -> None:
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
    application: Application,
    checked: CheckedFile,
    actor,
    purpose: str = "programme",
    field: str = "programme_file",
) -> Attachment:
    """Attach a checked file: a new programme file is a new version of the programme, and
    the earlier versions stay in the case file (grants.applications.documents)."""
    return documents.receive(application, checked, actor, purpose, field)


def calculation_as_dict(calculation, *, kept: bool = True) -> dict:
    """A calculation as the case keeps it (JSON): its facts, no text (``kept``), or as it
    is shown now, with the working in the reader's language; both with the date the rule
    set is valid from. A kept one is shown through ``grants.subsidies.calculation.shown``."""
    from grants.subsidies.models import RuleSet

    result = calculation.facts() if kept else calculation.as_dict()
    if result["rule_set"]:
        rule_set = db.session.get(RuleSet, calculation.rule_set_id)
        result["rule_set"]["valid_from"] = rule_set.valid_from.isoformat()
    return result


def preview_subsidy(fund, form) -> dict:
    """The subsidy the rules give for the form as it is filled in (the no-JavaScript step)."""
    from flask import request

    from grants.organisations.models import Organisation
    from grants.subsidies.calculation import calculate_for_form

    organisation = (
        db.session.get(Organisation, int(form.organisation_id.data))
        if form.organisation_id.data
        else None
    )
    return calculation_as_dict(calculate_for_form(fund, request.form, organisation), kept=False)


def compute_subsidy(application: Application) -> dict:
    """Work out the subsidy from the case's own facts and keep the working and the version
    of the rules with the case; later changes of rates never change it."""
    from grants.subsidies.calculation import calculate_for_form, form_data_of

    calculation = calculate_for_form(
        application.fund, form_data_of(application), application.organisation
    )
    result = calculation_as_dict(calculation)
    application.calculation = result
    application.rule_set_id = calculation.rule_set_id
    application.computed_amount = calculation.total
    return result


REPLY_MAX = 5000


def submit(
    application: Application, actor, reply: str | None = None, before: dict | None = None
) -> None:
    """Send a draft on its route, or back to the caseworker after more information.

    The journal keeps a snapshot of what was submitted. A resubmission records what changed
    since the last submission, field by field (``before``: the application as it was when
    this request began, for a case submitted before snapshots were kept), with the
    applicant's ``reply`` to the caseworker's question, which it requires."""
    if application.fund.computes_subsidy:
        _settle_subsidy(application)
    if application.state == State.AWAITING_INFORMATION:
        if reply is None:
            reply = application.reply_draft
        reply = (reply or "").strip()
        if not reply:
            raise DomainError(
                _("Skriv dit svar."),
                field="reply",
            )
        if len(reply) > REPLY_MAX:
            raise DomainError(
                _("Svaret kan højst være %(max)s tegn.", max=REPLY_MAX), field="reply"
            )
        submitted = changes.snapshot(application)
        baseline = changes.last_submitted(application) or before or submitted
        application.reply_draft = ""
        engine.take(
            application,
            "resubmit",
            actor,
            comment=reply,
            details={
                changes.CHANGES: changes.compare(application, baseline, submitted),
                changes.SUBMITTED: submitted,
            },
        )
        return
    if application.case_number is None:
        db.session.flush()
        application.case_number = case_number(application)
    application.submitted_at = clock.now()
    engine.take(
        application, "submit", actor, details={changes.SUBMITTED: changes.snapshot(application)}
    )


def _settle_subsidy(application: Application) -> None:
    """Before a youth-subsidy application is sent: the amount applied for is what the rules
    give. What the rules cannot allow stops it, unless the applicant asks for a dispensation
    and says why."""
    from grants.subsidies.calculation import shown

    result = compute_subsidy(application)
    if result["problems"] and not (application.dispensation_request or "").strip():
        first = shown(result)["problems"][0]
        raise DomainError(
            _(
                "Reglerne kan ikke give tilskud: %(problem)s Ret ansøgningen, eller søg om "
                "dispensation og begrund det.",
                problem=first["message"],
            ),
            field=first["field"] or "dispensation_request",
        )
    application.amount_applied = kroner(result["total"])


GIVING_UP_ACTIONS = ("give_up_grant", "cancel_grant")


def check_giving_up(application: Application, actor, action: str):
    """Refuse giving up or cancelling a grant that is not the person's to give up now, or of
    which something is paid; otherwise the grant's money on the ledger."""
    from grants.budgets.balances import application_money

    engine.find_transition(application, action, actor)
    money_held = application_money(application)
    if money_held is not None and money_held.spent > 0:
        raise DomainError(
            _(
                "Der er allerede udbetalt %(paid)s, så afslut sagen med rapport og regnskab, så "
                "det, der ikke er brugt, kan kræves tilbage.",
                paid=money(money_held.spent),
            )
        )
    return money_held


def give_up_grant(application: Application, actor, action: str, comment: str) -> None:
    """The applicant gives up a grant, or the caseworker cancels it, before anything is paid:
    the whole reservation goes back to the fund (a release entry) in the same transaction.

    The fund's lock is taken first, before the step writes the case's row: one lock order,
    the fund's before the case's (docs/budgets.md). A fund's settings saved hold the fund's
    row and then write the days of its cases (``workflow.waits_for``); a step that held the
    case and then waited for the fund would meet that save in a deadlock."""
    from grants.budgets.lock import lock_fund
    from grants.budgets.movements import release

    engine.find_transition(application, action, actor)  # refused before any lock
    lock_fund(application.fund)
    money_held = check_giving_up(application, actor, action)  # read under the lock
    engine.take(application, action, actor, comment)
    if money_held is not None and money_held.granted > 0:
        release(application, money_held.granted, actor, comment)


def _allowed_now(application: Application, lock: bool = True):
    """What the rules allow at the moment of decision, under the case's own rule-set version,
    with the organisation's grants as they stand now. Taken under the fund's lock and the
    organisation's, so two cases from one organisation cannot both pass a once-a-year rule,
    on one fund or (format 2's grants_counted_across) on two."""
    from grants.budgets.lock import lock_fund, lock_organisation
    from grants.subsidies.calculation import calculate_for_form, form_data_of, organisation_facts

    if lock:
        lock_fund(application.fund)
        if application.organisation_id is not None:
            # Its grants may be counted across funds, each with a lock of its own.
            lock_organisation(application.organisation_id)
    # The case's own grant is not another one: a reconsidered decision replaces it.
    year = (application.departure_date or clock.today()).year
    organisation = organisation_facts(
        application.fund, application.organisation, year, excluding=application.id
    )
    calculation = calculate_for_form(
        application.fund,
        form_data_of(application),
        organisation,
        rule_set=application.rule_set,
    )
    return calculation.allowed_total


def case_number(application: Application) -> str:
    """sagsnr.: the year of submission and the case's own number, unique without a counter."""
    return f"{clock.today().year}-{application.id:06d}"


def endorse(application: Application, actor, endorsed: bool, comment: str) -> None:
    engine.take(application, "endorse" if endorsed else "not_endorse", actor, comment)
    application.endorsed = endorsed
    application.endorsement_comment = comment.strip()


@dataclass(frozen=True)
class Decision:
    """A decision checked against every rule and not yet taken: what the decider sees
    before confirming, and exactly what ``take_decision`` then issues."""

    action: str
    outcome: Outcome
    granted: Decimal
    reasons: str
    dispensation_reason: str  # kept only where the grant departs from the rules
    departs: bool
    report_due: dt.date | None
    role: CaseRole

    def on_the_case(self, actor) -> dict:
        """What the decision sets on the case, decided now by ``actor``."""
        return {
            "outcome": self.outcome,
            "granted_amount": self.granted,
            "decision_reasons": self.reasons,
            "dispensation_reason": self.dispensation_reason,
            "decided_at": clock.now(),
            "decided_by": actor,
            "report_due": self.report_due,
        }

    def summary(self) -> dict:
        """The facts the decider confirms, as plain values (for the confirmation token)."""
        return {
            "action": self.action,
            "outcome": self.outcome.value,
            "granted": str(self.granted),
            "reasons": self.reasons,
            "dispensation_reason": self.dispensation_reason,
            "report_due": self.report_due.isoformat() if self.report_due else "",
        }


class DraftDecision:
    """The case as it will read once ``decision`` is taken, for the letter's preview and for
    the letter made before the decision is taken; the case itself is not touched. Every
    other attribute is the case's own. ``on_the_case``: what the decision sets on the case,
    if already worked out (its time)."""

    def __init__(
        self, application: Application, decision: Decision, actor, on_the_case=None
    ) -> None:
        self._application = application
        values = decision.on_the_case(actor) if on_the_case is None else on_the_case
        for name, value in values.items():
            setattr(self, name, value)
        self.decided_by_id = actor.id

    def __getattr__(self, name: str):
        return getattr(self._application, name)


def check_decision(
    application: Application,
    actor,
    action: str,
    amount: Decimal | None,
    reasons: str,
    dispensation_reason: str = "",
    *,
    lock: bool = False,
    budget: bool = True,
) -> Decision:
    """Grant in full, in part, or refuse: every rule checked, nothing changed. Raises
    DomainError (with the form field it is about) where a rule refuses.

    For a subsidy computed by rules, the decider may depart from the computed amount only
    with a recorded reason (dispensation). ``lock`` takes the fund's lock for the rules'
    once-a-year checks: ``take_decision`` checks again with it, once the letter is made; a
    preview, and the check before the letter, need not (the budget is read without it).
    ``budget=False`` leaves the budget to the caller: a preview of a meeting's decisions
    checks them together, in the order they are issued (``grants.committees.issue_order``).
    """
    transition = engine.find_transition(application, action, actor)
    outcome = Outcome(transition.outcome)
    reasons = (reasons or "").strip()
    dispensation_reason = (dispensation_reason or "").strip()
    computed = application.computed_amount if application.calculation else None
    if outcome is Outcome.GRANTED:
        granted = application.amount_applied
        if amount is not None and computed is not None:
            granted = kroner(amount)
            if granted < application.amount_applied:
                raise DomainError(
                    _(
                        "Et lavere beløb end det ansøgte er en delvis bevilling. Vælg “Bevil "
                        "delvist” og skriv en begrundelse."
                    ),
                    field="amount",
                )
        if granted <= 0:
            raise DomainError(_("Skriv det beløb, der bevilges."), field="amount")
    elif outcome is Outcome.PARTLY_GRANTED:
        if amount is None:
            raise DomainError(_("Skriv det beløb, der bevilges."), field="amount")
        granted = kroner(amount)
        # A part is less than the whole: the whole amount applied for is a full grant.
        if not ZERO < granted < application.amount_applied:
            raise DomainError(
                _(
                    "Ved delvis bevilling skal beløbet være over 0 kr. og under det ansøgte "
                    "(%(applied)s). Vil du bevilge det hele, så vælg “Bevil fuldt ud”.",
                    applied=money(application.amount_applied),
                ),
                field="amount",
            )
    else:
        granted = ZERO
    if outcome is not Outcome.GRANTED and not reasons:
        raise DomainError(
            _("Skriv en begrundelse: ansøgeren får ikke alt, der er søgt om."), field="reasons"
        )
    # The delegated limit is the caseworker's own: an amount exactly at it is hers.
    if transition.role == CaseRole.CASEWORKER and granted > application.fund.delegated_limit:
        raise DomainError(
            _(
                "%(amount)s er over grænsen på %(limit)s for, hvad sagsbehandleren kan "
                "bevilge. Et højere beløb afgøres af puljens bestyrelse.",
                amount=money(granted),
                limit=money(application.fund.delegated_limit),
            ),
            field="amount",
        )
    if computed is not None and granted > 0:
        computed = min(computed, _allowed_now(application, lock=lock))
    departs = computed is not None and outcome is not Outcome.REFUSED and granted > computed
    if departs and not dispensation_reason:
        raise DomainError(
            _(
                "Et højere beløb end reglernes %(computed)s kræver dispensation: skriv "
                "begrundelsen.",
                computed=money(computed),
            ),
            field="dispensation_reason",
        )
    if budget and not lock:
        if reconsidering(application):
            # Shown before it is confirmed: a raise must fit in what is available.
            check_regrant(application, granted)
        elif granted > 0:
            # Shown before it is confirmed: say now what the reservation would refuse.
            check_reservation(application, granted)
    return Decision(
        action=action,
        outcome=outcome,
        granted=granted,
        reasons=reasons,
        dispensation_reason=dispensation_reason if departs else "",
        departs=departs,
        # The report is due the fund's number of days after the trip's return.
        report_due=(
            application.return_date + dt.timedelta(days=application.fund.report_due_days)
            if granted > 0 and application.return_date
            else None
        ),
        role=transition.role,
    )


def request_reconsideration(
    application: Application,
    actor,
    action: str,
    comment: str,
    files: Sequence[CheckedFile] = (),
) -> None:
    """The applicant asks for a decision to be reconsidered (genoptagelse), with reasons and
    any documents (kept in the case file like every document received): the case goes back
    to whoever decides it, and the decision in force stays until a new one replaces it."""
    engine.find_transition(application, action, actor)  # refused before anything is kept
    if not (comment or "").strip():
        raise DomainError(_("Skriv, hvorfor afgørelsen skal genoptages."), field="reasons")
    for checked in files:
        documents.receive(application, checked, actor, documents.RECONSIDERATION, "documents")
    engine.take(application, action, actor, comment)


def reconsidering(application: Application) -> bool:
    """Whether a decision now is a reconsidered one: it replaces a letter already sent."""
    return application.state in RECONSIDERING_STATES


def take_decision(application: Application, actor, decision: Decision) -> None:
    """Take a checked decision: reserve the grant on the year of travel's budget and issue
    the decision letter, all in the caller's one transaction. A reconsidered decision moves
    the ledger by the difference only, and its letter replaces the one before (both stay in
    the case file).

    The letter is made first, from the decision's draft, before the fund's lock is taken:
    WeasyPrint and the seal's time-stamp are most of a decision's time, and a second decision
    on the same fund (a committee's meeting issues forty) waits only for this one's checks
    and ledger entry. Under the lock the decision is checked again, so the rules' once-a-year
    limits and the budget are read as the decision before this one left them: if that
    decision changed what this one may be, it is refused and nothing changes. If it changed
    only what the letter says, the letter is made again (``letters.operations.issue``)."""
    from grants.budgets.movements import regrant
    from grants.letters.operations import (
        current_letter,
        issue_decision_letter,
        make_decision_letter,
    )

    on_the_case = decision.on_the_case(actor)
    made = make_decision_letter(DraftDecision(application, decision, actor, on_the_case))
    if decision.granted > 0 or reconsidering(application):
        again = check_decision(
            application,
            actor,
            decision.action,
            decision.granted,
            decision.reasons,
            decision.dispensation_reason,
            lock=True,
        )
        if again != decision:
            raise DomainError(
                _(
                    "En anden afgørelse, der lige er truffet, ændrer, hvad reglerne tillader "
                    "i denne sag. Intet er ændret; se afgørelsen igen."
                )
            )
    replaces = None
    if reconsidering(application):
        replaces = current_letter(application)
        regrant(application, decision.granted, actor, decision.reasons)
    elif decision.granted > 0:
        reserve(application, decision.granted, actor)
    for name, value in on_the_case.items():
        setattr(application, name, value)
    comment = decision.reasons
    if decision.departs:
        # The comment is kept and sent as written (the journal, the applicant's e-mail, the
        # ESDH): its one word of the app's own in Danish, whichever language the decider reads.
        with force_locale("da"):
            label = _("Dispensation: %(reason)s", reason=decision.dispensation_reason)
        comment = (comment + "\n" if comment else "") + label
    engine.take(application, decision.action, actor, comment=comment)
    issue_decision_letter(application, actor, replaces=replaces, made=made)


def decide(
    application: Application,
    actor,
    action: str,
    amount: Decimal | None,
    reasons: str,
    dispensation_reason: str = "",
) -> None:
    """Grant in full, in part, or refuse, and issue the letter: ``check_decision`` and
    ``take_decision`` (which checks again under the fund's lock) in one."""
    decision = check_decision(application, actor, action, amount, reasons, dispensation_reason)
    take_decision(application, actor, decision)
