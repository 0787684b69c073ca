"""Marking a grant paid and a refund received: a ledger entry each, with the day and the
voucher number, and a line in the case's journal. Nothing here commits (the request does).

Each takes the fund's lock first (grants.budgets.lock.lock_fund), so the check "is
this more than is due?" reads what the previous payment left behind, and two finance
officers cannot pay the same grant twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from grants.budgets.lock import lock_fund
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment, record_refund
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.money import ZERO, kroner
from grants.payments.queries import payment_due, refund_claim
from grants.workflow import engine
from grants.workflow.journal_texts import note

VOUCHER_MAX = 60


def _voucher(voucher: str | None) -> str:
    voucher = (voucher or "").strip()
    if not voucher:
        raise DomainError(_("Skriv bilagsnummeret."), field="voucher")
    if len(voucher) > VOUCHER_MAX:
        raise DomainError(
            _("Bilagsnummeret må højst være %(max)d tegn.", max=VOUCHER_MAX), field="voucher"
        )
    return voucher


def _voucher_unused(application, kind: EntryKind, voucher: str) -> None:
    """A voucher documents one movement of money: the same number twice on a case and kind
    is a double click or a form sent again, and is refused. Asked under the fund's lock, so
    two requests at once cannot both find it unused."""
    from sqlalchemy import exists, select

    from grants.extensions import db

    used = db.session.scalar(
        select(
            exists().where(
                BudgetEntry.application_id == application.id,
                BudgetEntry.kind == kind,
                BudgetEntry.voucher == voucher,
            )
        )
    )
    if used:
        message = (
            _("Bilag %(voucher)s er allerede registreret som udbetaling på sagen.", voucher=voucher)
            if kind == EntryKind.PAYMENT
            else _(
                "Bilag %(voucher)s er allerede registreret som tilbagebetaling på sagen.",
                voucher=voucher,
            )
        )
        raise DomainError(message, field="voucher")


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Copenhagen of a moment stored in the database (SQLite gives it back naive,
    in UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL).date()


def _amount(amount: Decimal | None) -> Decimal:
    if amount is None:
        raise DomainError(_("Skriv et beløb."), field="amount")
    amount = kroner(amount)
    if amount <= ZERO:
        raise DomainError(_("Beløbet skal være større end 0 kr."), field="amount")
    return amount


def _within_outstanding(
    application, kind: EntryKind, amount, voucher, outstanding_of, *, nothing, at_most
) -> tuple[Decimal, str]:
    """What a payment and a refund check alike before they are booked: a positive amount and
    a voucher not used for ``kind`` on the case (the fund locked while it is checked), and
    something outstanding (``outstanding_of``: what is due, or what is claimed back) that
    the amount is not more than. ``nothing`` and ``at_most(most)`` say what is wrong."""
    amount, voucher = _amount(amount), _voucher(voucher)
    lock_fund(application.fund)
    _voucher_unused(application, kind, voucher)
    outstanding = outstanding_of(application.id)
    if outstanding is None:
        raise DomainError(nothing, field="amount")
    if amount > outstanding.outstanding:
        raise DomainError(at_most(money(outstanding.outstanding)), field="amount")
    return amount, voucher


def pay(application, amount: Decimal, actor, paid_on: dt.date, voucher: str) -> BudgetEntry:
    """Record that (part of) what is due on the case was paid on ``paid_on`` under the
    finance system's voucher number: a PAYMENT entry, never more than is due, on a day
    from the decision to today."""
    amount, voucher = _within_outstanding(
        application,
        EntryKind.PAYMENT,
        amount,
        voucher,
        payment_due,
        nothing=_("Der er ikke noget at udbetale på sagen."),
        at_most=lambda most: _(
            "Der kan højst udbetales %(most)s på sagen: det, der mangler at blive udbetalt.",
            most=most,
        ),
    )
    entry = record_payment(application, amount, actor, paid_on, voucher)
    _settle_sent_line(application, voucher)
    engine.record(
        application,
        "payment_recorded",
        actor,
        details=note("payment_recorded", amount=amount, day=paid_on, voucher=voucher),
    )
    return entry


def _settle_sent_line(application, voucher: str) -> None:
    """A payment recorded on a case whose payment was sent in a batch (grants.payments.
    batches) confirms that line, whichever way it came: the confirmation file, the API, or
    the form."""
    from sqlalchemy import select

    from grants.extensions import db
    from grants.payments.models import PAID, SENT, PaymentBatchLine

    line = db.session.scalar(
        select(PaymentBatchLine).where(
            PaymentBatchLine.application_id == application.id, PaymentBatchLine.status == SENT
        )
    )
    if line is not None:
        line.status, line.voucher = PAID, voucher


def receive_refund(
    application, amount: Decimal, actor, refunded_on: dt.date, voucher: str
) -> BudgetEntry:
    """Record that (part of) the refund claimed at settlement came in on ``refunded_on``:
    a REFUND entry, never more than is still claimed. No release: the settlement brought
    the grant on the ledger down to the final amount already (grants.reports.settlement)."""
    amount, voucher = _within_outstanding(
        application,
        EntryKind.REFUND,
        amount,
        voucher,
        refund_claim,
        nothing=_("Der er ikke noget krav om tilbagebetaling på sagen."),
        at_most=lambda most: _(
            "Der kan højst modtages %(most)s på sagen: det, der mangler at blive betalt tilbage.",
            most=most,
        ),
    )
    entry = record_refund(application, amount, actor, refunded_on, voucher)
    engine.record(
        application,
        "refund_recorded",
        actor,
        details=note("refund_recorded", amount=amount, day=refunded_on, voucher=voucher),
    )
    return entry
