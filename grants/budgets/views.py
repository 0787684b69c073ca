"""The funds' budgets: budget, committed, spent and available, from the ledger."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.budgets.models import ENTRY_KIND_LABELS, BudgetEntry
from grants.budgets.operations import balance, balances
from grants.core import clock
from grants.extensions import db
from grants.funds.models import Fund
from grants.people.models import Role

bp = Blueprint("budgets", __name__)

BUDGET_READERS = (Role.CASEWORKER, Role.FINANCE, Role.ADMIN, Role.BOARD_MEMBER)


def require_reader() -> None:
    if not current_user.has_role(*BUDGET_READERS):
        abort(403)


@bp.get("/budgets")
@login_required
def index():
    require_reader()
    year = clock.today().year
    funds = db.session.scalars(select(Fund).where(Fund.active).order_by(Fund.id)).all()
    figures = balances([fund.id for fund in funds], [year, year + 1])
    rows = [(fund, figures[fund.id, year], figures[fund.id, year + 1]) for fund in funds]
    return render_template("budgets/index.html", rows=rows, year=year)


@bp.get("/budgets/<fund_code>/<int:year>")
@login_required
def fund_year(fund_code: str, year: int):
    require_reader()
    fund = db.session.scalar(select(Fund).where(Fund.code == fund_code))
    if fund is None or not 2000 <= year <= 2100:
        abort(404)
    entries = db.session.scalars(
        select(BudgetEntry)
        .where(BudgetEntry.fund_id == fund.id, BudgetEntry.year == year)
        .order_by(BudgetEntry.id)
    ).all()
    return render_template(
        "budgets/fund_year.html",
        fund=fund,
        year=year,
        balance=balance(fund.id, year),
        entries=entries,
        entry_kind_labels=ENTRY_KIND_LABELS,
    )
