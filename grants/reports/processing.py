"""The processing times counted as they happen (``ProcessingDays``): how many cases took so
many calendar days, per measure, fund and year, kept in the same flush as every change of
an application or a trip report (grants.core.running), made again from the cases by
``rebuild``, and read by the budgets dashboard and its export (grants.reports.timing).

A day is a calendar day in the municipality's time zone (sagsbehandlingstid i kalenderdage):
the days between the local date of the start and that of the end, never below 0.

What moves a count: an application's submission, decision (a reconsideration that decides
again moves it to its new day and year), fund, or deletion; a report's submission and
approval (a report returned after approval leaves the count), or deletion. The settlement
counts under the case's fund, so a case moved to another fund takes its settlement along.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    Date,
    Integer,
    Select,
    Table,
    bindparam,
    extract,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from grants.budgets import timing as budget_timing
from grants.cases.models import Application
from grants.core import clock
from grants.core.running import Values, add_to, follow
from grants.extensions import db
from grants.reports.models import ProcessingDays, TripReport

DECISION = budget_timing.DECISION
SETTLEMENT = budget_timing.SETTLEMENT
APPLICATION_FIELDS = ("id", "fund_id", "submitted_at", "decided_at")
REPORT_FIELDS = ("application_id", "submitted_at", "approved_at")

# (year, days) a time counts under; with the fund, where it is counted.
Counted = tuple[int, int]
Place = tuple[int | None, Counted | None]


def local_day(moment: dt.datetime) -> dt.date:
    """The moment's date in the municipality (SQLite hands back naive datetimes, in UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL).date()


def calendar_days(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    """The calendar days from ``start`` to ``end``, local dates; None if either is missing."""
    if start is None or end is None:
        return None
    return max((local_day(end) - local_day(start)).days, 0)


def calendar_days_in_sql(start: ColumnElement[Any], end: ColumnElement[Any]) -> ColumnElement[int]:
    """``calendar_days`` worked out by PostgreSQL (its time zones): the local date of ``end``
    less that of ``start``, never below 0."""
    zone = str(clock.LOCAL)
    return func.greatest(
        sql_cast(func.timezone(zone, end), Date) - sql_cast(func.timezone(zone, start), Date), 0
    )


def calendar_days_each(
    moments: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[int]:
    """``calendar_days`` of each (start, end) pair, both present, in one call: a fund's ~4,000
    decisions of a year (the applicant's status tracker) at three Python calls a pair came
    to more than the rest of the applicant's case page."""
    local = clock.LOCAL
    found = []
    for start, end in moments:
        if start.tzinfo is None:  # SQLite hands back naive datetimes, in UTC
            start = start.replace(tzinfo=dt.UTC)
        if end.tzinfo is None:
            end = end.replace(tzinfo=dt.UTC)
        days = (end.astimezone(local).date() - start.astimezone(local).date()).days
        found.append(days if days > 0 else 0)
    return found


def counted_as(start: dt.datetime | None, end: dt.datetime | None) -> Counted | None:
    """(year of the end, days) a time counts under, or None while it has no end."""
    days = calendar_days(start, end)
    if days is None or end is None:
        return None
    return local_day(end).year, days


def _count(connection: Connection, measure: str, place: Place, cases: int) -> None:
    fund_id, counted = place
    if fund_id is None or counted is None:
        return
    year, days = counted
    add_to(
        connection,
        ProcessingDays,
        {"year": year, "fund_id": fund_id, "measure": measure, "days": days},
        {"cases": cases},
    )


def _move(connection: Connection, measure: str, old: Place, new: Place) -> None:
    if old != new:
        _count(connection, measure, old, -1)
        _count(connection, measure, new, 1)


def _keep_application(connection: Connection, before: Values | None, after: Values | None) -> None:
    """An application written: its decision's count moves; so does its report's settlement
    when the case leaves its fund (or goes), read from the report's row as it stands."""
    nothing: Place = (None, None)
    old_fund = before[1] if before is not None else None
    new_fund = after[1] if after is not None else None
    _move(
        connection,
        DECISION,
        (old_fund, counted_as(before[2], before[3])) if before is not None else nothing,
        (new_fund, counted_as(after[2], after[3])) if after is not None else nothing,
    )
    if before is None or old_fund == new_fund:
        return  # a new case has no report yet
    report = connection.execute(
        select(TripReport.submitted_at, TripReport.approved_at).where(
            TripReport.application_id == before[0]
        )
    ).first()
    if report is not None:
        counted = counted_as(report.submitted_at, report.approved_at)
        _move(connection, SETTLEMENT, (old_fund, counted), (new_fund, counted))


def _fund_of(connection: Connection, application_id: int | None) -> int | None:
    if application_id is None:
        return None
    return connection.scalar(select(Application.fund_id).where(Application.id == application_id))


def _keep_report(connection: Connection, before: Values | None, after: Values | None) -> None:
    """A report written: its settlement's count moves, under the case's fund as the database
    has it now (a case changed in the same flush is written before its report)."""
    old_case, old = (before[0], counted_as(before[1], before[2])) if before else (None, None)
    new_case, new = (after[0], counted_as(after[1], after[2])) if after else (None, None)
    if (old_case, old) == (new_case, new) or (old is None and new is None):
        return  # nothing counted moves: no need to look up the fund
    old_fund = _fund_of(connection, old_case) if old is not None else None
    new_fund = old_fund if new_case == old_case and old is not None else None
    if new is not None and new_fund is None:
        new_fund = _fund_of(connection, new_case)
    _move(connection, SETTLEMENT, (old_fund, old), (new_fund, new))


def register_processing_listeners() -> None:
    """Keep ``ProcessingDays`` with every insert, change and delete of an application and of
    a trip report, in the same flush."""
    follow(Application, APPLICATION_FIELDS, _keep_application, "processing_days.application")
    follow(TripReport, REPORT_FIELDS, _keep_report, "processing_days.report")


# -- made again from the cases ---------------------------------------------------------------


def _times() -> Any:
    """(measure, fund, started, ended) of every time with an end, both measures."""
    return union_all(
        select(
            literal(DECISION).label("measure"),
            Application.fund_id.label("fund_id"),
            Application.submitted_at.label("started"),
            Application.decided_at.label("ended"),
        ).where(Application.submitted_at.is_not(None), Application.decided_at.is_not(None)),
        select(
            literal(SETTLEMENT).label("measure"),
            Application.fund_id.label("fund_id"),
            TripReport.submitted_at.label("started"),
            TripReport.approved_at.label("ended"),
        )
        .join(TripReport, TripReport.application_id == Application.id)
        .where(TripReport.submitted_at.is_not(None), TripReport.approved_at.is_not(None)),
    ).subquery()


@budget_timing.kept_by
def rebuild() -> None:
    """``ProcessingDays`` again from the applications and the reports. On PostgreSQL one
    INSERT ... SELECT (the days in SQL, as the migration's backfill works them out); on
    SQLite, which knows no time zones, the days worked out here."""
    db.session.execute(cast(Table, ProcessingDays.__table__).delete())
    times = _times()
    columns = ["year", "fund_id", "measure", "days", "cases"]
    if db.session.get_bind().dialect.name == "postgresql":
        year = sql_cast(extract("year", func.timezone(str(clock.LOCAL), times.c.ended)), Integer)
        days = calendar_days_in_sql(times.c.started, times.c.ended)
        db.session.execute(
            insert(ProcessingDays).from_select(
                columns,
                select(year, times.c.fund_id, times.c.measure, days, func.count()).group_by(
                    year, times.c.fund_id, times.c.measure, days
                ),
            )
        )
        return
    counts: Counter[tuple[int, int, str, int]] = Counter()
    for measure, fund_id, started, ended in db.session.execute(select(times)):
        counted = counted_as(started, ended)
        if counted is not None:
            counts[counted[0], fund_id, measure, counted[1]] += 1
    if counts:
        db.session.execute(
            insert(ProcessingDays),
            [dict(zip(columns, (*key, cases), strict=True)) for key, cases in counts.items()],
        )


def counts(
    fund_ids: list[int] | None, year: int | None
) -> dict[tuple[int, int], dict[str, list[tuple[int, int]]]]:
    """{(fund, year): {measure: [(days, cases), ...]}}: one small query."""
    # Core's execution (the session's connection, its transaction): plain rows, without
    # the ORM's loading, which costs a Python call for each of them. What is pending is
    # flushed first, as the session's own execute would (autoflush).
    db.session.flush()
    rows = (
        db.session.connection()
        .execute(
            _counts_statement(_funds_asked(fund_ids), year is not None),
            _funds_named(fund_ids) | {"year": year},
        )
        .all()
    )
    found: dict[tuple[int, int], dict[str, list[tuple[int, int]]]] = {}
    # In the order of the unique index, a group at a time: a few hundred rows on the
    # budgets page, each not worth a Python call of its own.
    for (fund_id, in_year, measure), group in groupby(rows, _GROUP):
        found.setdefault((fund_id, in_year), {})[measure] = [
            (days, cases) for _f, _y, _m, days, cases in group
        ]
    return found


_GROUP = itemgetter(0, 1, 2)


# Up to so many funds, the statement is kept for their number, a parameter for each:
# SQLAlchemy writes an expanding parameter (``IN`` a list) into the SQL text anew on every
# execution. Beyond, one statement with the expanding parameter serves any number.
KEPT_UP_TO = 64


def _funds_asked(fund_ids: list[int] | None) -> int | None:
    """How ``_counts_statement`` asks for the funds: None all, -1 any number (expanding),
    else their number."""
    if fund_ids is None:
        return None
    return len(fund_ids) if len(fund_ids) <= KEPT_UP_TO else -1


def _funds_named(fund_ids: list[int] | None) -> dict[str, Any]:
    if fund_ids is None:
        return {}
    if len(fund_ids) > KEPT_UP_TO:
        return {"fund_ids": fund_ids}
    return {f"fund_{i}": fund_id for i, fund_id in enumerate(fund_ids)}


# Made once for each way of asking, the funds and the year parameters: building the
# statement and working out its cache key anew cost more than reading its rows.
@functools.cache
def _counts_statement(funds: int | None, by_year: bool) -> Select[int, int, str, int, int]:
    key = (ProcessingDays.fund_id, ProcessingDays.year, ProcessingDays.measure)
    query = (
        select(*key, ProcessingDays.days, ProcessingDays.cases)
        .where(ProcessingDays.cases > 0)
        .order_by(*key, ProcessingDays.days)
    )
    if funds == -1:
        query = query.where(ProcessingDays.fund_id.in_(bindparam("fund_ids", expanding=True)))
    elif funds is not None:
        each = [bindparam(f"fund_{i}", type_=Integer) for i in range(funds)]
        query = query.where(ProcessingDays.fund_id.in_(each))
    if by_year:
        query = query.where(ProcessingDays.year == bindparam("year"))
    return query
