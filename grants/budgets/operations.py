"""Money movements and the figures made from them.

Every function that moves money appends entries; none edits one; none commits (the request,
or the command, does). The signs of the entries are in ``grants.budgets.models``.

Every movement first takes the fund's lock (``lock_fund``): a row lock on PostgreSQL, the
database's write lock on SQLite, held until the transaction ends. The checks that follow
("does it fit?", "is more paid than granted?") therefore read what the previous movement
left behind, however many server processes there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, g, has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, extract, func, or_, select, text, type_coerce, update
from sqlalchemy.exc import OperationalError

from grants.budgets.models import (
    GRANTED_KINDS,
    NOT_WAITING_STATES,
    SPENT_KINDS,
    BudgetEntry,
    BudgetEvent,
    BudgetTotal,
    BudgetWaiting,
    ClosingOutcome,
    EntryKind,
    YearClosing,
    YearOpening,
    waiting_key,
)
from grants.core import clock
from grants.core.errors import DomainError
from grants.core.formatting import money
from grants.core.models import Municipality
from grants.core.money import ZERO, Money, kroner
from grants.extensions import db

# An application waits for a decision once submitted and until it has an outcome (or is
# withdrawn): this holds whatever states a route adds after the decision.


AsOf = dt.date | dt.datetime | None


class InsufficientFunds(DomainError):
    pass


class BudgetBusy(DomainError):
    """The fund's lock could not be had in time; nothing was changed."""


class YearClosed(DomainError):
    pass


# -- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """A fund's year in the budget vocabulary. Every figure is a sum of ledger entries and
    means what its label says in every state (open, closed, between a settlement and its
    refund); none is netted with another. Amounts that left the year (carried out, lapsed)
    are positive."""

    allocated: Decimal = ZERO  # bevilling: the year's own allocation
    carried_in: Decimal = ZERO  # overført fra sidste år
    carried_out: Decimal = ZERO  # overført til næste år
    lapsed: Decimal = ZERO  # bortfaldet
    granted: Decimal = ZERO  # reserved by decisions, net of adjustments and releases
    spent: Decimal = ZERO  # forbrug: paid out, net of refunds
    # Paid beyond what is now granted (a settlement lowered the grant), until refunded.
    awaiting_refund: Decimal = ZERO

    @property
    def budget(self) -> Decimal:
        """The year's money: its allocation and what was carried in."""
        return self.allocated + self.carried_in

    @property
    def carried_over(self) -> Decimal:
        """Carried in minus carried out (kept for the exports' arithmetic; not shown)."""
        return self.carried_in - self.carried_out

    @property
    def moved_on(self) -> Decimal:
        """What left the year: carried out and lapsed."""
        return self.carried_out + self.lapsed

    @property
    def committed(self) -> Decimal:
        """disponeret: per grant, granted and not yet paid; never below 0."""
        return self.granted - self.spent + self.awaiting_refund

    @property
    def available(self) -> Decimal:
        """disponibel: what new grants may still use (0 once the year is closed)."""
        return self.budget - self.moved_on - self.committed - self.spent


def balance(fund_id: int, year: int, as_of: AsOf = None) -> Balance:
    return balances([fund_id], [year], as_of)[fund_id, year]


def balances(
    fund_ids: Iterable[int], years: Iterable[int], as_of: AsOf = None
) -> dict[tuple[int, int], Balance]:
    """Balances of several funds and years, in two queries.

    ``as_of`` a date: the entries booked on or before that day (``BudgetEntry.booked_on``),
    e.g. the balance at a month's end. ``as_of`` a datetime: the ledger as it stood at that
    moment (entries recorded by then), e.g. what a decider saw. A naive datetime is UTC.
    """
    fund_ids, years = list(fund_ids), list(years)
    if as_of is None:
        # Any page or decision in a year sees the year's allocation: open it on first use.
        open_years(fund_ids, years)
    # Now: the running totals (a row per month and kind); as of a past day or moment: the
    # entries themselves.
    source = BudgetTotal if as_of is None else BudgetEntry
    query = (
        select(source.fund_id, source.year, source.kind, func.coalesce(func.sum(source.amount), 0))
        .where(source.fund_id.in_(fund_ids), source.year.in_(years))
        .group_by(source.fund_id, source.year, source.kind)
    )
    if as_of is not None:
        query = query.where(_as_of(as_of))
    sums: dict[tuple[int, int], dict[EntryKind, Decimal]] = {}
    for fund_id, year, kind, total in db.session.execute(query):
        sums.setdefault((fund_id, year), {})[EntryKind(kind)] = _as_kroner(total)
    refunds = _awaiting_refund(fund_ids, years, as_of)
    return {
        (f, y): _balance_of(sums.get((f, y), {}), refunds.get((f, y), ZERO))
        for f in fund_ids
        for y in years
    }


def _sum_of(kinds):
    return type_coerce(
        func.coalesce(
            func.sum(case((BudgetEntry.kind.in_(list(kinds)), BudgetEntry.amount), else_=0)), 0
        ),
        Money,
    )


def grant_positions(fund_ids, years, as_of: AsOf = None):
    """Per grant (application) in these funds' years whose grant was ever lowered: (fund,
    year, application, granted, spent). A grant can only be paid beyond what it is granted
    after a release (a settlement lowers it below what was paid), so only those are read."""
    fund_ids, years = list(fund_ids), list(years)
    lowered = select(BudgetEntry.application_id).where(
        BudgetEntry.fund_id.in_(fund_ids),
        BudgetEntry.year.in_(years),
        BudgetEntry.kind == EntryKind.RELEASE,
    )
    query = (
        select(
            BudgetEntry.fund_id,
            BudgetEntry.year,
            BudgetEntry.application_id,
            _sum_of(GRANTED_KINDS),
            _sum_of(SPENT_KINDS),
        )
        .where(
            BudgetEntry.fund_id.in_(fund_ids),
            BudgetEntry.year.in_(years),
            BudgetEntry.application_id.in_(lowered),
        )
        .group_by(BudgetEntry.fund_id, BudgetEntry.year, BudgetEntry.application_id)
    )
    if as_of is not None:
        query = query.where(_as_of(as_of))
    return db.session.execute(query).all()


def _awaiting_refund(fund_ids, years, as_of: AsOf = None) -> dict[tuple[int, int], Decimal]:
    found: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for fund_id, year, _application, granted, spent in grant_positions(fund_ids, years, as_of):
        if spent > granted:
            found[fund_id, year] += spent - granted
    return found


def _balance_of(by_kind: dict[EntryKind, Decimal], awaiting_refund: Decimal = ZERO) -> Balance:
    def total(kinds) -> Decimal:
        return sum((by_kind.get(kind, ZERO) for kind in kinds), ZERO)

    return Balance(
        allocated=total((EntryKind.ALLOCATION,)),
        carried_in=total((EntryKind.CARRY_OVER_IN,)),
        carried_out=-total((EntryKind.CARRY_OVER_OUT,)),
        lapsed=-total((EntryKind.LAPSE,)),
        granted=total(GRANTED_KINDS),
        spent=total(SPENT_KINDS),
        awaiting_refund=awaiting_refund,
    )


def _as_of(as_of: dt.date | dt.datetime):
    if isinstance(as_of, dt.datetime):
        # created_at is stored in UTC (SQLite keeps the UTC wall time without a zone).
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=dt.UTC)
        return BudgetEntry.created_at <= as_of.astimezone(dt.UTC)
    return BudgetEntry.booked_on <= as_of


def _as_kroner(total) -> Decimal:
    # SUM over the Money column comes back converted; a bare 0 from COALESCE does not.
    return kroner(total) if isinstance(total, Decimal) else kroner(Decimal(int(total)) / 100)


@dataclass(frozen=True)
class MonthFigures:
    """A fund's (or several funds') year at the end of one month, cumulative."""

    month: int  # 1-12
    budget: Decimal
    granted: Decimal
    spent: Decimal
    moved_on: Decimal = ZERO  # carried out and lapsed

    @property
    def committed(self) -> Decimal:
        """Granted and not paid, never below 0 (money paid beyond a lowered grant, until it
        is refunded, is not committed; the month's figures net it with the other grants)."""
        return max(self.granted - self.spent, ZERO)

    @property
    def available(self) -> Decimal:
        return self.budget - self.moved_on - self.committed - self.spent


def month_by_month(fund_ids: Iterable[int], year: int) -> list[MonthFigures]:
    """The budget year of these funds together, at the end of each month, in one query.

    Entries booked before the year began count from January (an allocation made in the
    autumn, a reservation for next year's trip); entries booked after it ended (a late
    refund) count in December, so December shows the year's balance, as the tables do.
    """
    rows = db.session.execute(
        select(
            BudgetTotal.booked_year,
            BudgetTotal.booked_month,
            BudgetTotal.kind,
            func.sum(BudgetTotal.amount),
        )
        .where(BudgetTotal.fund_id.in_(list(fund_ids)), BudgetTotal.year == year)
        .group_by(BudgetTotal.booked_year, BudgetTotal.booked_month, BudgetTotal.kind)
    ).all()
    by_month: dict[int, dict[EntryKind, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for booked_in, month, kind, total in rows:
        booked_in, month = int(booked_in), int(month)
        month = 1 if booked_in < year else 12 if booked_in > year else month
        by_month[month][EntryKind(kind)] += _as_kroner(total)
    running: dict[EntryKind, Decimal] = defaultdict(lambda: ZERO)
    months = []
    for month in range(1, 13):
        for kind, amount in by_month.get(month, {}).items():
            running[kind] += amount
        figures = _balance_of(running)
        months.append(
            MonthFigures(month, figures.budget, figures.granted, figures.spent, figures.moved_on)
        )
    return months


@dataclass(frozen=True)
class Waiting:
    """Applications waiting for a decision: how many, and how much they apply for."""

    count: int = 0
    amount: Decimal = ZERO


def waiting_conditions(fund_ids: Iterable[int], year: int):
    """The condition for applications in these funds, travelling in ``year``, that are
    submitted and not yet decided (ansøgt, ikke afgjort)."""
    from grants.applications.models import Application

    return [
        Application.fund_id.in_(list(fund_ids)),
        or_(
            Application.budget_year_moved_to == year,
            and_(
                Application.budget_year_moved_to.is_(None),
                Application.departure_date >= dt.date(year, 1, 1),
                Application.departure_date <= dt.date(year, 12, 31),
            ),
        ),
        Application.state.not_in(NOT_WAITING_STATES),
        Application.outcome.is_(None),
    ]


def waiting(fund_ids: Iterable[int], year: int, excluding=None) -> dict[int, Waiting]:
    """Per fund: applications for ``year`` waiting for a decision, read from the running
    totals (``BudgetWaiting``) in one query; without the application ``excluding`` when it
    is one of them."""
    fund_ids = list(fund_ids)
    rows = db.session.execute(
        select(BudgetWaiting.fund_id, BudgetWaiting.applications, BudgetWaiting.amount).where(
            BudgetWaiting.fund_id.in_(fund_ids), BudgetWaiting.year == year
        )
    ).all()
    found = {fund_id: Waiting(count, amount) for fund_id, count, amount in rows}
    if excluding is not None and waiting_key(
        excluding.fund_id,
        excluding.departure_date,
        excluding.state,
        excluding.outcome,
        excluding.budget_year_moved_to,
    ) == (excluding.fund_id, year):
        own = found.get(excluding.fund_id, Waiting())
        found[excluding.fund_id] = Waiting(
            own.count - 1, own.amount - kroner(excluding.amount_applied or 0)
        )
    return {fund_id: found.get(fund_id, Waiting()) for fund_id in fund_ids}


@dataclass(frozen=True)
class DecisionPreview:
    """What a full grant of the application does to its fund's year, before deciding."""

    fund_code: str
    fund_name: str
    year: int
    amount: Decimal  # applied for
    available_now: Decimal
    waiting_count: int  # other applications for the fund and year, not yet decided
    waiting_amount: Decimal

    @property
    def available_after(self) -> Decimal:
        return self.available_now - self.amount

    @property
    def fits(self) -> bool:
        return self.available_after >= ZERO

    @property
    def available_after_queue(self) -> Decimal:
        """If this one and every waiting one were granted in full."""
        return self.available_after - self.waiting_amount


def decision_preview(application) -> DecisionPreview | None:
    """Available now, available after a full grant, and the queue for the fund and year.
    None when the application has no year of travel yet."""
    year = application.budget_year
    if year is None:
        return None
    queue = waiting([application.fund_id], year, excluding=application)[application.fund_id]
    return DecisionPreview(
        fund_code=application.fund.code,
        fund_name=application.fund.name,
        year=year,
        amount=kroner(application.amount_applied),
        available_now=balance(application.fund_id, year).available,
        waiting_count=queue.count,
        waiting_amount=queue.amount,
    )


@dataclass(frozen=True)
class ApplicationMoney:
    """A grant's own figures on the ledger."""

    year: int
    granted: Decimal
    spent: Decimal

    @property
    def committed(self) -> Decimal:
        return self.granted - self.spent


def application_money(application) -> ApplicationMoney | None:
    """What the ledger holds for one application; None if nothing was ever reserved."""
    rows = db.session.execute(
        select(BudgetEntry.year, BudgetEntry.kind, func.sum(BudgetEntry.amount))
        .where(BudgetEntry.application_id == application.id)
        .group_by(BudgetEntry.year, BudgetEntry.kind)
    ).all()
    if not rows:
        return None
    by_kind: dict[EntryKind, Decimal] = defaultdict(lambda: ZERO)
    years = set()
    for year, kind, total in rows:
        by_kind[EntryKind(kind)] += _as_kroner(total)
        if EntryKind(kind) is EntryKind.RESERVATION:
            years.add(year)
    year = min(years) if years else min(row[0] for row in rows)
    figures = _balance_of(by_kind)
    return ApplicationMoney(year=year, granted=figures.granted, spent=figures.spent)


# -- the lock --------------------------------------------------------------------------------


def lock_fund(fund) -> None:
    """Take the fund's write lock until the transaction ends.

    An UPDATE takes a row lock on PostgreSQL and the database's write lock on SQLite, so a
    second decider waits here and then reads the balance the first one left behind. Nothing
    is held in Python's memory, so this holds across server processes. A decider who waits
    longer than BUDGET_LOCK_TIMEOUT seconds (config.py; 30) gets BudgetBusy, a clear refusal
    that changes nothing, instead of a server error.
    """
    from grants.funds.models import Fund

    timeout_ms = int(float(current_app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)
    dialect = db.session.get_bind().dialect.name
    try:
        if dialect == "postgresql":
            db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        elif dialect == "sqlite":
            # pysqlite's own default is 5 s: too short behind a decision that renders a PDF.
            db.session.execute(text(f"PRAGMA busy_timeout = {timeout_ms}"))
        db.session.execute(
            update(Fund)
            .where(Fund.id == fund.id)
            # updated_at kept: a movement of money is not an edit of the fund
            .values(ledger_version=Fund.ledger_version + 1, updated_at=Fund.updated_at)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as error:
        if _is_lock_timeout(error):
            raise BudgetBusy(
                _("Budgettet er optaget af en anden afgørelse lige nu. Prøv igen.")
            ) from error
        raise


def _is_lock_timeout(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)


# -- movements -----------------------------------------------------------------------------


#: The ledger is the municipality's accounts: the notes the app writes into it are Danish,
#: whichever language the person who took the step reads (an entry is never rewritten, so
#: a note in the actor's language would stay in it for good).
LEDGER_LANGUAGE = "da"


def _in_ledger_language(message) -> str:
    """A lazy message (``_l``) in the ledger's language."""
    with force_locale(LEDGER_LANGUAGE):
        return str(message)


def _append(fund_id: int, year: int, kind: EntryKind, amount: Decimal, actor, **values):
    values.setdefault("booked_on", clock.today())  # the day it happens, not the day of flush
    entry = BudgetEntry(
        fund_id=fund_id,
        year=year,
        kind=kind,
        amount=kroner(amount),
        created_by_id=actor.id if actor else None,
        created_at=clock.now(),
        **values,
    )
    db.session.add(entry)
    return entry


def _positive(amount, field_name: str = "amount") -> Decimal:
    if amount is None:
        raise DomainError(_("Skriv et beløb."), field=field_name)
    amount = kroner(amount)
    if amount <= ZERO:
        raise DomainError(_("Beløbet skal være større end 0 kr."), field=field_name)
    return amount


def _refuse_if_closed(fund, year: int, field_name: str = "amount") -> None:
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


def _refuse_if_it_does_not_fit(fund, year: int, amount: Decimal) -> None:
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


def allocate(
    fund,
    year: int,
    amount: Decimal,
    actor=None,
    note: str = "",
    booked_on: dt.date | None = None,
) -> BudgetEntry:
    """The year's allocation (bevilling); a negative amount corrects it.

    The year's budget counts from 1 January of the year, however early or late in it it is
    recorded (recorded after the year, it counts from that day). Pass ``booked_on`` for an
    allocation that counts from a given day, e.g. a supplementary one (tillægsbevilling).
    """
    if booked_on is None:
        first, today = dt.date(year, 1, 1), clock.today()
        booked_on = first if today.year <= year else today
    return _append(
        fund.id, year, EntryKind.ALLOCATION, amount, actor, note=note, booked_on=booked_on
    )


# -- opening a year ---------------------------------------------------------------------------


def last_openable_year() -> int:
    """Years open up to next year: this year's allocation when the year begins, next year's
    ahead (the finance officer plans it, ``set_allocation``)."""
    return clock.today().year + 1


def _insert_openings(pairs: list[tuple[int, int]], actor=None) -> list[tuple[int, int]]:
    """Record these (fund, year) as opened; return those this call opened. An INSERT ... ON
    CONFLICT DO NOTHING: a year another request opened first (or is opening now: the insert
    waits for it) is left alone, so a year's allocation is booked once, whatever runs at
    the same time on however many servers."""
    if not pairs:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    at, by = clock.now(), actor.id if actor else None
    statement = (
        insert(YearOpening)
        .values([dict(fund_id=f, year=y, opened_at=at, opened_by_id=by) for f, y in pairs])
        .on_conflict_do_nothing(index_elements=["fund_id", "year"])
        .returning(YearOpening.fund_id, YearOpening.year)
    )
    return [(f, y) for f, y in db.session.execute(statement)]


def _open(funds_and_years: list[tuple[object, int]], actor=None, amounts=None) -> int:
    """Open these funds' years: book each one's allocation (the fund's yearly budget, or
    ``amounts[fund.id, year]``) unless the year has an allocation already (booked before
    years were opened). Returns how many years this call opened."""
    by_key = {(fund.id, year): fund for fund, year in funds_and_years}
    opened = _insert_openings(sorted(by_key), actor)
    if not opened:
        return 0
    fund_ids, years = {f for f, _y in opened}, {y for _f, y in opened}
    allocated = set(
        db.session.execute(
            select(BudgetEntry.fund_id, BudgetEntry.year)
            .where(
                BudgetEntry.fund_id.in_(fund_ids),
                BudgetEntry.year.in_(years),
                BudgetEntry.kind == EntryKind.ALLOCATION,
            )
            .distinct()
        ).all()
    )
    for key in opened:
        if key in allocated:
            continue
        fund, year = by_key[key], key[1]
        amount = kroner((amounts or {}).get(key, fund.yearly_budget) or 0)
        if amount:
            allocate(
                fund,
                year,
                amount,
                actor,
                note=_in_ledger_language(_l("Bevilling %(year)s", year=year)),
            )
    db.session.flush()
    if has_request_context():
        g.writes = True  # a page that opened a year commits it (grants.commit_once)
    return len(opened)


def open_years(fund_ids: Iterable[int], years: Iterable[int], actor=None) -> int:
    """Open every year of these that is due and not open yet, for the active funds among
    these: years up to next year (``last_openable_year``), from the year the fund was made,
    not closed. Two queries when all is open already (the usual case)."""
    from grants.funds.models import Fund

    fund_ids = list(fund_ids)
    years = [y for y in set(years) if 2000 <= y <= last_openable_year()]
    if not fund_ids or not years:
        return 0
    done = set(
        db.session.execute(
            select(YearOpening.fund_id, YearOpening.year).where(
                YearOpening.fund_id.in_(fund_ids), YearOpening.year.in_(years)
            )
        ).all()
    )
    if len(done) == len(fund_ids) * len(years):
        return 0
    closed = set(
        db.session.execute(
            select(YearClosing.fund_id, YearClosing.year).where(
                YearClosing.fund_id.in_(fund_ids), YearClosing.year.in_(years)
            )
        ).all()
    )
    funds = db.session.scalars(select(Fund).where(Fund.id.in_(fund_ids), Fund.active)).all()
    due = [
        (fund, year)
        for fund in funds
        for year in years
        if (fund.id, year) not in done
        and (fund.id, year) not in closed
        and year >= _first_year(fund)
    ]
    return _open(due, actor)


def _first_year(fund) -> int:
    created = fund.created_at or clock.now()
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return created.astimezone(clock.LOCAL).year


def open_year(fund, year: int, actor=None, amount: Decimal | None = None) -> bool:
    """Open one fund's year now (a new fund, a year planned ahead); True if this call
    opened it. ``amount``: the allocation, if not the fund's yearly budget."""
    amounts = {(fund.id, year): amount} if amount is not None else None
    return _open([(fund, year)], actor, amounts) == 1


def open_year_for_all(year: int, actor=None) -> int:
    """``flask budgets open-year``: open ``year`` for every active fund."""
    from grants.funds.models import Fund

    if not 2000 <= year <= last_openable_year():
        raise DomainError(
            _("Kun år til og med %(last)s kan åbnes.", last=last_openable_year()), field="year"
        )
    ids = list(db.session.scalars(select(Fund.id).where(Fund.active)))
    return open_years(ids, [year], actor)


def allocated(fund_id: int, year: int) -> Decimal:
    """The year's allocation alone (bevilling, the allocation entries), under no lock."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(BudgetEntry.amount), 0)).where(
            BudgetEntry.fund_id == fund_id,
            BudgetEntry.year == year,
            BudgetEntry.kind == EntryKind.ALLOCATION,
        )
    )
    return _as_kroner(total)


def set_allocation(fund, year: int, amount, actor, note: str = "") -> BudgetEntry | None:
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
        note=_note(note) or _in_ledger_language(_l("Bevilling %(year)s ændret", year=year)),
    )


def _budget_year(application) -> int:
    year = application.budget_year
    if year is None:
        raise DomainError(
            _("Sagen har ingen afrejsedato, så det er uvist, hvilket budgetår den hører til."),
            field="amount",
        )
    return year


def check_reservation(application, amount: Decimal) -> None:
    """Refuse what ``reserve`` would refuse, reserving nothing and taking no lock: for a
    decision shown before it is confirmed (the confirmation reserves, under the lock)."""
    year = _budget_year(application)
    _refuse_if_closed(application.fund, year)
    _refuse_if_it_does_not_fit(application.fund, year, _positive(amount))


def reserve(application, amount: Decimal, actor) -> BudgetEntry:
    """Reserve a grant on the fund's budget for the year of travel, or refuse it whole."""
    amount = _positive(amount)
    year = _budget_year(application)
    lock_fund(application.fund)
    _refuse_if_closed(application.fund, year)
    _refuse_if_it_does_not_fit(application.fund, year, amount)
    return _append(
        application.fund_id,
        year,
        EntryKind.RESERVATION,
        amount,
        actor,
        application_id=application.id,
    )


def _grant_of(application) -> ApplicationMoney:
    """The application's grant on the ledger, read under the fund's lock."""
    lock_fund(application.fund)
    figures = application_money(application)
    if figures is None:
        raise DomainError(_("Sagen har ingen bevilling på budgettet."))
    return figures


def _note(reason: str) -> str:
    return (reason or "").strip()


def adjust(application, new_amount: Decimal, actor, reason: str) -> BudgetEntry | None:
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
    entry = _append(
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


def release(application, amount: Decimal, actor, reason: str) -> BudgetEntry:
    """Give back to the fund what a grant will not use (withdrawn, cancelled, underspent):
    a negative RELEASE of at most what is granted and not paid."""
    amount = _positive(amount)
    grant = _grant_of(application)
    if amount > grant.committed:
        raise DomainError(
            _(
                "Der kan højst frigives %(most)s: det bevilgede, som ikke er udbetalt.",
                most=money(max(grant.committed, ZERO)),
            ),
            field="amount",
        )
    entry = _append(
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


def _check_day(day: dt.date | None, field_name: str) -> dt.date:
    if day is None:
        raise DomainError(_("Skriv datoen."), field=field_name)
    if day > clock.today():
        raise DomainError(_("Datoen kan ikke ligge i fremtiden."), field=field_name)
    return day


def record_payment(
    application, amount: Decimal, actor, paid_on: dt.date, voucher: str = ""
) -> BudgetEntry:
    """A payment of the grant (udbetaling), booked on the day it was paid; never more in
    all than is granted."""
    amount = _positive(amount)
    paid_on = _check_day(paid_on, "paid_on")
    grant = _grant_of(application)
    note = ""
    if _is_closed(application.fund_id, grant.year):
        # Allowed: the money was committed in its year and stayed there when it closed.
        note = _in_ledger_language(
            _l("Udbetaling af en bevilling fra det lukkede budgetår %(year)s", year=grant.year)
        )
    if grant.spent + amount > grant.granted:
        raise DomainError(
            _(
                "Der kan højst udbetales %(most)s: det bevilgede minus det allerede udbetalte.",
                most=money(max(grant.committed, ZERO)),
            ),
            field="amount",
        )
    return _append(
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
    application, amount: Decimal, actor, refunded_on: dt.date, voucher: str = ""
) -> BudgetEntry:
    """Money paid back (tilbagebetaling), booked on the day it came in: a negative REFUND
    of at most what was paid. Release the refunded amount too if the grant is reduced."""
    amount = _positive(amount)
    refunded_on = _check_day(refunded_on, "refunded_on")
    grant = _grant_of(application)
    if amount > grant.spent:
        raise DomainError(
            _(
                "Der kan højst tilbagebetales %(most)s: det, der er udbetalt.",
                most=money(max(grant.spent, ZERO)),
            ),
            field="amount",
        )
    note = ""
    if _is_closed(application.fund_id, grant.year):
        note = _in_ledger_language(
            _l(
                "Tilbagebetaling til det lukkede budgetår %(year)s; føres videre som ved lukningen",
                year=grant.year,
            )
        )
    entry = _append(
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


# -- closing a year ------------------------------------------------------------------------


@dataclass(frozen=True)
class ElectionPeriod:
    """A municipal election period (valgperiode), first and last year included."""

    first: int
    last: int

    def __contains__(self, year: int) -> bool:
        return self.first <= year <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def election_period(year: int, rhythm: tuple[int, int] | None = None) -> ElectionPeriod:
    """The election period ``year`` belongs to, by the municipality's election rhythm
    (``Municipality.election_first_year`` and ``election_period_years``; Danish: four-year
    periods from 2022). ``rhythm`` (first year, length) saves the lookup in a loop."""
    start, length = rhythm or Municipality.election_rhythm()
    first = start + (year - start) // length * length
    return ElectionPeriod(first, first + length - 1)


@dataclass(frozen=True)
class ClosingStep:
    """What closing the year does, or did, for one fund."""

    fund_id: int
    fund_code: str
    fund_name: str
    carry_over_policy: str
    year: int
    amount: Decimal  # available at the end of the year
    outcome: ClosingOutcome
    already_closed: bool = False

    @property
    def carried_to(self) -> int | None:
        return self.year + 1 if self.outcome is ClosingOutcome.CARRIED else None


@dataclass(frozen=True)
class ClosingPlan:
    year: int
    period: ElectionPeriod
    dry_run: bool
    steps: list[ClosingStep] = field(default_factory=list)
    # Applications for the year not yet decided, and what the finance officer chose for
    # them: WAITING_MOVE (to next year's budget) or WAITING_CLOSE (close anyway).
    waiting: list = field(default_factory=list)
    waiting_choice: str | None = None
    moved: dict = field(default_factory=dict)  # application id -> the year moved to

    @property
    def to_close(self) -> list[ClosingStep]:
        return [step for step in self.steps if not step.already_closed]

    @property
    def changes_nothing(self) -> bool:
        return not self.to_close and not self.moved

    @property
    def waiting_amount(self) -> Decimal:
        return sum((kroner(a.amount_applied or 0) for a in self.waiting), ZERO)

    def total(self, outcome: ClosingOutcome) -> Decimal:
        return sum((s.amount for s in self.to_close if s.outcome == outcome), ZERO)


def closable_year(year: int) -> None:
    """Refuse a year that is not over yet, or is not a year."""
    if not 2000 <= year <= 2100:
        raise DomainError(_("Skriv et år mellem 2000 og 2100."), field="year")
    if year >= clock.today().year:
        raise DomainError(
            _("Budgetåret %(year)s er ikke slut endnu og kan ikke lukkes.", year=year),
            field="year",
        )


WAITING_MOVE = "move"  # the undecided applications go to next year's budget
WAITING_CLOSE = "close"  # close anyway: they stay in the closed year (only a refusal fits)
WAITING_CHOICES = (WAITING_MOVE, WAITING_CLOSE)


def close_year(
    year: int, actor=None, dry_run: bool = False, waiting: str | None = None
) -> ClosingPlan:
    """Close the budget year of every fund (årsafslutning) and return what it does.

    What is available at the year's end (budget - granted; money committed to grants not yet
    paid stays in its year) is carried over to next year if the fund's policy is
    ELECTION_PERIOD and next year is in the same election period: a CARRY_OVER_OUT booked on
    31 December and a CARRY_OVER_IN booked on 1 January. Otherwise it lapses, and no entry
    is written. Each fund's closing is recorded once (YearClosing, unique per fund and year)
    and the whole in the budgets' journal. A fund already closed is left as it is, so
    closing twice changes nothing. ``dry_run`` only returns the plan.

    The plan lists the applications for the year that wait for a decision. If there are
    any, closing needs ``waiting``: WAITING_MOVE moves them to the next open year of their
    fund (they are decided on its budget), WAITING_CLOSE closes anyway. Moving is possible
    after the year is closed too.
    """
    from grants.applications.models import Application
    from grants.funds.models import CarryOver, Fund

    closable_year(year)
    if waiting is not None and waiting not in WAITING_CHOICES:
        raise DomainError(_("Vælg en af mulighederne."), field="waiting")
    period = election_period(year)
    funds = db.session.scalars(select(Fund).order_by(Fund.id)).all()
    # Closings are never undone: if every fund is closed already, there is nothing to lock.
    if not dry_run and (len(closings(year)) < len(funds) or waiting == WAITING_MOVE):
        # In id order, so two finance officers closing at once queue instead of deadlocking.
        for fund in funds:
            lock_fund(fund)
    closed = {
        closing.fund_id: closing
        for closing in db.session.scalars(select(YearClosing).where(YearClosing.year == year))
    }
    figures = balances([fund.id for fund in funds], [year])
    steps = []
    for fund in funds:
        if fund.id in closed:
            previous = closed[fund.id]
            outcome, amount, already = previous.outcome, previous.amount, True
        else:
            amount = max(figures[fund.id, year].available, ZERO)
            if amount == ZERO:
                outcome = ClosingOutcome.NONE
            elif fund.carry_over is CarryOver.ELECTION_PERIOD and year + 1 in period:
                outcome = ClosingOutcome.CARRIED
            else:
                outcome = ClosingOutcome.LAPSED
            already = False
        steps.append(
            ClosingStep(
                fund_id=fund.id,
                fund_code=fund.code,
                fund_name=fund.name,
                carry_over_policy=fund.carry_over.value,
                year=year,
                amount=amount,
                outcome=outcome,
                already_closed=already,
            )
        )
    undecided = db.session.scalars(
        select(Application)
        .where(*waiting_conditions([fund.id for fund in funds], year))
        .order_by(Application.fund_id, Application.departure_date, Application.id)
    ).all()
    plan = ClosingPlan(
        year=year,
        period=period,
        dry_run=dry_run,
        steps=steps,
        waiting=list(undecided),
        waiting_choice=waiting,
    )
    if dry_run:
        return plan
    if plan.to_close and plan.waiting and waiting is None:
        raise DomainError(
            ngettext(
                "%(num)d ansøgning til %(year)s venter på afgørelse. Vælg, om den flyttes til "
                "næste års budget, eller om året lukkes alligevel.",
                "%(num)d ansøgninger til %(year)s venter på afgørelse. Vælg, om de flyttes til "
                "næste års budget, eller om året lukkes alligevel.",
                len(plan.waiting),
                year=year,
            ),
            field="waiting",
        )
    if waiting == WAITING_MOVE and plan.waiting:
        plan.moved.update(_move_to_next_year(plan.waiting, year, actor))
    if plan.to_close:
        _write_closing(plan, actor)
    elif plan.moved:
        _journal_moves(plan, actor)
    return plan


def _move_to_next_year(applications, year: int, actor) -> dict[int, int]:
    """Each application to the first year after ``year`` its fund has not closed, noted in
    the case's journal."""
    from grants.workflow import engine
    from grants.workflow.journal_texts import note as journal_note

    closed = set(
        db.session.execute(
            select(YearClosing.fund_id, YearClosing.year).where(YearClosing.year > year)
        ).all()
    )
    moved = {}
    for application in applications:
        target = year + 1
        while (application.fund_id, target) in closed:
            target += 1
        application.budget_year_moved_to = target
        moved[application.id] = target
        engine.record(
            application,
            "budget_year_moved",
            actor,
            details=journal_note("budget_year_moved", year=year, to=target),
            visible_to_applicant=False,
        )
    db.session.flush()
    return moved


def _journal_moves(plan: ClosingPlan, actor) -> None:
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="waiting_moved",
            year=plan.year,
            details=_moved_details(plan),
        )
    )
    db.session.flush()


def _moved_details(plan: ClosingPlan) -> dict:
    return {
        "year": plan.year,
        "waiting": plan.waiting_choice,
        "moved": [
            {"case": a.case_number or str(a.id), "to": plan.moved[a.id]}
            for a in plan.waiting
            if a.id in plan.moved
        ],
        "left": [a.case_number or str(a.id) for a in plan.waiting if a.id not in plan.moved],
    }


def _write_closing(plan: ClosingPlan, actor) -> None:
    year = plan.year
    for step in plan.to_close:
        db.session.add(
            YearClosing(
                fund_id=step.fund_id,
                year=year,
                outcome=step.outcome,
                amount=step.amount,
                closed_at=clock.now(),
                closed_by_id=actor.id if actor else None,
            )
        )
        if step.outcome is ClosingOutcome.LAPSED:
            _append(
                step.fund_id,
                year,
                EntryKind.LAPSE,
                -step.amount,
                actor,
                booked_on=dt.date(year, 12, 31),
                note=_in_ledger_language(_l("Bortfaldet ved lukning af %(year)s", year=year)),
            )
        if step.outcome is ClosingOutcome.CARRIED:
            note = _in_ledger_language(
                _l("Overført fra %(year)s til %(next)s", year=year, next=year + 1)
            )
            _append(
                step.fund_id,
                year,
                EntryKind.CARRY_OVER_OUT,
                -step.amount,
                actor,
                booked_on=dt.date(year, 12, 31),
                note=note,
            )
            _append(
                step.fund_id,
                year + 1,
                EntryKind.CARRY_OVER_IN,
                step.amount,
                actor,
                booked_on=dt.date(year + 1, 1, 1),
                note=note,
            )
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="year_closed",
            year=year,
            details={
                "year": year,
                "election_period": str(plan.period),
                "waiting_applications": _moved_details(plan),
                "funds": [
                    {
                        "fund": step.fund_code,
                        "outcome": step.outcome.value,
                        "amount": str(step.amount),
                    }
                    for step in plan.to_close
                ],
            },
        )
    )
    # Now, so the unique (fund, year) constraint backs up the check above at once.
    db.session.flush()
    # Money carried into a year that is closed already (years closed out of order) moves on
    # from there by the same rule, so nothing stays behind in a closed year.
    carried = [step.fund_id for step in plan.to_close if step.outcome is ClosingOutcome.CARRIED]
    if carried:
        from grants.funds.models import Fund

        for fund in db.session.scalars(select(Fund).where(Fund.id.in_(carried))):
            carry_on_if_closed(fund, year + 1, actor)


def carry_on_if_closed(fund, year: int, actor=None) -> Decimal:
    """Money that becomes available in a closed year (a release, a refund, a grant lowered,
    a carry-over into a year closed first) moves on by the closing's rule: to next year
    within the election period (and on from there if that year is closed too), else it
    lapses; as ledger entries booked today, and in the budgets' journal. Returns the amount
    moved. The caller holds the fund's lock."""
    from grants.funds.models import CarryOver

    if not _is_closed(fund.id, year):
        return ZERO
    db.session.flush()
    amount = balance(fund.id, year).available
    if amount <= ZERO:
        return ZERO
    today = clock.today()
    period = election_period(year)
    carries = fund.carry_over is CarryOver.ELECTION_PERIOD and year + 1 in period
    if carries:
        note = _in_ledger_language(
            _l(
                "Frigivet efter lukningen: overført fra %(year)s til %(next)s",
                year=year,
                next=year + 1,
            )
        )
        _append(fund.id, year, EntryKind.CARRY_OVER_OUT, -amount, actor, booked_on=today, note=note)
        _append(
            fund.id,
            year + 1,
            EntryKind.CARRY_OVER_IN,
            amount,
            actor,
            booked_on=max(today, dt.date(year + 1, 1, 1)),
            note=note,
        )
    else:
        _append(
            fund.id,
            year,
            EntryKind.LAPSE,
            -amount,
            actor,
            booked_on=today,
            note=_in_ledger_language(
                _l("Frigivet efter lukningen af %(year)s: bortfalder", year=year)
            ),
        )
    db.session.add(
        BudgetEvent(
            created_at=clock.now(),
            actor_id=actor.id if actor else None,
            action="carried_on" if carries else "lapsed_after_closing",
            year=year,
            details={
                "fund": fund.code,
                "year": year,
                "amount": str(amount),
                "to": year + 1 if carries else None,
                "election_period": str(period),
            },
        )
    )
    db.session.flush()
    if carries:
        carry_on_if_closed(fund, year + 1, actor)
    return amount


def closed_budget_year(application) -> int | None:
    """The budget year of the application's grant on the ledger, if that year is closed
    for its fund (a payment is still allowed there; a refund carries on from it)."""
    figures = application_money(application)
    if figures is None or not _is_closed(application.fund_id, figures.year):
        return None
    return figures.year


def _is_closed(fund_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            select(YearClosing.id).where(YearClosing.fund_id == fund_id, YearClosing.year == year)
        )
        is not None
    )


def closings(year: int) -> dict[int, YearClosing]:
    """The funds whose ``year`` is closed, by fund id."""
    return {
        closing.fund_id: closing
        for closing in db.session.scalars(select(YearClosing).where(YearClosing.year == year))
    }


def rebuild_totals() -> int:
    """Make the running totals again: ``BudgetTotal`` from the ledger's entries (returns its
    number of rows) and ``BudgetWaiting`` from the applications. For a database filled
    without the app (a bulk load), or to check them."""
    db.session.execute(BudgetTotal.__table__.delete())
    booked_year = extract("year", BudgetEntry.booked_on)
    booked_month = extract("month", BudgetEntry.booked_on)
    rows = db.session.execute(
        select(
            BudgetEntry.fund_id,
            BudgetEntry.year,
            booked_year,
            booked_month,
            BudgetEntry.kind,
            func.sum(BudgetEntry.amount),
            func.count(),
        ).group_by(
            BudgetEntry.fund_id, BudgetEntry.year, booked_year, booked_month, BudgetEntry.kind
        )
    ).all()
    for fund_id, year, in_year, in_month, kind, total, entries in rows:
        db.session.add(
            BudgetTotal(
                fund_id=fund_id,
                year=year,
                booked_year=int(in_year),
                booked_month=int(in_month),
                kind=EntryKind(kind),
                amount=_as_kroner(total),
                entries=entries,
            )
        )
    _rebuild_waiting()
    db.session.flush()
    return len(rows)


def _rebuild_waiting() -> None:
    """``BudgetWaiting`` again from the applications (``waiting_conditions`` for every fund
    and year)."""
    from grants.applications.models import Application

    db.session.execute(BudgetWaiting.__table__.delete())
    year = func.coalesce(
        Application.budget_year_moved_to, extract("year", Application.departure_date)
    )
    rows = db.session.execute(
        select(
            Application.fund_id,
            year,
            func.count(),
            func.coalesce(func.sum(Application.amount_applied), 0),
        )
        .where(
            Application.departure_date.is_not(None),
            Application.state.not_in(NOT_WAITING_STATES),
            Application.outcome.is_(None),
        )
        .group_by(Application.fund_id, year)
    ).all()
    for fund_id, in_year, count, total in rows:
        db.session.add(
            BudgetWaiting(
                fund_id=fund_id, year=int(in_year), applications=count, amount=_as_kroner(total)
            )
        )
