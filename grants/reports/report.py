"""The trip report and its accounts: read, saved as a draft with receipts, checked against
the granted trip's dates, the youth subsidy worked out again, submitted and returned. Like
every operation these add and flush; the request commits, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grants.applications import documents
from grants.applications.forms import BUDGET_CATEGORIES
from grants.cases.models import Application, Attachment
from grants.cases.states import GRANTED_STATES, State
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.files import CheckedFile, check_uploads
from grants.core.formatting import long_date
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.reports.models import AccountLine, TripReport
from grants.workflow import engine

# The states in which the applicant side writes the report and accounts.
REPORTABLE_STATES = (*GRANTED_STATES, State.REPORT_RETURNED)
# The states after the decision in which the case page shows the report section.
AFTER_GRANT_STATES = (*REPORTABLE_STATES, State.REPORT_SUBMITTED, State.SETTLED)
RECEIPT = documents.RECEIPT


def report_of(application: Application) -> TripReport | None:
    return db.session.scalar(select(TripReport).where(TripReport.application_id == application.id))


def receipts_of(application: Application) -> list[Attachment]:
    """The receipts of the accounts: every one received, but those taken back."""
    return documents.kept(application, RECEIPT)


def since(moment: dt.datetime, submitted: dt.datetime | None) -> bool:
    """Whether ``moment`` is after the report was last submitted (or it never was)."""
    if submitted is None:
        return True

    def utc(value: dt.datetime) -> dt.datetime:
        # SQLite hands back naive datetimes, stored as UTC.
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value

    return utc(moment) > utc(submitted)


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


def check_dates(application: Application, report: TripReport, *, submitting: bool) -> None:
    problems = date_problems(
        application, report.actual_departure, report.actual_return, submitting=submitting
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field)


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
    report = report_of(application) or _new_report(application)
    fill_report(report, form)
    check_dates(application, report, submitting=False)
    for checked in uploads:
        add_receipt(application, checked, actor)
    db.session.flush()
    return report


def _new_report(application: Application) -> TripReport:
    """The case's report, made now; or, if another request made it meanwhile (a double
    click on the first "send", two members of an association at once), that one: the
    database's unique constraint tells, and the savepoint keeps this request's other writes."""
    report = TripReport(application_id=application.id)
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        made = report_of(application)
        if made is None:  # not the report of this case: the constraint of something else
            raise
        return made
    return report


RECEIPT_TYPES = ("application/pdf", "image/png", "image/jpeg")


def check_receipts(files: list[tuple[str, bytes]], field: str = "receipts") -> list[CheckedFile]:
    """The receipts sent at once: each a PDF or a picture (PNG, JPEG), judged by its content,
    within the field's number and size (grants.core.files.check_uploads). One refused: none
    is kept."""
    checked = check_uploads(files, field=field)
    for receipt in checked:
        if receipt.content_type not in RECEIPT_TYPES:
            raise DomainError(
                _(
                    "%(name)s er ikke en PDF eller et billede (PNG eller JPEG).",
                    name=receipt.filename,
                ),
                field=field,
            )
    return checked


def add_receipt(application: Application, checked: CheckedFile, actor) -> Attachment:
    """Attach a receipt; receipts add up, they never replace one another, and each is
    journalised as received (grants.applications.documents)."""
    return documents.receive(application, checked, actor, RECEIPT)


def recalculate(application: Application, report: TripReport) -> dict | None:
    """The subsidy the decision's rule-set version gives for the actual figures (the same
    dict as ``Application.calculation``), or None for a grant not computed by rules."""
    from grants.applications.operations import calculation_as_dict
    from grants.subsidies.calculation import calculate_for_form, organisation_facts
    from grants.subsidies.facts import OrganisationFacts
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
    # The organisation as the rules saw it when it applied: the facts kept with the case's
    # calculation, whose total is the computed amount the settlement compares with (its
    # grants from this fund, and by kind from every fund for format 2's
    # grants_counted_across). A grant made to it since is not one it had already: counted,
    # it would cut this settlement for a trip that went as applied for. A case kept without
    # them: its grants in the year of the granted trip as they stand, without this one.
    facts = None
    if application.organisation is not None and departure is not None:
        kept = ((application.calculation or {}).get("trip") or {}).get("organisation")
        if kept is not None:
            facts = OrganisationFacts.from_facts(kept)
        else:
            facts = organisation_facts(
                application.fund,
                application.organisation,
                (application.departure_date or departure).year,
                excluding=application.id,
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
    check_dates(application, report, submitting=True)
    report.recalculation = recalculate(application, report)
    report.submitted_at = clock.now()
    report.approved_at = None
    report.approved_by_id = None
    engine.take(application, "submit_report", actor)


def return_report(application: Application, actor, comment: str) -> None:
    """Send the report back to the applicant side for corrections (a comment is required)."""
    engine.take(application, "return_report", actor, comment)
