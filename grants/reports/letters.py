"""The letters after a report: the settlement letter (afregning) to the applicant and the
approved report and accounts as a PDF fit for publication. Each is made once, never remade.
"""

from __future__ import annotations

from typing import Any

from grants.cases.models import Application
from grants.core import clock
from grants.core.models import Municipality
from grants.core.money import kroner
from grants.funds import defaults
from grants.letters.kinds import REPORT, SETTLEMENT
from grants.letters.models import Letter
from grants.letters.operations import MadeLetter, issue, make, recipient_facts
from grants.reports.models import Settlement, TripReport
from grants.reports.report import account_rows
from grants.subsidies.calculation import shown as shown_calculation
from grants.subsidies.figures import age_limit_for


def issue_settlement_letter(
    application: Application,
    report: TripReport,
    settlement: Settlement,
    actor,
    made: MadeLetter | None = None,
) -> Letter:
    """The settlement letter (afregning): the final figures, any amount to repay and by
    when, complaint guidance and access to the file. Made once, never remade. ``made``: the
    letter made beforehand (``make_settlement_letter``), issued as it is if the case still
    says what it was made from."""
    return issue(
        SETTLEMENT,
        application,
        lambda: _settlement_facts(application, report, settlement, actor),
        actor,
        made=made,
    )


def make_settlement_letter(
    application: Application, report: TripReport, settlement: Settlement, actor
) -> MadeLetter:
    """The settlement letter rendered and sealed, not yet issued (stores nothing): made
    before the fund's lock is taken (``reports.settlement.settle``)."""
    return make(
        SETTLEMENT, application, lambda: _settlement_facts(application, report, settlement, actor)
    )


def issue_report_pdf(
    application: Application, report: TripReport, actor, made: MadeLetter | None = None
) -> Letter:
    """The approved report and accounts as a PDF, fit for publication: participants as
    counts, names only where the fund publishes names and never for youth subsidies. In
    Danish, as the municipality's own document (``grants.letters.kinds``). ``made``: as for
    ``issue_settlement_letter`` (``make_report_pdf``)."""
    return issue(REPORT, application, lambda: _report_facts(application, report), actor, made=made)


def make_report_pdf(application: Application, report: TripReport) -> MadeLetter:
    """The approved report's PDF rendered and sealed, not yet issued (stores nothing)."""
    return make(REPORT, application, lambda: _report_facts(application, report))


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
        "recipient": recipient_facts(application),
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
        "refund_days": application.fund.refund_days or defaults.REFUND_DAYS,
    }


def _report_facts(application: Application, report: TripReport) -> dict[str, Any]:
    fund = application.fund
    # Names only where the fund publishes them and its kind allows it (never children's and
    # young people's, nor a network's): the rule of the public pages this PDF is linked from.
    names = fund.publish_names and fund.spec.names_may_be_public
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
