"""The budgets: the dashboard, the entries behind each figure, closing a year, exports.

Every page reads its figures from the same functions in ``operations`` (sums of the ledger),
so a figure is the same wherever it is shown. The queries per page are a fixed handful,
whatever the number of funds: the figures are summed with GROUP BY, never fund by fund.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from babel.dates import get_month_names
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Row, Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import selectinload

from grants.budgets import exports, overview, timing
from grants.budgets.balances import (
    Balance,
    MonthFigures,
    balances_and_waiting,
    grant_positions,
    month_by_month,
)
from grants.budgets.balances import balances as balances_of
from grants.budgets.closing import close_year, closings
from grants.budgets.forms import (
    FIGURE_LABELS,
    AllocationForm,
    CloseYearForm,
    EntryFilterForm,
    ExportForm,
    YearForm,
)
from grants.budgets.models import (
    BUDGET_KINDS,
    CLOSING_OUTCOME_LABELS,
    ENTRY_KIND_LABELS,
    GRANTED_KINDS,
    MOVED_ON_KINDS,
    SPENT_KINDS,
    BudgetEntry,
    EntryKind,
    YearClosing,
)
from grants.budgets.movements import set_allocation
from grants.budgets.permissions import funds_read_by
from grants.budgets.waiting import waiting_conditions
from grants.core import access, clock
from grants.core.files import private_download
from grants.core.input import whole_number
from grants.core.money import ZERO
from grants.core.refusals import refused_by_domain
from grants.core.stats import Spread
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund

if TYPE_CHECKING:
    from grants.cases.models import Application

bp = Blueprint("budgets", __name__)
bp.add_app_template_global(overview.fund_rows, "fund_rows")
bp.add_app_template_global(overview.time_rows, "time_rows")
bp.add_app_template_global(overview.month_rows, "month_rows")

# How each kind of entry counts in each figure: the entries behind a figure, with the sign
# that makes their sum equal to it. Committed, awaiting refund and available are per grant
# (a grant paid beyond what it is now granted is awaiting its refund, not committed):
# ``_effect`` takes the grants paid beyond their grant (``over``) into account.
FIGURES: dict[str, dict[EntryKind, int]] = {
    "budget": dict.fromkeys(BUDGET_KINDS, 1),
    "allocated": {EntryKind.ALLOCATION: 1},
    "carried_in": {EntryKind.CARRY_OVER_IN: 1},
    "carried_out": {EntryKind.CARRY_OVER_OUT: -1},
    "lapsed": {EntryKind.LAPSE: -1},
    "granted": dict.fromkeys(GRANTED_KINDS, 1),
    "committed": {**dict.fromkeys(GRANTED_KINDS, 1), **dict.fromkeys(SPENT_KINDS, -1)},
    "awaiting_refund": {**dict.fromkeys(GRANTED_KINDS, -1), **dict.fromkeys(SPENT_KINDS, 1)},
    "spent": dict.fromkeys(SPENT_KINDS, 1),
    "available": {
        **dict.fromkeys(BUDGET_KINDS, 1),
        **dict.fromkeys(MOVED_ON_KINDS, 1),
        **dict.fromkeys(GRANTED_KINDS, -1),
        **dict.fromkeys(SPENT_KINDS, -1),
    },
}


def _effect(figure: str, entry: BudgetEntry, over: set[int | None]) -> int | None:
    """The sign of ``entry`` in ``figure``, or None if it does not count in it."""
    sign = FIGURES[figure].get(entry.kind)
    if sign is None:
        return None
    paid_beyond = entry.application_id in over
    if figure == "committed" and paid_beyond:
        return None
    if figure == "awaiting_refund" and not paid_beyond:
        return None
    if figure == "available":
        if entry.kind in GRANTED_KINDS and paid_beyond:
            return None  # counted by what was paid instead
        if entry.kind in SPENT_KINDS and not paid_beyond:
            return None  # counted by what was granted instead
    return sign


# Colours from Det Fælles Designsystem's palette, distinguishable in greyscale too.
COLOURS = {"budget": "#1a1a1a", "committed": "#7fb2e5", "spent": "#0059b3", "granted": "#7fb2e5"}


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _funds_for(year: int) -> list[Fund]:
    """Active funds, and any inactive one with money in the year."""
    return list(db.session.scalars(_funds_statement(), {"year": year}))


def _fund_rows(year: int) -> Sequence[Row[int, str, str, str, bool]]:
    """``_funds_for``'s funds as plain rows of what the budgets page shows of them (id,
    code, name, kind, whether the year is closed for it): no ORM objects to build and track
    for a page that only reads, and the closings asked with the funds, not by a statement of
    their own."""
    return _read(_fund_rows_statement(), {"year": year})


def _read(statement: Any, parameters: dict[str, Any] | None = None) -> Sequence[Any]:
    """The rows of one of the budgets page's kept statements through Core's execution (the
    session's connection, its transaction): plain rows without the ORM's round of
    execution and loading (~0.05-0.1 ms of CPU a statement). What is pending is flushed
    first, as the session's own execute would (autoflush)."""
    db.session.flush()
    return db.session.connection().execute(statement, parameters).all()


def _listed_in(year: Any) -> ColumnElement[bool]:
    has_entries = exists().where(BudgetEntry.fund_id == Fund.id, BudgetEntry.year == year)
    return or_(Fund.active, has_entries)


# The budgets page's statements are kept, the year a parameter: made and their cache keys
# worked out once, not on every request (a few hundred calls into Python each).
@functools.cache
def _funds_statement() -> Select[Fund]:
    return select(Fund).where(_listed_in(bindparam("year"))).order_by(Fund.id)


@functools.cache
def _fund_rows_statement() -> Select[int, str, str, str, bool]:
    closed = exists().where(YearClosing.fund_id == Fund.id, YearClosing.year == bindparam("year"))
    return (
        select(Fund.id, Fund.code, Fund.name, Fund.kind, closed.label("closed"))
        .where(_listed_in(bindparam("year")))
        .order_by(Fund.id)
    )


def _entry_years() -> list[int]:
    """The years that have entries: a skip scan of the index on the year (one short index
    lookup per year) instead of reading every entry for DISTINCT."""
    return [y for (y,) in _read(_entry_years_statement()) if y is not None]


@functools.cache
def _entry_years_statement() -> Select[int]:
    after = select(func.min(BudgetEntry.year)).scalar_subquery()
    years = select(after.label("year")).cte("years", recursive=True)
    years = years.union_all(
        select(
            select(func.min(BudgetEntry.year))
            .where(BudgetEntry.year > years.c.year)
            .scalar_subquery()
        ).where(years.c.year.is_not(None))
    )
    return select(years.c.year)


def _year_choices(selected: int | None = None) -> list[int]:
    this_year = clock.today().year
    years = set(_entry_years())
    years |= {this_year - 1, this_year, this_year + 1}
    if selected and 2000 <= selected <= 2100:
        years.add(selected)
    return sorted(years)


# A code that needs no quoting in a path: put into the address as it is.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9_.~-]+")
_CODE_SLOT = "0fund0code0"


def _fund_year_urls(year: int) -> Callable[[str], str]:
    """The address of each fund's ``year`` by its code: ``url_for`` once, the code put into
    its place (``url_for`` for each fund matched the route anew: ~9 µs a fund). A code with
    anything ``url_for`` would quote goes through ``url_for``."""
    before, _slot, after = url_for("budgets.fund_year", fund_code=_CODE_SLOT, year=year).partition(
        _CODE_SLOT
    )

    def address(code: str) -> str:
        if _PLAIN_CODE.fullmatch(code):
            return before + code + after
        return url_for("budgets.fund_year", fund_code=code, year=year)

    return address


def _total(figures: list[Balance]) -> Balance:
    def total(name: str) -> Decimal:
        return sum([getattr(f, name) for f in figures], ZERO)

    return Balance(**{name: total(name) for name in Balance.__dataclass_fields__})


def _month_names() -> list[str]:
    names = get_month_names("abbreviated", locale=str(get_locale() or "da"))
    return [str(names[month]).rstrip(".") for month in range(1, 13)]


def _year_chart(
    months: list[MonthFigures], title: str, month_names: list[str] | None = None
) -> dict[str, Any]:
    return {
        "kind": "year",
        "title": title,
        "labels": month_names or _month_names(),
        "series": [
            {
                "key": "committed",
                "label": _("Disponeret"),
                "colour": COLOURS["committed"],
                "data": [float(m.committed) for m in months],
            },
            {
                "key": "spent",
                "label": _("Forbrug"),
                "colour": COLOURS["spent"],
                "data": [float(m.spent) for m in months],
            },
            {
                "key": "budget",
                "label": _("Budget"),
                "colour": COLOURS["budget"],
                "data": [float(m.budget) for m in months],
            },
        ],
    }


@bp.get("/budgetter")
@login_required
def index() -> ResponseReturnValue:
    access.require(current_user, "budgets.read")
    this_year = clock.today().year
    form = YearForm(request.args, years=_year_choices())
    status = 200
    year = this_year
    if "year" in request.args:
        if form.validate():
            year = form.year.data
        else:
            status = 400
    if year not in dict(cast("list[tuple[int, str]]", form.year.choices)):
        form.year.choices = [(y, str(y)) for y in _year_choices(year)]
    if status == 200:
        form.year.data = year

    funds = _fund_rows(year)
    # A board member reads the funds whose board they sit on (``budgets.read_fund``).
    readable = funds_read_by(current_user)
    if readable is not None:
        funds = [fund for fund in funds if fund.id in readable]
    ids = [fund.id for fund in funds]
    figures, queue = balances_and_waiting(ids, year)  # one statement
    fund_year_url = _fund_year_urls(year)
    rows = [
        (
            fund,
            fund_year_url(fund.code),
            figures[fund.id, year],
            queue[fund.id],
            fund.closed,
        )
        for fund in funds
    ]
    total_figures = _total([figures[fund.id, year] for fund in funds])
    # The funds whose kind counts in the central budget for international activities
    # (grants.funds.kinds: Kind.central), summed on a line of their own where there are any.
    central = [figures[fund.id, year] for fund in funds if kinds.get(fund.kind).central]
    total_waiting = sum([queue[i].amount for i in ids], ZERO)
    total_waiting_count = sum([queue[i].count for i in ids])
    months = month_by_month(ids, year)
    month_names = _month_names()
    charts = {
        "year": _year_chart(
            months,
            # A board member's dashboard holds only the funds whose board they sit on.
            _("Alle puljer %(year)s, måned for måned", year=year)
            if readable is None
            else _("Dine puljer %(year)s, måned for måned", year=year),
            month_names,
        ),
        "funds": {
            "kind": "funds",
            "title": _("Puljerne %(year)s", year=year),
            "labels": [fund.name for fund in funds],
            "series": [
                {
                    "key": "budget",
                    "label": _("Budget"),
                    "colour": "#b2b2b2",
                    "data": [float(figures[i, year].budget) for i in ids],
                },
                {
                    "key": "granted",
                    "label": _("Bevilget"),
                    "colour": COLOURS["granted"],
                    "data": [float(figures[i, year].granted) for i in ids],
                },
                {
                    "key": "spent",
                    "label": _("Forbrug"),
                    "colour": COLOURS["spent"],
                    "data": [float(figures[i, year].spent) for i in ids],
                },
            ],
        },
    }
    return render_template(
        "budgets/index.html",
        form=form,
        year=year,
        rows=rows,
        total=total_figures,
        central=_total(central) if central else None,
        total_waiting=total_waiting,
        total_waiting_count=total_waiting_count,
        months=months,
        month_names=month_names,
        charts=charts,
        closing_labels=CLOSING_OUTCOME_LABELS,
        can_close=access.may(current_user, "budgets.close_year"),
        can_export=access.may(current_user, "budgets.export"),
        times=_time_rows(funds, year),
    ), status


def _time_rows(
    funds: Sequence[Row[int, str, str, str, bool]], year: int
) -> list[tuple[Row[int, str, str, str, bool], Spread | None, Spread | None]]:
    """Each fund's times to decision and to settlement in ``year``, None where none."""
    measured = timing.times([fund.id for fund in funds], year)
    rows = []
    for fund in funds:
        spreads = measured.get((fund.id, year), {})
        rows.append((fund, spreads.get(timing.DECISION), spreads.get(timing.SETTLEMENT)))
    return rows


@bp.get("/budgetter/<fund_code>/<int:year>")
@login_required
def fund_year(fund_code: str, year: int) -> ResponseReturnValue:
    """One fund's year: its figures, each a link to the entries behind it."""
    access.require(current_user, "budgets.read")
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code))
    if fund is None or not 2000 <= year <= 2100:
        abort(404)
    access.require(current_user, "budgets.read_fund", fund)
    form = EntryFilterForm(request.args)
    status = 200
    figure, kind = "", ""
    if form.validate():
        figure, kind = form.figure.data or "", form.kind.data or ""
    else:
        status = 400

    both, waiting_now = balances_and_waiting([fund.id], year)
    figures, queue = both[fund.id, year], waiting_now[fund.id]
    months = month_by_month([fund.id], year)
    closing = closings(year).get(fund.id)

    over = {
        application_id
        for _f, _y, application_id, granted, spent in grant_positions([fund.id], [year])
        if spent > granted
    }
    signs = FIGURES.get(figure) or dict.fromkeys(EntryKind, 1)
    if kind:
        signs = {EntryKind(kind): signs.get(EntryKind(kind), 1)}
    entries: Sequence[BudgetEntry] = []
    waiting_list: Sequence[Application] = []
    if figure == "waiting":
        from grants.cases.models import Application

        waiting_list = db.session.scalars(
            select(Application)
            .where(*waiting_conditions([fund.id], year))
            .order_by(Application.submitted_at, Application.id)
        ).all()
    elif status == 200:
        entries = db.session.scalars(
            select(BudgetEntry)
            .where(
                BudgetEntry.fund_id == fund.id,
                BudgetEntry.year == year,
                BudgetEntry.kind.in_(list(signs)),
            )
            .options(selectinload(BudgetEntry.created_by), selectinload(BudgetEntry.application))
            .order_by(BudgetEntry.booked_on, BudgetEntry.id)
        ).all()
    rows = []
    for entry in entries:
        sign = _effect(figure, entry, over) if figure in FIGURES else signs[entry.kind]
        if sign is not None:
            rows.append((entry, entry.amount * sign))
    return render_template(
        "budgets/fund_year.html",
        form=form,
        fund=fund,
        year=year,
        balance=figures,
        queue=queue,
        figure=figure,
        kind=kind,
        rows=rows,
        rows_total=sum((effect for _entry, effect in rows), ZERO),
        waiting_list=waiting_list,
        months=months,
        month_names=_month_names(),
        chart=_year_chart(
            months, _("%(fund)s %(year)s, måned for måned", fund=fund.name, year=year)
        ),
        closing=closing,
        closing_labels=CLOSING_OUTCOME_LABELS,
        figure_labels=FIGURE_LABELS,
        entry_kind_labels=ENTRY_KIND_LABELS,
    ), status


@bp.route("/budgetter/luk-aar", methods=["GET", "POST"])
@login_required
def close_year_page() -> ResponseReturnValue:
    """Closing a year: the plan first (GET), then the finance officer closes it (POST)."""
    access.require(current_user, "budgets.close_year")
    last_year = clock.today().year - 1
    form = CloseYearForm()
    if request.method == "POST":
        year = form.year_value() if form.validate() else None
        if year is not None:
            with refused_by_domain(form, "year") as refusal:
                plan = close_year(year, current_user, waiting=form.waiting.data or None)
            if not refusal:
                if plan.changes_nothing:
                    flash(
                        _("Budgetåret %(year)s var allerede lukket. Intet er ændret.", year=year),
                        "info",
                    )
                elif plan.to_close:
                    flash(_("Budgetåret %(year)s er lukket.", year=year), "success")
                if plan.moved:
                    flash(
                        ngettext(
                            "%(num)d ansøgning er flyttet til næste års budget.",
                            "%(num)d ansøgninger er flyttet til næste års budget.",
                            len(plan.moved),
                        ),
                        "success",
                    )
                return redirect(url_for("budgets.close_year_page", year=year))
        return _close_year_preview(form, _requested_year(last_year), status=422)
    return _close_year_preview(form, _requested_year(last_year))


def _requested_year(default: int) -> int | str:
    raw = request.values.get("year", "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        return raw


def _close_year_preview(
    form: CloseYearForm, year: int | str, status: int = 200
) -> ResponseReturnValue:
    plan, problem = None, None
    if isinstance(year, int):
        with refused_by_domain(show=False, rollback=False) as refusal:  # a dry run
            plan = close_year(year, current_user, dry_run=True)
        problem = refusal.message or None
    else:
        problem = _("Skriv året som et helt tal.")
    if problem and status == 200:
        status = 400
    if plan is not None and request.method == "GET":
        form.year.data = str(plan.year)
    this_year = clock.today().year
    return render_template(
        "budgets/close_year.html",
        form=form,
        plan=plan,
        problem=problem,
        year=year,
        years=[y for y in _year_choices() if y < this_year],
        closing_labels=CLOSING_OUTCOME_LABELS,
    ), status


# -- planning the allocations ----------------------------------------------------------------


@bp.route("/budgetter/bevillinger", methods=["GET", "POST"])
@login_required
def plan_page() -> ResponseReturnValue:
    """The allocations of this year and next, fund by fund, and the form that changes one:
    the difference is booked on the ledger."""
    access.require(current_user, "budgets.plan")
    this_year = clock.today().year
    year: int | None = this_year + 1
    status = 200
    raw = request.values.get("year", "")
    if raw:
        asked = whole_number(raw)
        year = asked if asked in (this_year, this_year + 1) else None
    funds = [fund for fund in _funds_for(year or this_year) if fund.active]
    form = AllocationForm(funds=funds)
    if year is None:
        form.year.errors = [
            _(
                "Kun bevillingen for %(this)s og %(next)s kan ændres.",
                this=this_year,
                next=this_year + 1,
            )
        ]
        return _plan(form, this_year + 1, funds, status=400 if request.method == "GET" else 422)
    if request.method == "POST":
        if form.validate() and form.year_value() != year:
            # The form was shown for another year (another tab, an old page): nothing is
            # guessed; the person sees which year the page is on and sends it again.
            flash(
                _(
                    "Formularen hørte til et andet budgetår end siden, som viser %(year)s."
                    " Intet er bogført; udfyld den igen.",
                    year=year,
                ),
                "error",
            )
        elif not form.errors:
            fund = next(f for f in funds if f.code == form.fund.data)
            with refused_by_domain(form, "amount") as refusal:
                entry = set_allocation(
                    fund, year, form.amount.data, current_user, form.note.data or ""
                )
            if not refusal:
                if entry is None:
                    flash(_("Bevillingen er uændret. Intet er bogført."), "info")
                else:
                    flash(
                        _(
                            "Bevillingen for %(fund)s %(year)s er ændret; forskellen er bogført.",
                            fund=fund.name,
                            year=year,
                        ),
                        "success",
                    )
                return redirect(url_for("budgets.plan_page", year=year))
        status = 422
    elif "fund" in request.args:
        chosen = next((f for f in funds if f.code == request.args["fund"]), None)
        if chosen is not None:
            form.fund.data = chosen.code
    return _plan(form, year, funds, status)


def _plan(
    form: AllocationForm, year: int, funds: list[Fund], status: int = 200
) -> ResponseReturnValue:
    ids = [fund.id for fund in funds]
    figures = balances_of(ids, [year])
    closed = closings(year)
    form.year.data = str(year)
    if form.fund.data and form.amount.data is None and not form.amount.raw_data:
        chosen = next((f for f in funds if f.code == form.fund.data), None)
        if chosen is not None:
            form.amount.data = figures[chosen.id, year].allocated
    this_year = clock.today().year
    return render_template(
        "budgets/plan.html",
        form=form,
        year=year,
        years=(this_year, this_year + 1),
        rows=[(fund, figures[fund.id, year], closed.get(fund.id)) for fund in funds],
    ), status


# -- exports -------------------------------------------------------------------------------


@bp.get("/budgetter/eksport")
@login_required
def export() -> ResponseReturnValue:
    access.require(current_user, "budgets.export")
    form = ExportForm(request.args, funds=_all_funds())
    return render_template("budgets/export.html", form=form)


@bp.get("/budgetter/eksport/<any(entries, grants, times):dataset>.<any(csv, xlsx):fmt>")
@login_required
def export_file(dataset: str, fmt: str) -> ResponseReturnValue:
    access.require(current_user, "budgets.export")
    funds = _all_funds()
    form = ExportForm(request.args, funds=funds)
    if not form.validate():
        return render_template("budgets/export.html", form=form), 400
    by_code = {fund.code: fund for fund in funds}
    fund = by_code.get(form.fund.data or "")
    flt = exports.ExportFilter(
        fund_id=fund.id if fund else None,
        year=form.year.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    if dataset == "entries":
        columns, rows, title = exports.ENTRY_COLUMNS, exports.entry_rows(flt), _("Posteringer")
        stem = "posteringer"
    elif dataset == "grants":
        columns, rows, title = exports.GRANT_COLUMNS, exports.grant_rows(flt), _("Bevillinger")
        stem = "bevillinger"
    else:
        columns, rows = exports.TIME_COLUMNS, exports.time_rows(flt, funds)
        title, stem = _("Tid til afgørelse"), "tid-til-afgoerelse"
    parts = [stem, fund.code if fund else "alle-puljer"]
    if flt.year:
        parts.append(str(flt.year))
    if flt.date_from or flt.date_to:
        parts.append(f"{flt.date_from or ''}--{flt.date_to or ''}")
    filename = "_".join(parts) + "." + fmt
    if fmt == "csv":
        body, mimetype = exports.as_csv(columns, rows), "text/csv"
    else:
        body = exports.as_xlsx(columns, rows, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return private_download(body, mimetype, filename)


def _all_funds() -> list[Fund]:
    return list(db.session.scalars(select(Fund).order_by(Fund.name)))
