"""Money movements: allocations changed, grants reserved, adjusted and released, payments
and refunds.

Every function that moves money appends entries; none edits one; none commits (the request,
or the command, does). Every movement first takes the fund's lock
(``grants.budgets.lock.lock_fund``), so its checks read what the previous movement left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from grants.budgets.balances import ApplicationMoney, allocated, application_money, balance
from grants.budgets.closing import carry_on_if_closed, is_closed
from grants.budgets.ledger import append, in_ledger_language
from grants.budgets.lock import lock_fund
from grants.budgets.models import BudgetEntry, EntryKind, YearClosing
from grants.budgets.opening import allocate, last_openable_year, open_year
from grants.budgets.signals import grant_lowering
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.events import send
from grants.core.formatting import long_date, money
from grants.core.money import ZERO, kroner
from grants.extensions import db

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.funds.models import Fund
    from grants.people.models import User


class InsufficientFunds(DomainError):
    pass


class YearClosed(DomainError):
    pass


def _positive(amount: Decimal | None, field_name: str = "amount") -> Decimal:
    if amount is None:
        raise DomainError(_("Skriv et beløb."), field=field_name)
    amount = kroner(amount)
    if amount <= ZERO:
        raise DomainError(_("Beløbet skal være større end 0 kr."), field=field_name)
    return amount


def _refuse_if_closed(fund: Fund, year: int, field_name: str = "amount") -> None:
    closed = db.session.scalar(
        select(YearClosing.id).where(YearClosing.fund_id == fund.id, YearClosing.year == year)
    )
    if closed is not None:
        raise YearClosed(
            _(
                "Budgetåret %(year)s er lukket for %(fund)s, så der kan ikke bevilges mere af "
                "det. Intet er ændret.",
                year=year,
                fund=fund.name,
            ),
            field=field_name,
        )


def _refuse_if_it_does_not_fit(
    fund: Fund, year: int, amount: Decimal, available: Decimal | None = None
) -> None:
    """Refuse ``amount`` if it is more than is available (on the ledger, or ``available``:
    what a preview reckons will be left when its turn comes). A year not open yet (the year
    after next, nothing allocated to it ahead) says so, rather than that 0 kr. are left."""
    if year > last_openable_year() and allocated(fund.id, year) == ZERO:
        raise InsufficientFunds(
            _(
                "Budgetåret %(year)s er ikke åbnet endnu: %(fund)s får sin bevilling for "
                "%(year)s 1. januar %(opens)s. Sagen kan først bevilges derefter, og intet er "
                "ændret.",
                year=year,
                fund=fund.name,
                opens=year - 1,
            ),
            field="amount",
        )
    if available is None:
        available = balance(fund.id, year).available
    if amount > available:
        raise InsufficientFunds(
            _(
                "Der er kun %(available)s til rådighed på %(fund)s i %(year)s, så der kan ikke "
                "bevilges %(amount)s, og intet er ændret.",
                available=money(available),
                fund=fund.name,
                year=year,
                amount=money(amount),
            ),
            field="amount",
        )


def set_allocation(
    fund: Fund, year: int, amount: Decimal | None, actor: User | None, note: str = ""
) -> BudgetEntry | None:
    """Set a fund's allocation for this year or next (the finance officer's plan): the
    difference is booked as an allocation entry, nothing is overwritten. Refused, changing
    nothing, for another year, a closed year, a negative amount, or a cut below what is
    granted. None if the amount is the allocation already."""
    if amount is None:
        raise DomainError(_("Skriv et beløb."), field="amount")
    amount = kroner(amount)
    if amount < ZERO:
        raise DomainError(_("Beløbet kan ikke være negativt."), field="amount")
    this_year = clock.today().year
    if year not in (this_year, this_year + 1):
        raise DomainError(
            _(
                "Kun bevillingen for %(this)s og %(next)s kan ændres.",
                this=this_year,
                next=this_year + 1,
            ),
            field="year",
        )
    lock_fund(fund)
    _refuse_if_closed(fund, year, field_name="year")
    open_year(fund, year, actor)
    change = amount - allocated(fund.id, year)
    if change == ZERO:
        return None
    if change < ZERO and balance(fund.id, year).available < -change:
        raise DomainError(
            _(
                "Bevillingen for %(year)s kan ikke sættes ned med %(amount)s: så meget er der "
                "ikke til rådighed. Intet er ændret.",
                year=year,
                amount=money(-change),
            ),
            field="amount",
        )
    return allocate(
        fund,
        year,
        change,
        actor,
        note=_note(note) or in_ledger_language(_l("Bevilling %(year)s ændret", year=year)),
    )


def _budget_year(application: Application) -> int:
    year = application.budget_year
    if year is None:
        raise DomainError(
            _("Sagen har ingen afrejsedato, så det er uvist, hvilket budgetår den hører til."),
            field="amount",
        )
    return year


def refuse_below_money_sent(application: Application, leaves: Decimal) -> None:
    """Refuse to lower a grant so that it leaves ``leaves`` to pay, when more than that is
    on its way to the recipient already (a payment batch sent to the finance system and not
    confirmed: ``signals.grant_lowering``). The finance system pays what it was sent; a
    grant lowered below it would free money that is being paid out. Once the payment is
    confirmed the grant can be lowered, and what was paid beyond it is claimed back."""
    send(grant_lowering, application, leaves=max(kroner(leaves), ZERO))


def check_reservation(application: Application, amount: Decimal) -> None:
    """Refuse what ``reserve`` would refuse, reserving nothing and taking no lock: for a
    decision shown before it is confirmed (the confirmation reserves, under the lock)."""
    year = _budget_year(application)
    _refuse_if_closed(application.fund, year)
    _refuse_if_it_does_not_fit(application.fund, year, _positive(amount))


def reserve(application: Application, amount: Decimal, actor: User | None) -> BudgetEntry:
    """Reserve a grant on the fund's budget for the year of travel, or refuse it whole."""
    amount = _positive(amount)
    year = _budget_year(application)
    lock_fund(application.fund)
    _refuse_if_closed(application.fund, year)
    _refuse_if_it_does_not_fit(application.fund, year, amount)
    return append(
        application.fund_id,
        year,
        EntryKind.RESERVATION,
        amount,
        actor,
        application_id=application.id,
    )


def _grant_of(application: Application) -> ApplicationMoney:
    """The application's grant on the ledger, read under the fund's lock."""
    lock_fund(application.fund)
    figures = application_money(application)
    if figures is None:
        raise DomainError(_("Sagen har ingen bevilling på budgettet."))
    return figures


def _note(reason: str) -> str:
    return (reason or "").strip()


def adjust(
    application: Application, new_amount: Decimal, actor: User | None, reason: str
) -> BudgetEntry | None:
    """Change a grant to ``new_amount`` (an ADJUSTMENT of the difference). An increase must
    fit in what is available, or nothing changes. Returns None if the amount is unchanged.
    The caller updates the case (its granted amount, journal and letter)."""
    if new_amount is None:
        raise DomainError(_("Skriv det nye bevilgede beløb."), field="amount")
    new_amount = kroner(new_amount)
    if new_amount < ZERO:
        raise DomainError(_("Beløbet kan ikke være negativt."), field="amount")
    grant = _grant_of(application)
    change = new_amount - grant.granted
    if change == ZERO:
        return None
    if new_amount < grant.spent:
        raise DomainError(
            _(
                "Bevillingen kan ikke sættes under det, der allerede er udbetalt (%(spent)s).",
                spent=money(grant.spent),
            ),
            field="amount",
        )
    if change > ZERO:
        _refuse_if_closed(application.fund, grant.year)
        _refuse_if_it_does_not_fit(application.fund, grant.year, change)
    else:
        refuse_below_money_sent(application, new_amount - grant.spent)
    entry = append(
        application.fund_id,
        grant.year,
        EntryKind.ADJUSTMENT,
        change,
        actor,
        application_id=application.id,
        note=_note(reason),
    )
    if change < ZERO:
        carry_on_if_closed(application.fund, grant.year, actor)
    return entry


def check_regrant(application: Application, new_amount: Decimal) -> None:
    """Refuse what ``regrant`` would refuse, changing nothing and taking no lock: for a
    reconsidered decision shown before it is confirmed."""
    planned = planned_movement(application, new_amount, reconsidered=True)
    if planned is not None:
        check_fits(application, *planned)


def planned_movement(
    application: Application, granted: Decimal, *, reconsidered: bool
) -> tuple[int, Decimal] | None:
    """The budget year a decision granting ``granted`` would move, and by how much: the
    grant reserved (``reserve``), or for a reconsidered decision the difference from the
    grant held (``regrant``: negative when it is lowered or refused). None if it moves
    nothing (a refusal). Refuses, changing nothing, what the movement would refuse whatever
    went before it: no budget year, or the year closed to a raise."""
    granted = kroner(granted)
    if reconsidered:
        held = application_money(application)
        change = granted - (held.granted if held is not None else ZERO)
        if change == ZERO:
            return None
        year = held.year if held is not None else _budget_year(application)
    elif granted > ZERO:
        change, year = granted, _budget_year(application)
    else:
        return None
    if change > ZERO:
        _refuse_if_closed(application.fund, year)
    return year, change


def check_fits(
    application: Application, year: int, change: Decimal, available: Decimal | None = None
) -> None:
    """Refuse, with the words of ``reserve`` and ``regrant``, a raise of ``change`` that is
    more than is available: on the ledger now, or ``available`` (what a preview of several
    decisions reckons will be left when this one's turn comes)."""
    if change > ZERO:
        _refuse_if_it_does_not_fit(application.fund, year, change, available)


def regrant(
    application: Application, new_amount: Decimal, actor: User | None, reason: str
) -> BudgetEntry | None:
    """A reconsidered decision (genoptagelse): the grant becomes ``new_amount`` and the
    ledger moves by exactly the difference (an ADJUSTMENT up or down; a RESERVATION if the
    case held nothing, as after a refusal). A raise must fit in what is available, or
    nothing changes. None if the amount is the same."""
    note = _note(reason) or in_ledger_language(_l("Ny afgørelse efter genoptagelse"))
    lock_fund(application.fund)
    if application_money(application) is None:
        return reserve(application, new_amount, actor) if kroner(new_amount) > ZERO else None
    return adjust(application, new_amount, actor, note)


def release(
    application: Application, amount: Decimal, actor: User | None, reason: str
) -> BudgetEntry:
    """Give back to the fund what a grant will not use (withdrawn, cancelled, underspent):
    a negative RELEASE of at most what is granted and not paid."""
    amount = _positive(amount)
    grant = _grant_of(application)
    _refuse_more_than(
        amount,
        grant.committed,
        lambda most: _(
            "Der kan højst frigives %(most)s: det bevilgede, som ikke er udbetalt.", most=most
        ),
    )
    refuse_below_money_sent(application, grant.committed - amount)
    entry = append(
        application.fund_id,
        grant.year,
        EntryKind.RELEASE,
        -amount,
        actor,
        application_id=application.id,
        note=_note(reason),
    )
    carry_on_if_closed(application.fund, grant.year, actor)
    return entry


def _refuse_more_than(amount: Decimal, most: Decimal, at_most: Callable[[str], str]) -> None:
    """A release, payment or refund is never more than the grant leaves for it (``most``);
    ``at_most(most)`` says so, with ``most`` as money (never below 0 kr.)."""
    if amount > most:
        raise DomainError(at_most(money(max(most, ZERO))), field="amount")


def _check_day(day: dt.date | None, field_name: str) -> dt.date:
    if day is None:
        raise DomainError(_("Skriv datoen."), field=field_name)
    if day > clock.today():
        raise DomainError(_("Datoen kan ikke ligge i fremtiden."), field=field_name)
    return day


def _first_booked(application: Application, kind: EntryKind) -> dt.date | None:
    return db.session.scalar(
        select(func.min(BudgetEntry.booked_on)).where(
            BudgetEntry.application_id == application.id, BudgetEntry.kind == kind
        )
    )


def _decided_on(application: Application) -> dt.date | None:
    """The day the grant was first decided, in Copenhagen: the decision's day, or the first
    reservation's if that was earlier (a reconsidered decision moves ``decided_at`` on).
    None for a case with no decision recorded."""
    moment = application.decided_at
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands it back naive, in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    day = moment.astimezone(clock.LOCAL).date()
    reserved = _first_booked(application, EntryKind.RESERVATION)
    return min(day, reserved) if reserved is not None else day


def _refuse_before(day: dt.date, earliest: dt.date | None, message: str, field_name: str) -> None:
    if earliest is not None and day < earliest:
        raise DomainError(message, field=field_name)


def record_payment(
    application: Application,
    amount: Decimal,
    actor: User | None,
    paid_on: dt.date,
    voucher: str = "",
) -> BudgetEntry:
    """A payment of the grant (udbetaling), booked on the day it was paid; never more in
    all than is granted."""
    amount = _positive(amount)
    paid_on = _check_day(paid_on, "paid_on")
    grant = _grant_of(application)
    decided_on = _decided_on(application)
    if decided_on is not None:
        # A grant is paid after it is decided; in January last year's date is easily typed.
        _refuse_before(
            paid_on,
            decided_on,
            _(
                "Udbetalingen kan ikke være sket før afgørelsen den %(date)s.",
                date=long_date(decided_on),
            ),
            "paid_on",
        )
    note = ""
    if is_closed(application.fund_id, grant.year):
        # Allowed: the money was committed in its year and stayed there when it closed.
        note = in_ledger_language(
            _l("Udbetaling af en bevilling fra det lukkede budgetår %(year)s", year=grant.year)
        )
    _refuse_more_than(
        amount,
        grant.committed,
        lambda most: _(
            "Der kan højst udbetales %(most)s: det bevilgede minus det allerede udbetalte.",
            most=most,
        ),
    )
    return append(
        application.fund_id,
        grant.year,
        EntryKind.PAYMENT,
        amount,
        actor,
        application_id=application.id,
        booked_on=paid_on,
        voucher=(voucher or "").strip()[:60],
        note=note,
    )


def record_refund(
    application: Application,
    amount: Decimal,
    actor: User | None,
    refunded_on: dt.date,
    voucher: str = "",
) -> BudgetEntry:
    """Money paid back (tilbagebetaling), booked on the day it came in: a negative REFUND
    of at most what was paid. Release the refunded amount too if the grant is reduced."""
    amount = _positive(amount)
    refunded_on = _check_day(refunded_on, "refunded_on")
    grant = _grant_of(application)
    first_paid = _first_booked(application, EntryKind.PAYMENT)
    if first_paid is not None:
        # Money comes back after it went out.
        _refuse_before(
            refunded_on,
            first_paid,
            _(
                "Tilbagebetalingen kan ikke være modtaget før udbetalingen den %(date)s.",
                date=long_date(first_paid),
            ),
            "refunded_on",
        )
    _refuse_more_than(
        amount,
        grant.spent,
        lambda most: _("Der kan højst tilbagebetales %(most)s: det, der er udbetalt.", most=most),
    )
    note = ""
    if is_closed(application.fund_id, grant.year):
        note = in_ledger_language(
            _l(
                "Tilbagebetaling til det lukkede budgetår %(year)s; føres videre som ved lukningen",
                year=grant.year,
            )
        )
    entry = append(
        application.fund_id,
        grant.year,
        EntryKind.REFUND,
        -amount,
        actor,
        application_id=application.id,
        booked_on=refunded_on,
        voucher=(voucher or "").strip()[:60],
        note=note,
    )
    carry_on_if_closed(application.fund, grant.year, actor)
    return entry
