"""A fund's year in figures, every one a sum of ledger entries: the balance, month by month,
and one grant's own figures."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)

from grants.budgets.ledger import as_kroner
from grants.budgets.models import (
    GRANTED_KINDS,
    SPENT_KINDS,
    BudgetEntry,
    BudgetGrant,
    BudgetTotal,
    BudgetWaiting,
    EntryKind,
    YearOpening,
)
from grants.budgets.opening import open_years
from grants.budgets.waiting import Waiting, without
from grants.core.money import ZERO, Money
from grants.extensions import db

if TYPE_CHECKING:
    from grants.cases.models import Application

AsOf = dt.date | dt.datetime | None


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
    """Balances of several funds and years, in one query (``_figures``).

    ``as_of`` a date: the entries booked on or before that day (``BudgetEntry.booked_on``),
    e.g. the balance at a month's end. ``as_of`` a datetime: the ledger as it stood at that
    moment (entries recorded by then), e.g. what a decider saw. A naive datetime is UTC.
    """
    return _balances(list(fund_ids), list(years), as_of)[0]


def balances_and_waiting(
    fund_ids: Iterable[int], year: int, excluding: Application | None = None
) -> tuple[dict[tuple[int, int], Balance], dict[int, Waiting]]:
    """The balances now of the funds' ``year`` and the applications waiting for a decision
    in it (``waiting.waiting``, without ``excluding``): the same one statement as
    ``balances``, the running totals of the waiting applications a part of its UNION ALL
    (the budgets page and the decision preview need both)."""
    fund_ids = list(fund_ids)
    figures, found = _balances(fund_ids, [year], None, waiting_year=year)
    return figures, without(found, fund_ids, year, excluding)


def _balances(
    fund_ids: list[int], years: list[int], as_of: AsOf, waiting_year: int | None = None
) -> tuple[dict[tuple[int, int], Balance], dict[int, Waiting]]:
    rows = _figures(fund_ids, years, as_of, waiting_year)
    if as_of is None:
        # Any page or decision in a year sees the year's allocation: opened on first use,
        # and then read again (the query says which of the years are open already).
        opened = {(f, y) for f, y, kind, _total in rows if kind == _OPENED}
        if len(opened) < len(set(fund_ids)) * len(set(years)) and open_years(fund_ids, years):
            rows = _figures(fund_ids, years, as_of, waiting_year)
    sums: dict[tuple[int, int], dict[str, Decimal]] = {}
    refunds: dict[tuple[int, int], Decimal] = {}
    counts: dict[int, int] = {}
    amounts: dict[int, Decimal] = {}
    for fund_id, year, kind, total in rows:
        if kind == _AWAITING_REFUND:
            refunds[fund_id, year] = as_kroner(total)
        elif kind == _WAITING_COUNT:
            # The column is the first part's (Money: øre to kroner); a count is no money.
            counts[fund_id] = (
                int(total.scaleb(2)) if isinstance(total, Decimal) else int(total or 0)
            )
        elif kind == _WAITING_AMOUNT:
            amounts[fund_id] = as_kroner(total)
        elif kind != _OPENED:
            # The kind's text is its key: EntryKind is a StrEnum, equal to its value.
            sums.setdefault((fund_id, year), {})[kind] = as_kroner(total)
    figures = {
        (f, y): _balance_of(sums.get((f, y), {}), refunds.get((f, y), ZERO))
        for f in fund_ids
        for y in years
    }
    return figures, {f: Waiting(counts[f], amounts.get(f, ZERO)) for f in counts}


# The rows of ``_figures`` that are not a kind of entry.
_AWAITING_REFUND = "awaiting_refund"
_OPENED = "opened"
_WAITING_COUNT = "waiting_count"
_WAITING_AMOUNT = "waiting_amount"


def _figures(
    fund_ids: list[int], years: list[int], as_of: AsOf, waiting_year: int | None = None
) -> list[tuple[int, int, str, Any]]:
    """(fund, year, kind, sum) per kind of entry, (fund, year, "awaiting_refund", sum) and,
    for the balance now, (fund, year, "opened", 0) for each year opened: one statement (a
    UNION ALL) instead of three. Sums in øre (the first part's type, Money, makes them
    kroner). With ``waiting_year``, also (fund, year, "waiting_count", applications) and
    (fund, year, "waiting_amount", amount) from the running totals ``BudgetWaiting``.

    The balance now (every page that shows one) runs a statement made once, with the funds
    and years as parameters: building the UNION ALL and working out its cache key was a
    tenth of the budgets page's CPU time."""
    if as_of is None:
        waiting = waiting_year is not None
        statement, parameters = _kept_figures(fund_ids, years, waiting)
        if waiting:
            parameters["waiting_year"] = waiting_year
        rows = _read(statement, parameters)
    else:
        rows = db.session.execute(_figures_statement(fund_ids, years, as_of, None)).all()
    # (All rows at once: iterating the result fetches them one by one, ~4 calls each.)
    return [(f, y, kind, total) for f, y, kind, total in rows]


def _read(statement: Any, parameters: dict[str, Any]) -> Sequence[Any]:
    """The rows of a kept statement through Core's execution (the session's connection, its
    transaction): plain rows, without the ORM's round of execution and loading (~0.05-0.1
    ms of CPU a statement on the budgets page). What is pending is flushed first, as the
    session's own execute would (autoflush): the years just opened, say."""
    db.session.flush()
    return db.session.connection().execute(statement, parameters).all()


# The statements of the balance now, without and with the waiting applications, by the
# number of funds and of years they take.
_KEPT_FIGURES: dict[tuple[int, int, bool], Any] = {}
# Up to so many funds and years, a statement is kept for the number asked (a parameter for
# each); beyond, one statement with SQLAlchemy's expanding parameters serves any number.
KEPT_UP_TO = 64


def _kept_figures(
    fund_ids: list[int], years: list[int], waiting: bool
) -> tuple[Any, dict[str, Any]]:
    """``_figures``'s statement of the balance now and its parameters. The funds and years
    are a parameter each, in a statement kept for their number: SQLAlchemy writes an
    expanding parameter (``IN`` a list) into the SQL text anew on every execution, eight
    times in this UNION ALL (~0.15 ms of CPU on the budgets page)."""
    if len(fund_ids) > KEPT_UP_TO or len(years) > KEPT_UP_TO:
        key = (-1, -1, waiting)
        funds: Any = bindparam("fund_ids", expanding=True)
        in_years: Any = bindparam("years", expanding=True)
        parameters: dict[str, Any] = {"fund_ids": fund_ids, "years": years}
    else:
        key = (len(fund_ids), len(years), waiting)
        funds = _each("fund", len(fund_ids))
        in_years = _each("year", len(years))
        parameters = _named("fund", fund_ids) | _named("year", years)
    statement = _KEPT_FIGURES.get(key)
    if statement is None:
        statement = _KEPT_FIGURES[key] = _figures_statement(
            funds, in_years, None, bindparam("waiting_year", type_=Integer) if waiting else None
        )
    return statement, parameters


def _each(name: str, count: int) -> list[BindParameter[int]]:
    """A parameter for each of ``count`` values (``name_0``, ``name_1``, ...)."""
    return [bindparam(f"{name}_{i}", type_=Integer) for i in range(count)]


def _named(name: str, values: list[int]) -> dict[str, int]:
    return {f"{name}_{i}": value for i, value in enumerate(values)}


def _figures_statement(fund_ids: Any, years: Any, as_of: AsOf, waiting_year: Any) -> Any:
    """``_figures``'s UNION ALL; the funds and years a list each or an expanding parameter."""
    # Now: the running totals (a row per month and kind); as of a past day or moment: the
    # entries themselves.
    source = BudgetTotal if as_of is None else BudgetEntry
    by_kind = (
        select(
            source.fund_id,
            source.year,
            type_coerce(source.kind, String).label("kind"),
            func.coalesce(func.sum(source.amount), 0).label("total"),
        )
        .where(source.fund_id.in_(fund_ids), source.year.in_(years))
        .group_by(source.fund_id, source.year, source.kind)
    )
    if as_of is not None:
        by_kind = by_kind.where(_as_of(as_of))
    refunds: Any
    if as_of is None:
        # Now: the grants' running figures, the few paid beyond their grant (a partial index).
        refunds = (
            select(
                BudgetGrant.fund_id,
                BudgetGrant.year,
                literal(_AWAITING_REFUND, String),
                func.sum(BudgetGrant.spent - BudgetGrant.granted),
            )
            .where(
                BudgetGrant.fund_id.in_(fund_ids),
                BudgetGrant.year.in_(years),
                BudgetGrant.releases > 0,
                BudgetGrant.spent > BudgetGrant.granted,
            )
            .group_by(BudgetGrant.fund_id, BudgetGrant.year)
        )
    else:
        positions = _positions_query(fund_ids, years, as_of, money=False).subquery()
        refunds = (
            select(
                positions.c.fund_id,
                positions.c.year,
                literal(_AWAITING_REFUND, String),
                func.sum(positions.c.spent - positions.c.granted),
            )
            .where(positions.c.spent > positions.c.granted)
            .group_by(positions.c.fund_id, positions.c.year)
        )
    parts = [by_kind, refunds]
    if as_of is None:
        parts.append(
            select(
                YearOpening.fund_id, YearOpening.year, literal(_OPENED, String), literal(0)
            ).where(YearOpening.fund_id.in_(fund_ids), YearOpening.year.in_(years))
        )
    if waiting_year is not None:
        here = (BudgetWaiting.fund_id.in_(fund_ids), BudgetWaiting.year == waiting_year)
        parts.append(
            select(
                BudgetWaiting.fund_id,
                BudgetWaiting.year,
                literal(_WAITING_COUNT, String),
                type_coerce(BudgetWaiting.applications, BigInteger),
            ).where(*here)
        )
        parts.append(
            select(
                BudgetWaiting.fund_id,
                BudgetWaiting.year,
                literal(_WAITING_AMOUNT, String),
                type_coerce(BudgetWaiting.amount, BigInteger),
            ).where(*here)
        )
    return union_all(*parts)


def _sum_of(kinds: Iterable[EntryKind], money: bool = True) -> ColumnElement[Any]:
    total = func.coalesce(
        func.sum(case((BudgetEntry.kind.in_(list(kinds)), BudgetEntry.amount), else_=0)), 0
    )
    return type_coerce(total, Money) if money else total


def grant_positions(
    fund_ids: Iterable[int], years: Iterable[int], as_of: AsOf = None
) -> Sequence[Row[int, int, int | None, Decimal, Decimal]]:
    """Per grant (application) in these funds' years whose grant was ever lowered: (fund,
    year, application, granted, spent). A grant can only be paid beyond what it is granted
    after a release (a settlement lowers it below what was paid), so only those are read."""
    return db.session.execute(_positions_query(fund_ids, years, as_of)).all()


def _positions_query(
    fund_ids: Iterable[int], years: Iterable[int], as_of: AsOf, money: bool = True
) -> Select[Any]:
    """``grant_positions``'s query; ``money=False``: the sums in øre, as stored. The funds
    and years may be expanding parameters (``_figures``)."""
    if not isinstance(fund_ids, BindParameter):
        fund_ids = list(fund_ids)
    if not isinstance(years, BindParameter):
        years = list(years)
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
            _sum_of(GRANTED_KINDS, money).label("granted"),
            _sum_of(SPENT_KINDS, money).label("spent"),
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
    return query


def _balance_of(by_kind: dict[str, Decimal], awaiting_refund: Decimal = ZERO) -> Balance:
    """The balance of the sums by kind of entry (an EntryKind or its text: the same key)."""

    # Summed in place, from ZERO as sum() starts: no function and list for each of the six
    # sums (the budgets page makes ~25 balances).
    get = by_kind.get
    return Balance(
        allocated=ZERO + get(EntryKind.ALLOCATION, ZERO),
        carried_in=ZERO + get(EntryKind.CARRY_OVER_IN, ZERO),
        carried_out=-(ZERO + get(EntryKind.CARRY_OVER_OUT, ZERO)),
        lapsed=-(ZERO + get(EntryKind.LAPSE, ZERO)),
        granted=sum([get(kind, ZERO) for kind in GRANTED_KINDS], ZERO),
        spent=sum([get(kind, ZERO) for kind in SPENT_KINDS], ZERO),
        awaiting_refund=awaiting_refund,
    )


def _as_of(as_of: dt.date | dt.datetime) -> ColumnElement[bool]:
    if isinstance(as_of, dt.datetime):
        # created_at is stored in UTC (SQLite keeps the UTC wall time without a zone).
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=dt.UTC)
        return BudgetEntry.created_at <= as_of.astimezone(dt.UTC)
    return BudgetEntry.booked_on <= as_of


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
    fund_ids = list(fund_ids)
    parameters: dict[str, Any] = {"year": year}
    if len(fund_ids) > KEPT_UP_TO:
        statement = _month_totals_statement(None)
        parameters["fund_ids"] = fund_ids
    else:
        statement = _month_totals_statement(len(fund_ids))
        parameters.update(_named("fund", fund_ids))
    rows = _read(statement, parameters)
    by_month: dict[int, dict[str, Decimal]] = {}
    for booked_in, month, kind, total in rows:
        booked_in, month = int(booked_in), int(month)
        month = 1 if booked_in < year else 12 if booked_in > year else month
        amounts = by_month.setdefault(month, {})
        amounts[kind] = amounts.get(kind, ZERO) + as_kroner(total)
    running: dict[str, Decimal] = {}
    months = []
    for month in range(1, 13):
        for kind_of, amount in by_month.get(month, {}).items():
            running[kind_of] = running.get(kind_of, ZERO) + amount
        figures = _balance_of(running)
        months.append(
            MonthFigures(month, figures.budget, figures.granted, figures.spent, figures.moved_on)
        )
    return months


# Made once for each number of funds (None: any number, an expanding parameter), the funds
# and the year parameters (as ``_KEPT_FIGURES``): building it and working out its cache key
# on every request cost more than its rows.
@functools.cache
def _month_totals_statement(funds: int | None) -> Select[int, int, EntryKind, Decimal]:
    return (
        select(
            BudgetTotal.booked_year,
            BudgetTotal.booked_month,
            BudgetTotal.kind,
            func.sum(BudgetTotal.amount),
        )
        .where(
            BudgetTotal.fund_id.in_(
                bindparam("fund_ids", expanding=True) if funds is None else _each("fund", funds)
            ),
            BudgetTotal.year == bindparam("year"),
        )
        .group_by(BudgetTotal.booked_year, BudgetTotal.booked_month, BudgetTotal.kind)
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


def application_money(application: Application) -> ApplicationMoney | None:
    """What the ledger holds for one application; None if nothing was ever reserved."""
    rows = db.session.execute(
        select(BudgetEntry.year, BudgetEntry.kind, func.sum(BudgetEntry.amount))
        .where(BudgetEntry.application_id == application.id)
        .group_by(BudgetEntry.year, BudgetEntry.kind)
    ).all()
    if not rows:
        return None
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    years = set()
    for year, kind, total in rows:
        by_kind[EntryKind(kind)] += as_kroner(total)
        if EntryKind(kind) is EntryKind.RESERVATION:
            years.add(year)
    year = min(years) if years else min(row[0] for row in rows)
    figures = _balance_of(by_kind)
    return ApplicationMoney(year=year, granted=figures.granted, spent=figures.spent)


def allocated(fund_id: int, year: int) -> Decimal:
    """The year's allocation alone (bevilling, the allocation entries), under no lock."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(BudgetEntry.amount), 0)).where(
            BudgetEntry.fund_id == fund_id,
            BudgetEntry.year == year,
            BudgetEntry.kind == EntryKind.ALLOCATION,
        )
    )
    return as_kroner(total)
