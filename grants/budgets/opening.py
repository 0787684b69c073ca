"""Opening a budget year: the fund's allocation is booked once, on first use or ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grants.budgets.ledger import append, in_ledger_language
from grants.budgets.models import BudgetEntry, EntryKind, YearClosing, YearOpening
from grants.core import clock
from grants.core.commit import keep_writes
from grants.core.errors import DomainError
from grants.core.models import dialect_insert
from grants.core.money import kroner
from grants.extensions import db

if TYPE_CHECKING:
    from grants.funds.models import Fund
    from grants.people.models import User


def allocate(
    fund: Fund,
    year: int,
    amount: Decimal,
    actor: User | None = None,
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
    return append(
        fund.id, year, EntryKind.ALLOCATION, amount, actor, note=note, booked_on=booked_on
    )


def last_openable_year() -> int:
    """Years open up to next year: this year's allocation when the year begins, next year's
    ahead (the finance officer plans it, ``set_allocation``)."""
    return clock.today().year + 1


def _insert_openings(
    pairs: list[tuple[int, int]], actor: User | None = None
) -> list[tuple[int, int]]:
    """Record these (fund, year) as opened; return those this call opened. An INSERT ... ON
    CONFLICT DO NOTHING: a year another request opened first (or is opening now: the insert
    waits for it) is left alone, so a year's allocation is booked once, whatever runs at
    the same time on however many servers."""
    if not pairs:
        return []
    at, by = clock.now(), actor.id if actor else None
    statement = (
        dialect_insert(db.session.get_bind(), YearOpening)
        .values([dict(fund_id=f, year=y, opened_at=at, opened_by_id=by) for f, y in pairs])
        .on_conflict_do_nothing(index_elements=["fund_id", "year"])
        .returning(YearOpening.fund_id, YearOpening.year)
    )
    return [(f, y) for f, y in db.session.execute(statement)]


def _open(
    funds_and_years: Sequence[tuple[Fund, int]],
    actor: User | None = None,
    amounts: Mapping[tuple[int, int], Decimal] | None = None,
) -> int:
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
                note=in_ledger_language(_l("Bevilling %(year)s", year=year)),
            )
    db.session.flush()
    keep_writes()  # a page that opened a year commits it
    return len(opened)


def open_years(fund_ids: Iterable[int], years: Iterable[int], actor: User | None = None) -> int:
    """Open every year of these that is due and not open yet, for the active funds among
    these: years up to next year (``last_openable_year``), from the year the fund was made,
    not closed. Two queries when all is open already (the usual case)."""
    from grants.funds.models import Fund

    fund_ids = list(fund_ids)
    years = [y for y in set(years) if 2000 <= y <= last_openable_year()]
    if not fund_ids or not years:
        return 0
    done = _pairs_in(YearOpening, fund_ids, years)
    if len(done) == len(fund_ids) * len(years):
        return 0
    closed = _pairs_in(YearClosing, fund_ids, years)
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


def _pairs_in(model: type[Any], fund_ids: list[int], years: list[int]) -> set[tuple[int, int]]:
    """The (fund, year) pairs of these that have a row in ``model`` (opened, closed)."""
    return set(
        db.session.execute(
            select(model.fund_id, model.year).where(
                model.fund_id.in_(fund_ids), model.year.in_(years)
            )
        ).all()
    )


def _first_year(fund: Fund) -> int:
    created = fund.created_at or clock.now()
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return created.astimezone(clock.LOCAL).year


def open_year(
    fund: Fund, year: int, actor: User | None = None, amount: Decimal | None = None
) -> bool:
    """Open one fund's year now (a new fund, a year planned ahead); True if this call
    opened it. ``amount``: the allocation, if not the fund's yearly budget."""
    amounts = {(fund.id, year): amount} if amount is not None else None
    return _open([(fund, year)], actor, amounts) == 1


def open_year_for_all(year: int, actor: User | None = None) -> int:
    """``flask budgets open-year``: open ``year`` for every active fund."""
    from grants.funds.models import Fund

    if not 2000 <= year <= last_openable_year():
        raise DomainError(
            _("Kun år til og med %(last)s kan åbnes.", last=last_openable_year()), field="year"
        )
    ids = list(db.session.scalars(select(Fund.id).where(Fund.active)))
    return open_years(ids, [year], actor)
