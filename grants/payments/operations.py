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
from sqlalchemy import exists, select

from grants.budgets.lock import lock_fund
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment, record_refund
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.input import has_control_characters
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.payments.models import PAID, REASON_MAX, SENT, WITHDRAWN, PaymentBatchLine
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
    if has_control_characters(voucher):
        # The forms refuse them before; the API and a confirmation file come here: a NUL
        # byte PostgreSQL cannot store, a line break or an escape in every export after.
        raise DomainError(
            _("Bilagsnummeret må ikke indeholde styretegn eller linjeskift."), field="voucher"
        )
    return voucher


def _voucher_unused(application, kind: EntryKind, voucher: str) -> None:
    """A voucher documents one movement of money: the same number twice on a case and kind
    is a double click or a form sent again, and is refused. Asked under the fund's lock, so
    two requests at once cannot both find it unused."""
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
    from the decision to today. A case with a line sent in a batch is paid that line's
    whole amount, which confirms the line."""
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
    line = sent_line(application)
    if line is not None and amount != line.amount:
        # The finance system pays the line as it was sent: part of it recorded by hand
        # would mark the whole line paid with the rest never recorded.
        raise DomainError(
            _(
                "Sagens udbetaling på %(amount)s er sendt til økonomisystemet i bunke "
                "%(batch)s (linje %(line)d), som udbetaler hele linjen. Registrér %(amount)s, "
                "eller tilbagekald linjen under bunken, hvis økonomisystemet ikke udbetaler den.",
                amount=money(line.amount),
                batch=line.batch.number,
                line=line.position,
            ),
            field="amount",
        )
    entry = record_payment(application, amount, actor, paid_on, voucher)
    if line is not None:
        line.status, line.voucher = PAID, voucher
    engine.record(
        application,
        "payment_recorded",
        actor,
        details=note("payment_recorded", amount=amount, day=paid_on, voucher=voucher),
    )
    return entry


def sent_line(application) -> PaymentBatchLine | None:
    """The case's line sent in a batch (grants.payments.batches) and not yet confirmed or
    withdrawn: a payment recorded on the case confirms it, whichever way it came (the
    confirmation file, the API, or the form), and must be the line's whole amount. Read
    under the fund's lock, which a batch's export and a withdrawal take too."""
    return db.session.scalar(
        select(PaymentBatchLine).where(
            PaymentBatchLine.application_id == application.id, PaymentBatchLine.status == SENT
        )
    )


def withdraw_line(line: PaymentBatchLine, reason: str | None, actor) -> None:
    """Withdraw a line sent to the finance system that it will not pay (a wrong NemKonto, a
    CPR number it cannot find), with the reason: the case's money is due again and goes in
    a later batch. Sending wrote nothing in the ledger (a payment is booked when it is
    confirmed), so nothing is booked back; the case's journal says it. A line confirmed paid
    is refused (the money went: a refund is the way back), and so is one withdrawn already
    (a double click, a stale page)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Skriv, hvorfor linjen tilbagekaldes."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Begrundelsen må højst være %(max)d tegn.", max=REASON_MAX), field="reason"
        )
    application = line.application
    lock_fund(application.fund)
    db.session.refresh(line)  # as it is now, under the lock: paid or withdrawn meanwhile?
    where = {"batch": line.batch.number, "line": line.position}
    if line.status == PAID:
        raise DomainError(
            _(
                "Bunke %(batch)s linje %(line)d er bekræftet betalt (bilag %(voucher)s) og kan "
                "ikke tilbagekaldes. Er pengene kommet retur, registreres de som en "
                "tilbagebetaling.",
                voucher=line.voucher,
                **where,
            )
        )
    if line.status == WITHDRAWN:
        raise DomainError(_("Bunke %(batch)s linje %(line)d er allerede tilbagekaldt.", **where))
    line.status, line.withdrawn_reason = WITHDRAWN, reason
    line.withdrawn_at, line.withdrawn_by_id = clock.now(), actor.id
    engine.record(
        application,
        "payment_line_withdrawn",
        actor,
        visible_to_applicant=False,
        details=note("payment_line_withdrawn", amount=line.amount, why=reason, **where),
    )


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
