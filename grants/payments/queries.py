"""What is to be paid and what is to be paid back, read in one query.

A grant is ready for payment when it is decided (granted in full or in part), not withdrawn,
and what is paid on it (its PAYMENT entries minus its REFUND entries) is less than what is
due: before settlement the granted amount (the decision letter says the grant is paid to the
NemKonto before the trip), after settlement (state "settled") the final amount. A refund
claim is outstanding while the settlement's ``refund_amount`` is more than what has been
paid back (the REFUND entries).

The payments and refunds per case are summed in SQL (a grouped subquery joined to the
cases), so each list is one query however many cases there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, case, func, or_, select, type_coerce

from grants.budgets.exports import Column, _local
from grants.budgets.models import BudgetEntry, EntryKind
from grants.cases.models import Application, Outcome
from grants.cases.states import State
from grants.core.money import ZERO, kroner
from grants.extensions import db
from grants.funds.models import Fund
from grants.organisations.models import Membership, Organisation
from grants.payments.models import SENT, PaymentBatch, PaymentBatchLine
from grants.people.models import User
from grants.reports.models import TripReport

# Decided and granted; a grant given up (withdrawn) or cancelled is not paid.
PAYABLE_OUTCOMES = (Outcome.GRANTED, Outcome.PARTLY_GRANTED)
NOT_PAYABLE_STATES = (State.WITHDRAWN, State.CANCELLED)
SETTLED = State.SETTLED


@dataclass(frozen=True)
class OpenItem:
    """One case with money to pay out, or to receive back."""

    application_id: int
    case_number: str
    title: str
    state: str
    fund_id: int
    fund_code: str
    fund_name: str
    recipient_name: str  # the organisation, or the person who applied
    cvr: str  # the organisation's CVR number; blank for a person
    settled: bool
    due: Decimal  # payments: the granted or final amount; refunds: the amount claimed
    done: Decimal  # payments: paid net of refunds; refunds: paid back so far
    due_date: dt.date | None  # payments: departure, or settlement; refunds: refund_due

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.done


def _ore(expression):
    """A sum of Money columns as whole øre (a plain integer, no Money conversion)."""
    return type_coerce(func.coalesce(expression, 0), BigInteger)


def money_per_application():
    """Per case: paid out (PAYMENT) and paid back (REFUND, as a positive figure), in øre."""
    return (
        select(
            BudgetEntry.application_id.label("application_id"),
            _ore(
                func.sum(
                    case(
                        (
                            BudgetEntry.kind == EntryKind.PAYMENT,
                            type_coerce(BudgetEntry.amount, BigInteger),
                        ),
                        else_=0,
                    )
                )
            ).label("paid"),
            _ore(
                func.sum(
                    case(
                        (
                            BudgetEntry.kind == EntryKind.REFUND,
                            -type_coerce(BudgetEntry.amount, BigInteger),
                        ),
                        else_=0,
                    )
                )
            ).label("refunded"),
        )
        .where(
            BudgetEntry.application_id.is_not(None),
            BudgetEntry.kind.in_([EntryKind.PAYMENT, EntryKind.REFUND]),
        )
        .group_by(BudgetEntry.application_id)
        .subquery("money")
    )


def _cases_query(fund_id: int | None = None, application_id: int | None = None):
    money = money_per_application()
    query = (
        select(
            Application.id,
            Application.case_number,
            Application.title,
            Application.state,
            Application.granted_amount,
            Application.departure_date,
            Fund.id,
            Fund.code,
            Fund.name,
            User.name,
            Organisation.name,
            Organisation.cvr,
            TripReport.final_amount,
            TripReport.refund_amount,
            TripReport.refund_due,
            TripReport.approved_at,
            _ore(money.c.paid),
            _ore(money.c.refunded),
        )
        .select_from(Application)
        .join(Fund, Fund.id == Application.fund_id)
        .join(User, User.id == Application.applicant_id)
        .outerjoin(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(TripReport, TripReport.application_id == Application.id)
        .outerjoin(money, money.c.application_id == Application.id)
        .where(
            Application.outcome.in_(PAYABLE_OUTCOMES),
            Application.state.not_in(NOT_PAYABLE_STATES),
        )
        .order_by(Application.departure_date, Application.case_number, Application.id)
    )
    if fund_id is not None:
        query = query.where(Application.fund_id == fund_id)
    if application_id is not None:
        query = query.where(Application.id == application_id)
    return query


def _items(fund_id: int | None = None, application_id: int | None = None):
    """(payments due, refunds outstanding), from one query."""
    payments, refunds = [], []
    for row in db.session.execute(_cases_query(fund_id, application_id)):
        (
            app_id,
            case_number,
            title,
            state,
            granted,
            departure,
            f_id,
            f_code,
            f_name,
            person,
            organisation,
            cvr,
            final_amount,
            refund_amount,
            refund_due,
            approved_at,
            paid_ore,
            refunded_ore,
        ) = row
        paid = kroner(Decimal(int(paid_ore)) / 100)
        refunded = kroner(Decimal(int(refunded_ore)) / 100)
        settled = state == SETTLED and final_amount is not None
        common = dict(
            application_id=app_id,
            case_number=case_number or "",
            title=title,
            state=state,
            fund_id=f_id,
            fund_code=f_code,
            fund_name=f_name,
            recipient_name=organisation or person,
            cvr=(cvr or "") if organisation else "",
            settled=settled,
        )
        due = kroner(final_amount) if settled else kroner(granted)
        approved = _local(approved_at)
        payment = OpenItem(
            **common,
            due=due,
            done=paid - refunded,
            due_date=approved.date() if settled and approved else departure,
        )
        if payment.outstanding > ZERO:
            payments.append(payment)
        claim = kroner(refund_amount) if refund_amount is not None else ZERO
        refund = OpenItem(**common, due=claim, done=refunded, due_date=refund_due)
        if refund.outstanding > ZERO:
            refunds.append(refund)
    refunds.sort(key=lambda item: (item.due_date or dt.date.max, item.case_number))
    return payments, refunds


def open_items(fund_id: int | None = None) -> tuple[list[OpenItem], list[OpenItem]]:
    """The grants ready for payment and the refund claims outstanding, for one fund or all."""
    return _items(fund_id=fund_id)


def payment_due(application_id: int) -> OpenItem | None:
    """What is still to be paid on a case, or None if nothing is."""
    payments, _refunds = _items(application_id=application_id)
    return payments[0] if payments else None


def refund_claim(application_id: int) -> OpenItem | None:
    """What is still to be paid back on a case, or None if nothing is."""
    _payments, refunds = _items(application_id=application_id)
    return refunds[0] if refunds else None


# The CSV for the finance system: fixed column names, amounts with "." as the decimal mark,
# ISO dates, UTF-8 with a byte-order mark (grants.budgets.exports.as_csv). docs/open-data.md.
COLUMNS = [
    Column("case_number", "Sagsnr."),
    Column("recipient_name", "Modtager"),
    Column("cvr", "CVR-nr."),
    Column("fund_code", "Puljekode"),
    Column("fund_name", "Pulje"),
    Column("amount", "Beløb (kr.)", "money"),
    Column("due_date", "Forfaldsdato", "date"),
]


def csv_rows(items: list[OpenItem]) -> list[dict]:
    return [
        {
            "case_number": item.case_number,
            "recipient_name": item.recipient_name,
            "cvr": item.cvr,
            "fund_code": item.fund_code,
            "fund_name": item.fund_name,
            "amount": item.outstanding,
            "due_date": item.due_date,
        }
        for item in items
    ]


def sent_in_batches(items: Iterable[OpenItem]) -> dict[int, tuple[str, int]]:
    """The cases among ``items`` whose payment is in a batch sent to the finance system and
    not yet confirmed or withdrawn: case id -> (the batch's number, the line). The finance
    system pays those by the batch, so the list's CSV leaves them out (it would pay them a
    second time) and the list says which batch pays them. One query."""
    ids = {item.application_id for item in items}
    if not ids:
        return {}
    rows = db.session.execute(
        select(PaymentBatchLine.application_id, PaymentBatch.number, PaymentBatchLine.position)
        .join(PaymentBatch, PaymentBatch.id == PaymentBatchLine.batch_id)
        .where(PaymentBatchLine.status == SENT, PaymentBatchLine.application_id.in_(ids))
    )
    return {case_id: (number, position) for case_id, number, position in rows}


def own_cases(user: User, items: Iterable[OpenItem | PaymentBatchLine]) -> set[int]:
    """The cases among ``items`` (open items, or a batch's lines) the person has a personal
    interest in (their own application, or one from an organisation they belong to): nobody
    records money on them (``payments.record``), so the list offers no button there. One
    query."""
    ids = {item.application_id for item in items}
    if not ids:
        return set()
    memberships = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return set(
        db.session.scalars(
            select(Application.id).where(
                Application.id.in_(ids),
                or_(
                    Application.applicant_id == user.id,
                    Application.organisation_id.in_(memberships),
                ),
            )
        )
    )
