"""Approving a report settles the grant: the final amount, the money given back to the fund
or claimed back, the step to ``settled`` and the letters. Like every operation these add and
flush; the request commits, once.

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
(``budgets.movements.release``); where more than the final amount was paid in advance,
the rest of the reduction is released too and ``paid − final`` is claimed back, due
``REFUND_DAYS`` days after the settlement. Afterwards the case's granted figure on the
ledger (reservations, adjustments and releases) equals the final amount; spent equals paid
until the refund comes in (``budgets.movements.record_refund``, with no further release).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.budgets.balances import application_money
from grants.budgets.ledger import in_ledger_language
from grants.budgets.lock import lock_fund
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import refuse_below_money_sent, release
from grants.cases.models import Application
from grants.cases.states import State
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import long_date
from grants.core.models import Municipality
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.funds import defaults
from grants.reports.letters import (
    issue_report_pdf,
    issue_settlement_letter,
    make_report_pdf,
    make_settlement_letter,
)
from grants.reports.models import Settlement, TripReport
from grants.reports.report import check_dates, recalculate, report_of, trip_ends
from grants.workflow import engine
from grants.workflow.journal_texts import note

# A refund claimed at settlement is due this many days after the settlement: the fund's
# setting (Fund.refund_days), by default the one set of fund defaults' (grants.funds.defaults).
REFUND_DAYS = defaults.REFUND_DAYS


def ledger_of(application: Application) -> tuple[Decimal, Decimal] | None:
    """(granted, paid) for the case on the ledger: reservations, adjustments and releases;
    payments net of refunds. None if nothing was ever reserved."""
    figures = application_money(application)
    if figures is None:
        return None
    return figures.granted, figures.spent


def refund_owed(application: Application) -> Decimal:
    """What the applicant still owes back after the settlement: paid beyond the final
    amount, less what has come back (the ledger's paid beyond granted); 0 when nothing is."""
    ledger = ledger_of(application) if application.state == State.SETTLED else None
    if ledger is None:
        return ZERO
    granted, paid = ledger
    return max(paid - granted, ZERO)


def final_amount(application: Application, report: TripReport) -> tuple[Decimal, str]:
    """The final amount under the rule in this module's docstring, and which part applied."""
    granted = kroner(application.granted_amount or 0)
    recalculation = report.recalculation
    if application.fund.computes_subsidy and recalculation is not None:
        amount, rule = _subsidy_by_rules(application, granted, recalculation)
        # The decision letter's condition: money not used is paid back, also when the costs
        # were lower than expected. A subsidy by rate never pays more than the trip cost.
        costs = kroner(max(report.actual_total, ZERO))
        if costs < amount:
            return costs, "costs_cap"
        return amount, rule
    net = report.actual_total - kroner(application.other_funding or 0)
    return max(ZERO, min(granted, kroner(net))), "costs"


def _subsidy_by_rules(
    application: Application, granted: Decimal, recalculation: dict
) -> tuple[Decimal, str]:
    recalculated = kroner(Decimal(recalculation["total"]))
    if (application.dispensation_reason or "").strip():
        decided = kroner(application.computed_amount or 0)
        if decided > 0 and recalculated < decided:
            return min(granted, kroner(granted * recalculated / decided)), "dispensation"
        return granted, "dispensation"
    return min(granted, recalculated), "subsidy"


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
    check_dates(application, report, submitting=True)
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
    # A payment sent to the finance system and not yet confirmed is paid as sent: the grant
    # is not settled below it until it is confirmed (then what was paid beyond the final
    # amount is claimed back). Asked before the letters are made, and again under the lock.
    refuse_below_money_sent(application, settlement.final - settlement.paid)
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
    # The two letters are made first, before the fund's lock, so that another decision on
    # the fund waits for the step and the ledger entries only, not for WeasyPrint and the
    # seal. Then the fund's lock, and only under it the step that writes the case's row: one
    # lock order, the fund's before the case's (docs/budgets.md). A fund's settings saved
    # hold the fund's row and then write the days of its cases (workflow.waits_for): a
    # settlement that held the case and then waited for the fund would meet it in a deadlock.
    with db.session.no_autoflush:
        # From the report's figures as set above, written only under the lock.
        settlement_letter = make_settlement_letter(application, report, settlement, actor)
        report_pdf = make_report_pdf(application, report)
    lock_fund(application.fund)
    # The step first: a second click on the button is refused as such ("already moved on").
    engine.take(
        application, "approve_report", actor, comment=(comment or "").strip(), details=summary
    )
    # A payment or refund booked on the case since the figures were read refuses the
    # settlement whole.
    if settlement_for(application, report) != settlement:
        raise DomainError(
            _(
                "Der er bogført en udbetaling eller tilbagebetaling på sagen, mens afregningen "
                "blev lavet. Intet er ændret; se sagen igen, og godkend på ny."
            )
        )
    refuse_below_money_sent(application, settlement.final - settlement.paid)
    issue_settlement_letter(application, report, settlement, actor, made=settlement_letter)
    issue_report_pdf(application, report, actor, made=report_pdf)
    _move_money(application, settlement, actor)
    return settlement


def _move_money(application: Application, settlement: Settlement, actor) -> None:
    """Bring the case's granted figure on the ledger down to the final amount."""
    if ledger_of(application) is None or settlement.released <= 0:
        return
    # The ledger's notes are Danish whoever settles (grants.budgets.ledger).
    reason = in_ledger_language(_l("Afregning af rapport og regnskab"))
    unpaid = min(settlement.released, max(settlement.granted - settlement.paid, ZERO))
    if unpaid > 0:
        release(application, unpaid, actor, reason)
    paid_beyond = settlement.released - unpaid  # the part claimed back as a refund
    if paid_beyond > 0:
        # budgets.movements.release stops at what is unpaid; the grant is reduced below
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
                note=in_ledger_language(_l("Tilbagebetalingskrav ved afregning")),
            )
        )
    db.session.flush()
