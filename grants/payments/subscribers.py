"""What the payments know that the packages below them ask: money sent to the finance
system in a batch and not yet confirmed (listed in ``grants.SUBSCRIBER_MODULES``)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from grants.budgets.signals import grant_lowering
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.money import ZERO
from grants.extensions import db
from grants.payments.models import SENT, PaymentBatchLine


@grant_lowering.connect
def not_below_what_is_sent(application, *, leaves: Decimal, **_facts) -> None:
    """A grant is not lowered below a payment sent to the finance system and not yet
    confirmed: the finance system pays the line as it was sent, and the money would be
    counted free while it goes out. Read under the fund's lock, which a batch's export
    takes too, so a batch made at the same moment is seen."""
    lines = list(
        db.session.scalars(
            select(PaymentBatchLine).where(
                PaymentBatchLine.application_id == application.id,
                PaymentBatchLine.status == SENT,
            )
        )
    )
    sent = sum((line.amount for line in lines), ZERO)
    if not lines or sent <= leaves:
        return
    line = lines[0]
    raise DomainError(
        _(
            "%(amount)s er sendt til udbetaling i bunke %(batch)s (linje %(line)d) og er endnu "
            "ikke bekræftet af økonomisystemet. Bevillingen kan ikke sættes under det beløb, "
            "før økonomi har bekræftet udbetalingen; derefter kræves det for meget udbetalte "
            "tilbage. Intet er ændret.",
            amount=money(sent),
            batch=line.batch.number,
            line=line.position,
        )
    )
