"""A payment batch: the payments due, exported once to the finance system as a posting file.
Each line is *sent* when the batch is made and *paid* when the finance system confirms it
(a confirmation file, or the API's write), through grants.payments.operations.pay, or
*withdrawn* by a finance officer when the finance system will not pay it
(grants.payments.operations.withdraw_line): its money is then due again, for a later batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import Audited, Record
from grants.core.money import Money
from grants.extensions import db

SENT = "sent"
PAID = "paid"
# Withdrawn by a finance officer; stored as "recalled", not as a case's state's name.
WITHDRAWN = "recalled"
REASON_MAX = 500


def _line_event(line) -> str | None:
    if line.status == PAID:
        return "payments.batch_line_paid"
    if line.status == WITHDRAWN:
        return "payments.batch_line_withdrawn"
    return None


class PaymentBatch(db.Model):
    __tablename__ = "payment_batch"
    __audit__ = Audited(added=Record("payments.batch_exported", ("number",), actor="created_by_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # 2026-0007
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    lines = relationship(
        "PaymentBatchLine", back_populates="batch", order_by="PaymentBatchLine.position"
    )


class PaymentBatchLine(db.Model):
    __tablename__ = "payment_batch_line"
    __audit__ = Audited(
        changed=Record(
            _line_event,
            ("voucher",),  # not the reason: free text that may name a person's details
            case="application_id",
        )
    )
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batch.id"), index=True)
    position: Mapped[int]  # 1, 2, ... : the line's number in the batch and its files
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(10), default=SENT)
    voucher: Mapped[str] = mapped_column(String(60), default="")
    # A line the finance system will not pay, withdrawn: why, when and by whom.
    withdrawn_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="", server_default="")
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    batch = relationship("PaymentBatch", back_populates="lines")
    application = relationship("Application")
    withdrawn_by = relationship("User")
