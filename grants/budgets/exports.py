"""Exports for the finance department: the ledger's entries and the grants, as CSV and XLSX.

CSV is for machines: comma-separated, full stop as decimal mark, ISO dates, UTF-8 with a
byte-order mark, a header row of fixed column names (not translated). XLSX is for people:
translated column titles, amounts as numbers ("#,##0.00") and dates as dates ("dd-mm-yyyy").
Both hold the same rows. See docs/budgets.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from grants.budgets.models import (
    ENTRY_KIND_LABELS,
    GRANTED_KINDS,
    SPENT_KINDS,
    BudgetEntry,
    EntryKind,
)
from grants.core import clock
from grants.core.input import without_control_characters
from grants.core.money import ZERO, kroner
from grants.core.spreadsheets import spreadsheet_text
from grants.extensions import db

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from grants.funds.models import Fund

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    title: object  # the XLSX header (a lazy string)
    kind: str = "text"  # text, int, money, date, datetime, days (one decimal)


@dataclass(frozen=True)
class ExportFilter:
    fund_id: int | None = None
    year: int | None = None  # budget year
    date_from: dt.date | None = None  # entries: booked on; grants: decided on
    date_to: dt.date | None = None


ENTRY_COLUMNS = [
    Column("entry_id", _l("Løbenr."), "int"),
    Column("booked_on", _l("Bogført"), "date"),
    Column("recorded_at", _l("Registreret"), "datetime"),
    Column("fund_code", _l("Puljekode")),
    Column("fund_name", _l("Pulje")),
    Column("budget_year", _l("Budgetår"), "int"),
    Column("kind", _l("Typekode")),
    Column("kind_label", _l("Type")),
    Column("amount", _l("Beløb (kr.)"), "money"),
    Column("case_number", _l("Sagsnr.")),
    Column("voucher", _l("Bilagsnr.")),
    Column("note", _l("Tekst")),
    Column("recorded_by", _l("Registreret af")),
]

GRANT_COLUMNS = [
    Column("case_number", _l("Sagsnr.")),
    Column("fund_code", _l("Puljekode")),
    Column("fund_name", _l("Pulje")),
    Column("budget_year", _l("Budgetår"), "int"),
    Column("applicant", _l("Ansøger")),
    Column("title", _l("Rejsens titel")),
    Column("destination", _l("Rejsemål")),
    Column("departure_date", _l("Afrejse"), "date"),
    Column("return_date", _l("Hjemkomst"), "date"),
    Column("decided_on", _l("Afgjort"), "date"),
    Column("outcome", _l("Afgørelse")),
    Column("amount_applied", _l("Ansøgt (kr.)"), "money"),
    Column("granted", _l("Bevilget (kr.)"), "money"),
    Column("spent", _l("Udbetalt (kr.)"), "money"),
    Column("committed", _l("Disponeret (kr.)"), "money"),
    Column("awaiting_refund", _l("Afventer tilbagebetaling (kr.)"), "money"),
]


# The time to decision per fund and year (grants.budgets.timing): days, one decimal.
TIME_COLUMNS = [
    Column("fund_code", _l("Puljekode")),
    Column("fund_name", _l("Pulje")),
    Column("year", _l("År"), "int"),
    Column("decisions", _l("Afgjorte sager"), "int"),
    Column("decision_median_days", _l("Dage til afgørelse, median"), "days"),
    Column("decision_p90_days", _l("Dage til afgørelse, 90. percentil"), "days"),
    Column("settlements", _l("Afregnede sager"), "int"),
    Column("settlement_median_days", _l("Dage fra rapport til afregning, median"), "days"),
    Column("settlement_p90_days", _l("Dage fra rapport til afregning, 90. percentil"), "days"),
]


def time_rows(flt: ExportFilter, funds: Sequence[Fund]) -> list[dict]:
    """One row per fund and year with a decision or a settlement in it (the year of the
    decision, of the settlement), in the funds' order, then the years'."""
    from grants.budgets import timing

    measured = timing.times([flt.fund_id] if flt.fund_id is not None else None, flt.year)
    by_id = {fund.id: fund for fund in funds}
    rows = []
    for (fund_id, year), spreads in sorted(
        measured.items(), key=lambda item: (by_id[item[0][0]].name, item[0][1])
    ):
        fund = by_id[fund_id]
        decision, settlement = spreads.get(timing.DECISION), spreads.get(timing.SETTLEMENT)
        rows.append(
            {
                "fund_code": fund.code,
                "fund_name": fund.name,
                "year": year,
                "decisions": decision.count if decision else 0,
                "decision_median_days": _days(decision.median) if decision else None,
                "decision_p90_days": _days(decision.p90) if decision else None,
                "settlements": settlement.count if settlement else 0,
                "settlement_median_days": _days(settlement.median) if settlement else None,
                "settlement_p90_days": _days(settlement.p90) if settlement else None,
            }
        )
    return rows


def _days(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.LOCAL)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.LOCAL).astimezone(dt.UTC)


def entry_rows(flt: ExportFilter) -> list[dict]:
    """The ledger's entries, oldest booking first."""
    from grants.cases.models import Application
    from grants.funds.models import Fund
    from grants.people.models import User

    query = (
        select(
            BudgetEntry.id,
            BudgetEntry.booked_on,
            BudgetEntry.created_at,
            Fund.code,
            Fund.name,
            BudgetEntry.year,
            BudgetEntry.kind,
            BudgetEntry.amount,
            Application.case_number,
            BudgetEntry.voucher,
            BudgetEntry.note,
            User.name,
        )
        .join(Fund, Fund.id == BudgetEntry.fund_id)
        .outerjoin(Application, Application.id == BudgetEntry.application_id)
        .outerjoin(User, User.id == BudgetEntry.created_by_id)
        .order_by(BudgetEntry.booked_on, BudgetEntry.id)
    )
    if flt.fund_id is not None:
        query = query.where(BudgetEntry.fund_id == flt.fund_id)
    if flt.year is not None:
        query = query.where(BudgetEntry.year == flt.year)
    if flt.date_from is not None:
        query = query.where(BudgetEntry.booked_on >= flt.date_from)
    if flt.date_to is not None:
        query = query.where(BudgetEntry.booked_on <= flt.date_to)
    rows = []
    for row in db.session.execute(query):
        kind = EntryKind(row[6])
        rows.append(
            {
                "entry_id": row[0],
                "booked_on": row[1],
                "recorded_at": _local(row[2]),
                "fund_code": row[3],
                "fund_name": row[4],
                "budget_year": row[5],
                "kind": kind.value,
                "kind_label": str(ENTRY_KIND_LABELS[kind]),
                "amount": kroner(row[7]),
                "case_number": row[8] or "",
                "voucher": row[9] or "",
                "note": row[10] or "",
                "recorded_by": row[11] or "",
            }
        )
    return rows


def grant_rows(flt: ExportFilter) -> list[dict]:
    """The grants: one row per decided application with money on the ledger, its figures
    summed from the ledger (so they add up to the dashboard's), in decision order."""
    from grants.cases.models import Application, Outcome
    from grants.funds.models import Fund

    sums = (
        select(
            BudgetEntry.application_id,
            BudgetEntry.year,
            BudgetEntry.kind,
            func.sum(BudgetEntry.amount),
        )
        .where(BudgetEntry.application_id.is_not(None))
        .group_by(BudgetEntry.application_id, BudgetEntry.year, BudgetEntry.kind)
    )
    if flt.fund_id is not None:
        sums = sums.where(BudgetEntry.fund_id == flt.fund_id)
    if flt.year is not None:
        sums = sums.where(BudgetEntry.year == flt.year)
    figures: dict[tuple[int | None, int], dict[str, Decimal]] = defaultdict(
        lambda: {"granted": ZERO, "spent": ZERO}
    )
    for application_id, year, kind, total in db.session.execute(sums):
        kind = EntryKind(kind)
        amount = kroner(total)
        if kind in GRANTED_KINDS:
            figures[application_id, year]["granted"] += amount
        elif kind in SPENT_KINDS:
            figures[application_id, year]["spent"] += amount
    if not figures:
        return []
    query = (
        select(Application, Fund.code, Fund.name)
        .join(Fund, Fund.id == Application.fund_id)
        .where(Application.id.in_({application_id for application_id, _ in figures}))
        .order_by(Application.decided_at, Application.id)
    )
    if flt.date_from is not None:
        query = query.where(Application.decided_at >= _day_start(flt.date_from))
    if flt.date_to is not None:
        query = query.where(Application.decided_at < _day_start(flt.date_to + dt.timedelta(days=1)))
    outcome_labels = {
        Outcome.GRANTED: _l("Bevilget"),
        Outcome.PARTLY_GRANTED: _l("Delvist bevilget"),
        Outcome.REFUSED: _l("Afslået"),
    }
    by_application = defaultdict(list)
    for key in sorted(figures):
        by_application[key[0]].append(key)
    rows = []
    for application, fund_code, fund_name in db.session.execute(query):
        decided = _local(application.decided_at)
        for key in by_application[application.id]:
            money = figures[key]
            rows.append(
                {
                    "case_number": application.case_number or "",
                    "fund_code": fund_code,
                    "fund_name": fund_name,
                    "budget_year": key[1],
                    "applicant": application.applicant.name,
                    "title": application.title,
                    "destination": ", ".join(
                        part
                        for part in (
                            application.destination_city,
                            application.destination_country,
                        )
                        if part
                    ),
                    "departure_date": application.departure_date,
                    "return_date": application.return_date,
                    "decided_on": decided.date() if decided else None,
                    "outcome": str(outcome_labels.get(application.outcome, ""))
                    if application.outcome
                    else "",
                    "amount_applied": kroner(application.amount_applied),
                    "granted": money["granted"],
                    "spent": money["spent"],
                    # Per grant, as on the dashboard: never below 0; what was paid
                    # beyond the grant awaits its refund.
                    "committed": max(money["granted"] - money["spent"], ZERO),
                    "awaiting_refund": max(money["spent"] - money["granted"], ZERO),
                }
            )
    return rows


def as_csv(columns: list[Column], rows: list[dict]) -> bytes:
    """Comma-separated, "." as the decimal mark, ISO dates, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column.key)
            if value is None:
                cells.append("")
            elif column.kind == "money":
                cells.append(str(kroner(value)))
            elif column.kind == "date":
                cells.append(value.isoformat())
            elif column.kind == "datetime":
                cells.append(value.isoformat(timespec="seconds"))
            elif column.kind in ("int", "days"):
                cells.append(str(value))
            else:
                cells.append(spreadsheet_text(str(value)))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(columns: list[Column], rows: list[dict], title: str) -> bytes:
    """A workbook of one sheet: a bold, frozen header row with filters; numbers as numbers,
    dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = cast("Worksheet", workbook.active)  # a new workbook has its one sheet
    sheet.title = title[:31]
    workbook.properties.creator = "Rejsetilskud"
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        heading = sheet.cell(row=1, column=index, value=str(column.title))
        heading.font = bold
    widths = [len(str(column.title)) for column in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column.key)
            cell = sheet.cell(row=row_number, column=index)
            if value is None or value == "":
                continue
            if column.kind == "money":
                cell.value = kroner(value)
                cell.number_format = MONEY_FORMAT
                width = 14
            elif column.kind == "date":
                cell.value = value
                cell.number_format = DATE_FORMAT
                width = 11
            elif column.kind == "datetime":
                cell.value = value.replace(tzinfo=None)  # local time; Excel has no zones
                cell.number_format = DATETIME_FORMAT
                width = 17
            elif column.kind == "int":
                cell.value = value
                width = len(str(value))
            elif column.kind == "days":
                cell.value = float(value)
                cell.number_format = "0.0"
                width = 8
            else:
                # Never a formula, whatever the text starts with; no control character, which
                # XML cannot hold (one title with an ESC made the whole export fail).
                cell.value = without_control_characters(str(value))
                cell.data_type = "s"
                width = min(len(str(value)), 50)
            widths[index - 1] = max(widths[index - 1], width)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
