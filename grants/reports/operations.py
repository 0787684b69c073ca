"""What happens to a report and its accounts: saved as a draft, submitted, returned, and
approved, which settles the grant. Like every operation these add and flush; the request
commits, once.

The settlement rule (``final_amount``), in one place:

* a subsidy computed by rules: the subsidy worked out again from the actual participants
  and nights under the rule-set version of the decision, but never more than granted:
  ``min(granted, recalculated)``;
* such a subsidy granted with a dispensation (more than the rules gave): the granted amount
  stands while the actual figures give at least what the rules gave at the decision; if
  they give less, the grant is reduced in the same proportion:
  ``granted × recalculated / computed at the decision`` (never more than granted). A grant
  made entirely by dispensation (the rules gave 0) keeps the granted amount;
* any other grant: the actual costs minus the other funding stated in the application,
  never more than granted and never below 0: ``max(0, min(granted, costs - other funding))``.

The money: granted − final is given back to the fund. What was not paid is released
(``budgets.operations.release``); where more than the final amount was paid in advance,
the rest of the reduction is released too and ``paid − final`` is claimed back, due
``REFUND_DAYS`` days after the settlement. Afterwards the case's granted figure on the
ledger (reservations, adjustments and releases) equals the final amount; spent equals paid
until the refund comes in (``budgets.operations.record_refund``, with no further release).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from grants.applications import documents
from grants.applications.forms import BUDGET_CATEGORIES
from grants.applications.models import Application, Attachment
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.operations import application_money, lock_fund, release
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.files import CheckedFile, check_upload
from grants.core.formatting import long_date
from grants.core.models import Municipality
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.funds import defaults
from grants.letters import texts
from grants.letters.models import Letter
from grants.letters.operations import (
    _has_letter,
    _json_safe,
    _letter_language,
    _recipient,
    _safe_filename_part,
)
from grants.letters.render import create_pdf
from grants.reports.models import AccountLine, TripReport
from grants.subsidies.calculation import shown as shown_calculation
from grants.subsidies.figures import age_limit_for
from grants.workflow import engine
from grants.workflow.journal_texts import note
from grants.workflow.states import GRANTED_STATES, State

# The states in which the applicant side writes the report and accounts.
REPORTABLE_STATES = (*GRANTED_STATES, State.REPORT_RETURNED)
# The states after the decision in which the case page shows the report section.
AFTER_GRANT_STATES = (*REPORTABLE_STATES, State.REPORT_SUBMITTED, State.SETTLED)
RECEIPT = documents.RECEIPT
# A refund claimed at settlement is due this many days after the settlement: the fund's
# setting (Fund.refund_days), by default the one set of fund defaults' (grants.funds.defaults).
REFUND_DAYS = defaults.REFUND_DAYS

SETTLEMENT = "settlement"
SETTLEMENT_TEMPLATE = "letters/settlement.html"
REPORT = "report"
REPORT_TEMPLATE = "reports/report_pdf.html"


# -- reading ---------------------------------------------------------------------------------


def report_of(application: Application) -> TripReport | None:
    return db.session.scalar(select(TripReport).where(TripReport.application_id == application.id))


def receipts_of(application: Application) -> list[Attachment]:
    return [a for a in application.attachments if a.purpose == RECEIPT]


def may_report(application: Application, user) -> bool:
    """The applicant side, while the report may be written (after a grant, or returned)."""
    from grants.core import access

    return access.may(user, "case.report", application)


@dataclass(frozen=True)
class AccountRow:
    category: str
    label: str
    budgeted: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.budgeted


def account_rows(application: Application, report: TripReport | None) -> list[AccountRow]:
    """The accounts against the budget, category by category (all five, in order)."""
    rows = []
    for category, label in BUDGET_CATEGORIES:
        line = application.line(category)
        rows.append(
            AccountRow(
                category=category.value,
                label=str(label),
                budgeted=kroner(line.amount) if line else ZERO,
                actual=report.actual(category) if report else ZERO,
            )
        )
    return rows


# -- the trip's dates ---------------------------------------------------------------------------

# The report's actual dates may differ from the granted trip's by at most this many days:
# the departure no earlier than this before the granted departure, the return no later than
# this after the granted return. A trip moved further is a change for the caseworker to
# approve, not something a report says afterwards.
DATE_SLACK_DAYS = 14


def trip_ends(application: Application, report: TripReport | None = None) -> dt.date | None:
    """The day the trip is over: the granted return date, or the reported one if later."""
    days = [application.return_date, report.actual_return if report else None]
    return max((day for day in days if day is not None), default=None)


def report_from(application: Application) -> dt.date | None:
    """The first day the report may be submitted: the return date, unless the fund takes
    reports before it (then None: any day after the grant)."""
    if application.fund.report_before_return:
        return None
    return application.return_date


def date_bounds(application: Application) -> tuple[dt.date, dt.date] | None:
    """The earliest departure and the latest return a report may give, or None."""
    if application.departure_date is None or application.return_date is None:
        return None
    slack = dt.timedelta(days=DATE_SLACK_DAYS)
    return application.departure_date - slack, application.return_date + slack


def date_problems(
    application: Application,
    departure: dt.date | None,
    return_: dt.date | None,
    *,
    submitting: bool,
) -> dict[str, str]:
    """What is wrong with a report's actual dates, by field: they must lie within
    ``DATE_SLACK_DAYS`` of the granted trip, the return on or after the departure, and (on
    submission, unless the fund takes reports before the return) not after today."""
    problems: dict[str, str] = {}
    limits = date_bounds(application)
    if limits is None:
        return problems
    earliest, latest = limits
    bounds = {
        "earliest": long_date(earliest),
        "latest": long_date(latest),
        "days": DATE_SLACK_DAYS,
        "departure": long_date(application.departure_date),
        "return": long_date(application.return_date),
    }
    if departure is not None and not earliest <= departure <= latest:
        problems["actual_departure"] = _(
            "Afrejsen skal ligge mellem %(earliest)s og %(latest)s: højst %(days)s dage før "
            "den bevilgede afrejse (%(departure)s). Er rejsen flyttet mere, så kontakt "
            "sagsbehandleren.",
            **bounds,
        )
    if return_ is not None:
        if departure is not None and return_ < departure:
            problems["actual_return"] = _("Hjemkomst kan ikke være før afrejse.")
        elif not earliest <= return_ <= latest:
            problems["actual_return"] = _(
                "Hjemkomsten skal ligge mellem %(earliest)s og %(latest)s: højst %(days)s "
                "dage efter den bevilgede hjemkomst (%(return)s). Er rejsen flyttet mere, så "
                "kontakt sagsbehandleren.",
                **bounds,
            )
        elif submitting and report_from(application) and return_ > clock.today():
            problems["actual_return"] = _(
                "Hjemkomsten ligger efter i dag. Rapport og regnskab indsendes, når rejsen er slut."
            )
    return problems


def _check_dates(application: Application, report: TripReport, *, submitting: bool) -> None:
    problems = date_problems(
        application, report.actual_departure, report.actual_return, submitting=submitting
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field)


# -- the draft -------------------------------------------------------------------------------


def fill_report(report: TripReport, form) -> None:
    """Copy the form onto ``report`` (accounts included). Youth subsidies: counts only."""
    for name in ("what_was_done", "what_was_learned", "how_it_will_be_used"):
        setattr(report, name, (form[name].data or "").strip())
    report.actual_departure = form.actual_departure.data
    report.actual_return = form.actual_return.data
    if form.youth:
        report.participant_names = ""  # never names of children and young people
        report.participant_count = None
        report.actual_young = form.actual_young.data
        report.actual_leaders = form.actual_leaders.data
        report.actual_disabled = form.actual_disabled.data
        report.actual_host_group_size = form.actual_host_group_size.data
        report.actual_birth_years = form.parsed_birth_years or None
        if form.parsed_birth_years:
            report.actual_young = None  # counted from the birth years by the rules
    else:
        report.participant_names = (form.participant_names.data or "").strip()
        report.participant_count = form.participant_count.data
    lines = []
    for position, (category, _label, amount_field, note_field) in enumerate(form.account_fields()):
        note = (note_field.data or "").strip()
        if amount_field.data is not None or note:
            lines.append(
                AccountLine(
                    position=position,
                    category=category,
                    amount=amount_field.data or ZERO,
                    description=note,
                )
            )
    report.account_lines = lines


def save_report(
    application: Application, form, actor, uploads: list[CheckedFile] = ()
) -> TripReport:
    """Save the report as it is (a draft until submitted), with any new receipts."""
    if not may_report(application, actor):
        raise DomainError(_("Du kan ikke skrive rapport og regnskab på denne sag nu."))
    report = report_of(application)
    if report is None:
        report = TripReport(application_id=application.id)
        db.session.add(report)
    fill_report(report, form)
    _check_dates(application, report, submitting=False)
    for checked in uploads:
        add_receipt(application, checked, actor)
    db.session.flush()
    return report


RECEIPT_TYPES = ("application/pdf", "image/png", "image/jpeg")


def check_receipt(filename: str, data: bytes, field: str = "receipts") -> CheckedFile:
    """A receipt is a PDF or a picture (PNG, JPEG), judged by its content."""
    checked = check_upload(filename, data, field=field)
    if checked.content_type not in RECEIPT_TYPES:
        raise DomainError(
            _("%(name)s er ikke en PDF eller et billede (PNG eller JPEG).", name=checked.filename),
            field=field,
        )
    return checked


def add_receipt(application: Application, checked: CheckedFile, actor) -> Attachment:
    """Attach a receipt; receipts add up, they never replace one another, and each is
    journalised as received (grants.applications.documents)."""
    return documents.receive(application, checked, actor, RECEIPT)


# -- the youth subsidy worked out again ------------------------------------------------------


def recalculate(application: Application, report: TripReport) -> dict | None:
    """The subsidy the decision's rule-set version gives for the actual figures (the same
    dict as ``Application.calculation``), or None for a grant not computed by rules."""
    from grants.applications.operations import calculation_as_dict
    from grants.subsidies.calculation import calculate_for_form, organisation_facts
    from grants.subsidies.engine import OrganisationFacts
    from grants.subsidies.models import RuleSet

    if not application.fund.computes_subsidy or application.rule_set_id is None:
        return None
    rule_set = db.session.get(RuleSet, application.rule_set_id)
    departure = report.actual_departure or application.departure_date
    return_ = report.actual_return or application.return_date
    data = {
        "departure_date": departure.isoformat() if departure else "",
        "return_date": return_.isoformat() if return_ else "",
        "partner_city_id": str(application.partner_city_id or ""),
        "participants_young": str(report.actual_young or 0),
        "participants_leaders": str(report.actual_leaders or 0),
        "participants_disabled": str(report.actual_disabled or 0),
        "birth_years": " ".join(str(year) for year in report.actual_birth_years or []),
        "host_group_size": str(report.actual_host_group_size or 0),
        "direct_contact": application.direct_contact or "",
    }
    for category, _label in BUDGET_CATEGORIES:
        data[category.value] = str(report.actual(category))
    # The organisation as the rules saw it when it applied: without this grant itself.
    facts = None
    if application.organisation is not None and departure is not None:
        seen = organisation_facts(application.fund, application.organisation, departure.year)
        facts = OrganisationFacts(
            based_in_municipality=seen.based_in_municipality,
            grants_this_year=max(seen.grants_this_year - 1, 0),
            granted_amount_this_year=max(
                seen.granted_amount_this_year - kroner(application.granted_amount or 0), ZERO
            ),
        )
    applied_on = _local_day(application.submitted_at)
    calculation = calculate_for_form(
        application.fund, data, facts, today=applied_on, rule_set=rule_set
    )
    return calculation_as_dict(calculation)


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL).date()


def preview_recalculation(application: Application, form) -> dict | None:
    """The recalculation for the form as it is filled in, saving nothing."""
    transient = TripReport()  # never added to the session
    fill_report(transient, form)
    return recalculate(application, transient)


# -- submitting and returning ----------------------------------------------------------------


def submit_report(application: Application, actor) -> None:
    """Send the saved report to the caseworker; for youth subsidies, keep the subsidy worked
    out again under the decision's rules."""
    first_day = report_from(application)
    if first_day is not None and clock.today() < first_day:
        raise DomainError(
            _(
                "Rapport og regnskab kan indsendes fra %(date)s, når rejsen er slut. Du kan "
                "gemme rapporten som kladde indtil da.",
                date=long_date(first_day),
            )
        )
    engine.find_transition(application, "submit_report", actor)
    report = report_of(application)
    if report is None:
        raise DomainError(_("Skriv rapporten, før du indsender den."))
    _check_dates(application, report, submitting=True)
    report.recalculation = recalculate(application, report)
    report.submitted_at = clock.now()
    report.approved_at = None
    report.approved_by_id = None
    engine.take(application, "submit_report", actor)


def return_report(application: Application, actor, comment: str) -> None:
    """Send the report back to the applicant side for corrections (a comment is required)."""
    engine.take(application, "return_report", actor, comment)


# -- settlement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """The final figures of a grant."""

    granted: Decimal  # the grant on the ledger before settlement
    actual_costs: Decimal
    final: Decimal
    paid: Decimal  # paid out so far, net of refunds
    recalculated: Decimal | None  # youth subsidies: the subsidy from the actual figures
    rule: str  # "subsidy", "dispensation" or "costs": which part of the rule applied

    @property
    def released(self) -> Decimal:
        """Given back to the fund: the grant less the final amount."""
        return self.granted - self.final

    @property
    def refund(self) -> Decimal:
        """To be paid back: paid in advance beyond the final amount."""
        return max(self.paid - self.final, ZERO)

    @property
    def to_pay(self) -> Decimal:
        """Still to be paid out."""
        return max(self.final - self.paid, ZERO)


def ledger_of(application: Application) -> tuple[Decimal, Decimal] | None:
    """(granted, paid) for the case on the ledger: reservations, adjustments and releases;
    payments net of refunds. None if nothing was ever reserved."""
    figures = application_money(application)
    if figures is None:
        return None
    return figures.granted, figures.spent


def final_amount(application: Application, report: TripReport) -> tuple[Decimal, str]:
    """The final amount under the rule in this module's docstring, and which part applied."""
    granted = kroner(application.granted_amount or 0)
    recalculation = report.recalculation
    if application.fund.computes_subsidy and recalculation is not None:
        recalculated = kroner(Decimal(recalculation["total"]))
        if (application.dispensation_reason or "").strip():
            decided = kroner(application.computed_amount or 0)
            if decided > 0 and recalculated < decided:
                return min(granted, kroner(granted * recalculated / decided)), "dispensation"
            return granted, "dispensation"
        return min(granted, recalculated), "subsidy"
    net = report.actual_total - kroner(application.other_funding or 0)
    return max(ZERO, min(granted, kroner(net))), "costs"


def settlement_for(application: Application, report: TripReport) -> Settlement:
    """What settling now would give; changes nothing."""
    final, rule = final_amount(application, report)
    ledger = ledger_of(application)
    granted, paid = ledger if ledger else (kroner(application.granted_amount or 0), ZERO)
    recalculated = kroner(Decimal(report.recalculation["total"])) if report.recalculation else None
    return Settlement(
        granted=granted,
        actual_costs=report.actual_total,
        final=min(final, granted),
        paid=paid,
        recalculated=recalculated,
        rule=rule,
    )


def settle(application: Application, actor, comment: str = "") -> Settlement:
    """Approve the report and accounts and settle the grant, in the caller's transaction:
    the final amount, the release of what is not used, any refund claim and its deadline,
    the step to ``settled``, the settlement letter and the approved report as a PDF."""
    report = report_of(application)
    ends = trip_ends(application, report)
    if ends is None or clock.today() < ends:
        # Never a settlement before the trip is over, whatever the fund's setting.
        raise DomainError(
            _(
                "Rejsen slutter %(date)s. Rapport og regnskab kan først godkendes og afregnes "
                "fra den dag.",
                date=long_date(ends),
            )
        )
    engine.find_transition(application, "approve_report", actor)  # refuses before any money
    if report is None:
        raise DomainError(_("Sagen har ingen rapport at godkende."))
    _check_dates(application, report, submitting=True)
    if application.fund.computes_subsidy and report.recalculation is None:
        report.recalculation = recalculate(application, report)
    settlement = settlement_for(application, report)
    if settlement.refund and not Municipality.current().takes_refunds:
        # The letter would ask for money back without saying where to pay it.
        raise DomainError(
            _(
                "Afregningen kræver en tilbagebetaling, men kommunens profil har hverken konto "
                "eller betalingsmåde til tilbagebetalinger. En administrator skal udfylde dem "
                "under Kommunens profil, før der afregnes."
            )
        )
    _move_money(application, settlement, actor)

    today = clock.today()
    report.final_amount = settlement.final
    report.refund_amount = settlement.refund
    refund_days = application.fund.refund_days or REFUND_DAYS
    report.refund_due = today + dt.timedelta(days=refund_days) if settlement.refund else None
    report.approved_at = clock.now()
    report.approved_by_id = actor.id

    if settlement.refund:
        summary = note(
            "settlement_refund",
            final=settlement.final,
            amount=settlement.refund,
            date=report.refund_due,
        )
    else:
        summary = note("settlement", final=settlement.final)
    engine.take(
        application, "approve_report", actor, comment=(comment or "").strip(), details=summary
    )
    issue_settlement_letter(application, report, settlement, actor)
    issue_report_pdf(application, report, actor)
    return settlement


def _move_money(application: Application, settlement: Settlement, actor) -> None:
    """Bring the case's granted figure on the ledger down to the final amount."""
    if ledger_of(application) is None or settlement.released <= 0:
        return
    reason = _("Afregning af rapport og regnskab")
    unpaid = min(settlement.released, max(settlement.granted - settlement.paid, ZERO))
    if unpaid > 0:
        release(application, unpaid, actor, reason)
    paid_beyond = settlement.released - unpaid  # the part claimed back as a refund
    if paid_beyond > 0:
        # budgets.operations.release stops at what is unpaid; the grant is reduced below
        # what was paid, and the difference is the refund claim (recorded when it comes in).
        lock_fund(application.fund)
        figures = application_money(application)
        db.session.add(
            BudgetEntry(
                fund_id=application.fund_id,
                year=figures.year,
                kind=EntryKind.RELEASE,
                amount=-kroner(paid_beyond),
                application_id=application.id,
                booked_on=clock.today(),
                created_at=clock.now(),
                created_by_id=actor.id,
                note=_("Tilbagebetalingskrav ved afregning"),
            )
        )
    db.session.flush()


# -- the letters -------------------------------------------------------------------------------


def _store_letter(
    application: Application, kind: str, template: str, filename: str, facts: dict, language
) -> Letter:
    if _has_letter(application, kind):
        raise DomainError(
            _(
                "Sagen %(case)s har allerede dette brev. Et udsendt brev laves ikke om.",
                case=application.case_number,
            )
        )
    with force_locale(language):
        html = render_template(template, letter=facts, language=language)
    pdf = create_pdf(html, images=Municipality.current().letter_images())
    return Letter(
        application_id=application.id,
        kind=kind,
        language=language,
        template=template,
        parameters=_json_safe(facts),
        filename=filename,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
    )


def issue_settlement_letter(
    application: Application, report: TripReport, settlement: Settlement, actor
) -> Letter:
    """The settlement letter (afregning): the final figures, any amount to repay and by
    when, complaint guidance and access to the file. Made once, never remade."""
    language = _letter_language(application.applicant)
    with force_locale(language):
        facts = _settlement_facts(application, report, settlement, actor)
        text = texts.apply_to(facts, application.fund_id, SETTLEMENT)
    filename = (
        f"afregning-{_safe_filename_part(application.case_number or str(application.id))}.pdf"
    )
    letter = _store_letter(application, SETTLEMENT, SETTLEMENT_TEMPLATE, filename, facts, language)
    letter.created_by_id = actor.id
    letter.text_id = text.id if text else None
    db.session.add(letter)
    engine.record(application, "letter_issued", actor, comment=filename)
    db.session.flush()
    return letter


def issue_report_pdf(application: Application, report: TripReport, actor) -> Letter:
    """The approved report and accounts as a PDF, fit for publication: participants as
    counts, names only where the fund publishes names and never for youth subsidies."""
    language = "da"  # published as the municipality's own document
    with force_locale(language):
        facts = _report_facts(application, report)
    filename = f"rapport-{_safe_filename_part(application.case_number or str(application.id))}.pdf"
    letter = _store_letter(application, REPORT, REPORT_TEMPLATE, filename, facts, language)
    letter.created_by_id = actor.id
    db.session.add(letter)
    engine.record(application, "letter_issued", actor, comment=filename)
    db.session.flush()
    return letter


def _trip(application: Application, report: TripReport) -> dict[str, Any]:
    from flask_babel import get_locale

    country = application.destination_country or (
        application.partner_city.country if application.partner_city else ""
    )
    locale = get_locale()
    return {
        "title": application.title,
        "destination_city": application.destination_city
        or (application.partner_city.name if application.partner_city else ""),
        "destination_country_name": (
            locale.territories.get(country, country) if locale and country else country
        ),
        "departure_date": report.actual_departure or application.departure_date,
        "return_date": report.actual_return or application.return_date,
    }


def _accounts(application: Application, report: TripReport) -> list[dict[str, Any]]:
    return [
        {
            "category": row.category,
            "label": row.label,
            "budgeted": row.budgeted,
            "actual": row.actual,
            "difference": row.difference,
        }
        for row in account_rows(application, report)
    ]


def _participants(application: Application, report: TripReport) -> dict[str, Any]:
    youth = application.fund.computes_subsidy
    recalculation = report.recalculation or {}
    return {
        "youth": youth,
        "count": report.participant_count,
        "young": recalculation.get("young", report.actual_young) if youth else None,
        "age_limit": age_limit_for(application) if youth else None,
        "leaders": report.actual_leaders if youth else None,
        "disabled": report.actual_disabled if youth else None,
        "host_group": report.actual_host_group_size if youth else None,
        "birth_year_count": len(report.actual_birth_years or []) if youth else None,
    }


def _settlement_facts(
    application: Application, report: TripReport, settlement: Settlement, actor
) -> dict[str, Any]:
    today = clock.today()
    return {
        "case_number": application.case_number,
        "letter_date": today,
        "fund": {"id": application.fund.id, "name": application.fund.name},
        "trip": _trip(application, report),
        "recipient": _recipient(application),
        "caseworker": {"id": actor.id, "name": actor.name, "title": actor.title},
        "municipality": Municipality.current().letter_facts(),
        "granted_amount": settlement.granted,
        "accounts": _accounts(application, report),
        "actual_costs": settlement.actual_costs,
        "other_funding": kroner(application.other_funding or 0),
        "rule": settlement.rule,
        "computed_amount": kroner(application.computed_amount)
        if application.computed_amount is not None
        else None,
        "recalculation": shown_calculation(report.recalculation),
        "final_amount": settlement.final,
        "released": settlement.released,
        "paid": settlement.paid,
        "to_pay": settlement.to_pay,
        "refund": settlement.refund,
        "refund_due": report.refund_due,
        "refund_days": application.fund.refund_days or REFUND_DAYS,
    }


def _report_facts(application: Application, report: TripReport) -> dict[str, Any]:
    fund = application.fund
    names = fund.publish_names and not fund.computes_subsidy
    return {
        "case_number": application.case_number,
        "fund": {"id": fund.id, "name": fund.name},
        "organisation": application.organisation.name if application.organisation else "",
        "trip": _trip(application, report),
        "purpose": application.purpose,
        "what_was_done": report.what_was_done,
        "what_was_learned": report.what_was_learned,
        "how_it_will_be_used": report.how_it_will_be_used,
        "participants": _participants(application, report),
        "participant_names": report.participant_names if names else "",
        "accounts": _accounts(application, report),
        "actual_total": report.actual_total,
        "final_amount": report.final_amount,
        "approved_on": clock.today(),
        "municipality": Municipality.current().letter_facts(),
    }
