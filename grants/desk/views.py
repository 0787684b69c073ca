"""The desk's pages: a person's tasks (where they land after logging in) and the search."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from grants.applications.steps import queue_columns
from grants.core import access
from grants.core.models import generic_plan
from grants.core.pagination import paginate, requested_page
from grants.desk import search as searching
from grants.desk import task_table, tasks
from grants.desk.forms import SearchForm, TaskFilterForm
from grants.extensions import db
from grants.funds.models import Fund
from grants.workflow import engine

bp = Blueprint("desk", __name__)


@bp.app_context_processor
def task_count() -> dict:
    """The count of tasks in the menu, asked only by the menu (one query)."""
    return {"task_count": tasks.for_menu, "task_cap": tasks.MENU_CAP}


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    return value if value in allowed else default


@bp.get("/opgaver")
@login_required
def mine() -> ResponseReturnValue:
    """What waits for the person, across funds and committees."""
    # The person, not the proxy: each attribute read through ``current_user`` looks the
    # request's user up anew (~12 calls), and the task list's functions read dozens.
    user = current_user._get_current_object()
    funds, states = tasks.choices(user)
    form = TaskFilterForm(request.args, funds=funds, states=states)
    status = 200
    if request.args and not form.validate():
        status = 400
    filters = tasks.Filters(
        fund=form.fund.data if not form.fund.errors else "",
        state=form.state.data if not form.state.errors else "",
        sort=_choice("sort", tasks.SORTS, "waited"),
        order=_choice("order", ("asc", "desc"), "asc"),
    )
    if status != 200:
        filters = tasks.Filters(sort=filters.sort, order=filters.order)
    page = paginate(
        tasks.page_statements(user, filters),
        parameters=tasks.filter_values(filters),
        per_page=current_app.config["WORK_QUEUE_PAGE_SIZE"],
        scalars=False,
    )
    if not (filters.fund or filters.state) and page.page == 1:
        engine.counted_waiting(page.total, page.capped)
    link_args = {
        key: value
        for key, value in {
            "fund": filters.fund,
            "state": filters.state,
            "sort": filters.sort if filters.sort != "waited" else "",
            "order": filters.order if filters.order != "asc" else "",
        }.items()
        if value
    }
    return render_template(
        "desk/tasks.html",
        form=form,
        page=page,
        filters=filters,
        link_args=link_args,
        rows=task_table.rows_html(page.items, tasks.next_steps(user, page.items)),
        sort_columns=task_table.sort_columns(filters.sort, filters.order, link_args),
        meetings=tasks.meetings(user),
        former_meetings=tasks.has_former_meetings(user),
        payments_due=tasks.payments_due() if access.may(user, "payments.read") else None,
    ), status


@bp.get("/soeg")
@login_required
def search() -> ResponseReturnValue:
    """Any case the person may see, in any state and year."""
    access.require(current_user, "case.search")
    funds = list(db.session.execute(select(Fund.id, Fund.code, Fund.name).order_by(Fund.name)))
    form = SearchForm(request.args, funds=[(code, name) for _id, code, name in funds])
    searched = any(request.args.get(name) for name in form._fields)
    if not searched:
        return render_template("desk/search.html", form=form, page=None, link_args={})
    if not form.validate():
        return render_template("desk/search.html", form=form, page=None, link_args={}), 400
    text = (form.q.data or "").strip()
    found = searching.find_case_number(current_user, text)
    if found is not None:
        return redirect(url_for("applications.show", application_id=found.id))
    by_code = {code: fund_id for fund_id, code, _name in funds}
    criteria = searching.Criteria(
        text=text,
        fund_id=by_code.get(form.fund.data or ""),
        state=form.state.data or "",
        year=form.year.data,
        amount_from=form.amount_from.data,
        amount_to=form.amount_to.data,
    )
    # The columns the list shows, as plain rows (as the work queue reads them); the cases
    # found only as far as the page reaches (with one more, for the next page).
    per_page = current_app.config["WORK_QUEUE_PAGE_SIZE"]
    number = requested_page()
    rows, values = searching.search_rows(
        current_user, criteria, queue_columns(), reach=number * per_page + 1
    )
    with generic_plan():
        page = paginate(rows, parameters=values, page=number, per_page=per_page, scalars=False)
    link_args = {
        name: request.args[name]
        for name in ("q", "fund", "state", "year", "amount_from", "amount_to")
        if request.args.get(name)
    }
    return render_template("desk/search.html", form=form, page=page, link_args=link_args)
