"""A person's tasks: the cases that wait for a step of theirs now (as the routes say: the
transition table and the permissions, ``grants.workflow.engine.waiting_for``), with how long
each has waited and its deadline, and the committee meetings they conduct or attend.

One statement per list: the condition costs no query of its own (``quick``), so the count in
every page's menu is one query.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)

from grants.cases.models import Application
from grants.cases.states import GRANTED_STATES, State
from grants.committees.models import Committee, CommitteeMembership, Meeting, MeetingStatus
from grants.committees.operations import RECORDERS, former_meetings
from grants.core import clock
from grants.core.models import NOT_READ, layout_fact, read_layout_fact
from grants.core.models import _lists_as_parameters as lists_as_parameters
from grants.core.pagination import COUNT_LIMIT, Listing, listing
from grants.extensions import db
from grants.funds.models import Fund
from grants.messages.operations import (
    cases_with_unread_messages,
    open_request_due,
    unread_reply_column,
)
from grants.people.models import Role, User
from grants.reports.models import ReminderLog, TripReport
from grants.workflow import engine
from grants.workflow.guards import GUARDS, guard

# The menu counts this far; beyond it says "99+".
MENU_CAP = 99
# The states in which the report and accounts are due: their deadline is the report's.
REPORT_DUE_STATES = (*GRANTED_STATES, State.REPORT_RETURNED)

# The orders the list can be sorted in: the query's value -> the column.
SORTS = ("waited", "deadline", "case", "fund", "amount")


def _waiting_parts(user) -> engine.Waiting:
    """The condition and its parts, made once per request (the menu and the page both use
    them)."""
    kept = g.get("desk_waiting")
    if kept is None or kept[0] != user.id:
        kept = (user.id, engine.waiting_parts(user, quick=True))
        g.desk_waiting = kept
    return kept[1]


def _waiting(user) -> ColumnElement[bool]:
    return _waiting_parts(user).condition


def deadline_column() -> ColumnElement:
    """The case's deadline: the report's while it is due, else the decision's (before the
    trip begins) while it is undecided.

    The states are written into the statement, not sent as parameters: on PostgreSQL the
    index ix_application_deadline_id (migration c3e5a7b9d1f4) is on this very expression, and
    an index on an expression serves only a query with the same expression, constants and
    all."""
    return case(
        (
            Application.state.in_(
                bindparam(
                    "report_due_states",
                    [state.value for state in REPORT_DUE_STATES],
                    expanding=True,
                    literal_execute=True,
                )
            ),
            Application.report_due,
        ),
        (Application.outcome.is_(None), Application.departure_date),
        else_=None,
    )


def own_deadline_column(reply_by: ColumnElement) -> ColumnElement:
    """The applicant side's own deadline, not the authority's: the answer to an open request
    for information (``reply_by``, ``messages.operations.open_request_due``), else the
    report's while it is due; none otherwise (the decision's deadline is the municipality's
    to keep)."""
    return func.coalesce(
        reply_by,
        case((Application.state.in_(REPORT_DUE_STATES), Application.report_due), else_=None),
    )


def last_reminder_column() -> ColumnElement:
    return (
        select(func.max(ReminderLog.sent_at))
        .where(ReminderLog.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )


def _base(user, *columns) -> Select:
    # The rows show the fund's name and the guards read its columns (the next steps).
    return select(*columns).join(Fund, Fund.id == Application.fund_id).where(_waiting(user))


# What a row of the task list shows (desk/tasks.html), read as plain rows as the work queue
# reads its own: no case, applicant or fund is made an object for the page (that and
# working out each case's next steps from the objects were most of its time in Python).
# The list shows the applicant's name, never their roles or logins.
TASK_COLUMNS = (
    Application.id,
    Application.case_number,
    Application.title,
    Application.state,
    Application.route_id,
    Application.state_since,
    Application.amount_applied,
    User.name.label("applicant_name"),
    Fund.name.label("fund_name"),
)


def _guard_label(name: str) -> str:
    return f"guard_{name}"


def guard_columns() -> list[ColumnElement[bool]]:
    """Whether each named guard holds for the row's case, by the guard's SQL form (which
    tests/workflow keeps in agreement with its Python form): the next steps are then
    worked out from the row."""
    return [
        guard(name).sql(Application, Fund).label(_guard_label(name))
        for name in sorted(GUARDS)
        if name
    ]


def menu_count(user) -> int:
    """How many cases wait for the person, up to ``MENU_CAP`` + 1: one query.

    Every page's menu runs it. The statement is kept with the condition it was made from
    (``engine.waiting_for`` keeps the condition per person, roles and day): a statement
    object used again keeps its cache key, which SQLAlchemy otherwise works out anew by
    walking the condition's few hundred constructs on every request, and is not built
    again either (together a seventh of the CPU time of "my applications")."""
    return db.session.scalar(_menu_statements(user)[1]) or 0


def _menu_statements(user) -> tuple[ColumnElement[bool], Select, ColumnElement[int]]:
    """The condition, the count statement and the count as a scalar subquery (for the
    layout's statement), kept per condition."""
    waiting = _waiting_parts(user)
    condition = waiting.condition
    kept = _MENU_COUNTS.get(id(condition))
    if kept is None or kept[0] is not condition:
        if len(_MENU_COUNTS) >= _MENU_COUNTS_KEPT:
            _MENU_COUNTS.clear()
        # Counted by the rule's branches, each read up to the cap (``engine.counted_ids``).
        ids = (
            engine.counted_ids(select(Application.id), waiting, MENU_CAP + 1)
            .limit(MENU_CAP + 1)
            .subquery()
        )
        count = select(func.count()).select_from(ids)
        kept = _MENU_COUNTS[id(condition)] = (condition, count, count.scalar_subquery())
    return kept


@layout_fact("desk.menu_count")
def _menu_count_for_layout() -> ColumnElement[int] | None:
    """The menu's count, read with the municipality's profile: one statement fewer on
    every page (``grants.core.models.layout_fact``)."""
    if not current_user.is_authenticated or _counted_by_page() is not None:
        return None
    return _menu_statements(current_user)[2]


# The menu's count statements, by the condition each was made from (kept beside it, so an
# id used again by another condition is never mistaken for it).
_MENU_COUNTS: dict[int, tuple[ColumnElement[bool], Select, ColumnElement[int]]] = {}
_MENU_COUNTS_KEPT = 256


@dataclass(frozen=True)
class Filters:
    fund: str = ""
    state: str = ""
    sort: str = "waited"
    order: str = "asc"


def choices(user) -> tuple[list[tuple[str, str]], list[str]]:
    """The funds and states among the person's own tasks: a manager is offered their own
    employees' funds and states, a caseworker the ones that have cases waiting.

    One statement that reads few cases at any size: the (fund, state) pairs of the person's
    own cases (theirs, their organisations', their employees': found by the indexes on the
    applicant, the organisation and the manager), and for each state and route where their
    roles may give them another case's step (a caseworker's, a board's on its funds) the
    funds that have a case waiting for them there, each found by one probe of the index on
    (fund, state, route); and the pairs of the cases with an unread message of the
    applicant side that wait for them (in a state where the route gives them no step too).
    The same pairs as a DISTINCT over the person's tasks, which read every case waiting
    for a caseworker (8,000 at 100,000 applications, 66 ms)."""
    waiting = _waiting_parts(user)
    kept = _CHOICES.get(id(waiting))
    if kept is None or kept[0] is not waiting:
        if len(_CHOICES) >= _CHOICES_KEPT:
            _CHOICES.clear()
        kept = _CHOICES[id(waiting)] = (
            waiting,
            lists_as_parameters(_choices_statement(waiting)),
        )
    funds: dict[str, str] = {}
    states: set[str] = set()
    for code, name, state in db.session.execute(kept[1]):
        funds[code] = name
        states.add(state)
    return sorted(funds.items(), key=lambda item: item[1]), sorted(states)


def _choices_statement(waiting: engine.Waiting) -> CompoundSelect:
    own = (
        select(Fund.code, Fund.name, Application.state)
        .join(Fund, Fund.id == Application.fund_id)
        .where(waiting.own, waiting.exact)
    )
    parts: list[Select] = [own]
    if waiting.staff_steps:
        # The (state, route) pairs as a small table, and each (fund, state, route) tested by
        # a subquery that stops at the first case waiting for the person: one probe of the
        # index on (fund, state, route) each, where an EXISTS became a join that read every
        # case in the state, and a probe by (fund, state) alone read every case of a fund in
        # a state where its route gives the person no step.
        # The funds each pair is limited to, numbered (by identity: one condition a role).
        funds_of: dict[int, tuple[int, ColumnElement[bool]]] = {}
        for on_fund in waiting.staff_steps.values():
            funds_of.setdefault(id(on_fund), (len(funds_of), on_fund))
        candidates = union_all(
            *(
                select(
                    literal(state, String).label("state"),
                    literal(route_id, Integer).label("route_id"),
                    literal(funds_of[id(on_fund)][0], Integer).label("funds"),
                )
                for (state, route_id), on_fund in waiting.staff_steps.items()
            )
        ).subquery("candidate")
        first_waiting = (
            select(Application.id)
            .where(
                Application.fund_id == Fund.id,
                Application.state == candidates.c.state,
                Application.route_id == candidates.c.route_id,
                waiting.exact,
            )
            .limit(1)
            .scalar_subquery()
        )
        parts.append(
            select(Fund.code, Fund.name, candidates.c.state)
            .select_from(Fund)
            .join(candidates, true())
            .where(
                or_(*(and_(candidates.c.funds == n, on_fund) for n, on_fund in funds_of.values())),
                first_waiting.is_not(None),
            )
        )
    # The cases that wait for the person beside the route's steps, in any state: those
    # with an unread message of the applicant side (grants.messages), found from the few
    # rows of their own table, not by reading every case that waits for a caseworker.
    parts.append(
        select(Fund.code, Fund.name, Application.state)
        .join(Fund, Fund.id == Application.fund_id)
        .where(Application.id.in_(cases_with_unread_messages()), waiting.exact)
    )
    return union(*parts)


# The choices' statements, by the condition's parts they were made from (kept beside them,
# as ``_MENU_COUNTS``): built once per person and day, not on every visit to the page.
_CHOICES: dict[int, tuple[engine.Waiting, CompoundSelect]] = {}
_CHOICES_KEPT = 256


def sorted_apart(column: ColumnElement) -> ColumnElement:
    """The same values, which no index serves (``coalesce(column, NULL)``): the few cases
    found by the indexes of the condition are sorted, not found by walking the index of the
    order. A caseworker's cases are thousands and many of those along the index of the order
    wait for them; a person without that role has a few among 100,000, and PostgreSQL,
    guessing thousands from the person's organisations and boards as subqueries, walked the
    index on (state_since, id) over every case (the demo employee's task page: 105-190 ms
    at 100,000 applications, 0.5 ms sorted)."""
    return func.coalesce(column, null())


def task_query(user, filters: Filters) -> tuple[Select, Select]:
    """The rows (the case, its deadline, its report's, the deadline of its open request for
    information, its last reminder, the person's side, the guards) and the ids to count; a
    fund's code and a state filtered by as the parameters ``fund`` and ``state``
    (``filter_values``)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.fund:
        # The fund's id looked up once (an InitPlan), compared on the cases' own column: as
        # a condition on the joined fund's code, PostgreSQL guessed a hundred cases of the
        # fund where a fund holds thousands, gathered them all with their applicants and
        # sorted them (16 ms at 100,000 cases), rather than read the order's index until
        # the page was full.
        conditions.append(
            Application.fund_id
            == select(Fund.id).where(Fund.code == bindparam("fund", type_=String)).scalar_subquery()
        )
    if filters.state:
        conditions.append(Application.state == bindparam("state", type_=String))
    deadline = deadline_column()
    reply_by = open_request_due()
    side = side_column(user)
    column = {
        "waited": Application.state_since
        if user.has_role(Role.CASEWORKER)
        else sorted_apart(Application.state_since),
        # A caseworker's by the index on the deadline's expression; anyone else's (few, and
        # sorted) by the deadline each row shows: the applicant side's own on their cases.
        "deadline": deadline
        if user.has_role(Role.CASEWORKER)
        else case((side == "applicant", own_deadline_column(reply_by)), else_=deadline),
        "case": Application.case_number,
        "fund": Fund.name,
        "amount": Application.amount_applied,
    }[filters.sort]
    ordered = column.desc() if filters.order == "desc" else column.asc()
    rows = (
        _base(
            user,
            *TASK_COLUMNS,
            deadline.label("deadline"),
            Application.report_due,
            reply_by.label("reply_by"),
            unread_reply_column().label("unread_reply"),
            last_reminder_column().label("reminded"),
            side.label("side"),
            *guard_columns(),
        )
        .join(User, User.id == Application.applicant_id)
        .where(*conditions)
        .order_by(ordered.nulls_last(), Application.id)
    )
    # The ids alone (the rule reads the case's own columns, no fund joined), counted by the
    # rule's branches.
    count = engine.counted_ids(
        select(Application.id).where(*conditions), _waiting_parts(user), COUNT_LIMIT
    )
    return rows, count


def filter_values(filters: Filters) -> dict[str, str]:
    """The parameters of ``task_query``'s statements."""
    return {
        name: value for name, value in (("fund", filters.fund), ("state", filters.state)) if value
    }


def page_statements(user, filters: Filters) -> Listing:
    """``task_query``'s statements for a page (``pagination.listing``), kept with
    the condition they were made from, per person and the list's shape (whether a fund and
    a state are filtered by, the order): built, their ``IN`` lists made parameters and their
    cache keys worked out once, not on every visit (~4,000 Python calls a request)."""
    condition = _waiting(user)
    key = (
        id(condition),
        user.id,
        bool(filters.fund),
        bool(filters.state),
        filters.sort,
        filters.order,
    )
    kept = _PAGE_STATEMENTS.get(key)
    if kept is None or kept[0] is not condition:
        if len(_PAGE_STATEMENTS) >= _PAGE_STATEMENTS_KEPT:
            _PAGE_STATEMENTS.clear()
        rows, count = task_query(user, filters)
        kept = _PAGE_STATEMENTS[key] = (
            condition,
            listing(lists_as_parameters(rows), lists_as_parameters(count)),
        )
    return kept[1]


# The task list's statements, by the condition's identity and the list's shape (the
# condition kept beside them, as ``_MENU_COUNTS``).
_PAGE_STATEMENTS: dict[tuple, tuple[ColumnElement[bool], Listing]] = {}
_PAGE_STATEMENTS_KEPT = 256


def waited_days(since: dt.datetime | None) -> int | None:
    if since is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return max((clock.now() - since).days, 0)


@dataclass(frozen=True)
class MeetingTask:
    meeting_id: int
    committee: str  # the committee's name
    starts_at: dt.datetime
    agenda_sent: bool
    conducts: bool  # the chair or the secretary: they lead it and record the decisions


def meetings(user) -> list[MeetingTask]:
    """The open meetings of the committees the person is a member of today: one query, of
    the columns the page shows (no meeting or committee made an object, the committee's
    name read in the same statement)."""
    seen: dict[int, MeetingTask] = {}
    for meeting_id, committee, starts_at, agenda_published_at, role in db.session.execute(
        _meetings_statement(), {"user_id": user.id, "today": clock.today()}
    ):
        task = seen.get(meeting_id)
        conducts = role in RECORDERS or (task is not None and task.conducts)
        seen[meeting_id] = MeetingTask(
            meeting_id, committee, starts_at, agenda_published_at is not None, conducts
        )
    return list(seen.values())


def has_former_meetings(user) -> bool:
    """Whether the person sat on a committee they are no longer on, at a meeting whose
    minutes are approved: the task page links to those minutes (a former member has no
    committees in the menu)."""
    return bool(former_meetings(user))


@functools.cache
def _meetings_statement() -> Select:
    """``meetings``' statement, the person and the day as parameters: built once."""
    today = bindparam("today", type_=Date)
    return (
        select(
            Meeting.id,
            Committee.name,
            Meeting.starts_at,
            Meeting.agenda_published_at,
            CommitteeMembership.role,
        )
        .join(Committee, Committee.id == Meeting.committee_id)
        .join(CommitteeMembership, CommitteeMembership.committee_id == Committee.id)
        .where(
            CommitteeMembership.user_id == bindparam("user_id", type_=Integer),
            CommitteeMembership.valid_from <= today,
            or_(CommitteeMembership.valid_to.is_(None), CommitteeMembership.valid_to >= today),
            Meeting.status == MeetingStatus.PLANNED,  # not closed, nor cancelled
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )


def payments_due() -> int:
    """How many grants wait for their payment (the finance officer's task; the list is the
    payments page): granted, neither given up nor cancelled, paid less than is due (the
    grant, or after settlement its final amount). One query, counted in the database."""
    from sqlalchemy import BigInteger, type_coerce

    from grants.payments.queries import NOT_PAYABLE_STATES, PAYABLE_OUTCOMES, money_per_application

    money = money_per_application()
    due = case(
        (
            and_(Application.state == State.SETTLED, TripReport.final_amount.is_not(None)),
            type_coerce(TripReport.final_amount, BigInteger),
        ),
        else_=type_coerce(Application.granted_amount, BigInteger),
    )
    paid = func.coalesce(money.c.paid, 0) - func.coalesce(money.c.refunded, 0)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Application)
            .outerjoin(TripReport, TripReport.application_id == Application.id)
            .outerjoin(money, money.c.application_id == Application.id)
            .where(
                Application.outcome.in_(PAYABLE_OUTCOMES),
                Application.state.not_in(NOT_PAYABLE_STATES),
                paid < due,
            )
        )
        or 0
    )


def for_menu() -> int | None:
    """The count in the menu of every page, for a signed-in person."""
    if not current_user.is_authenticated:
        return None
    counted = _counted_by_page()
    if counted is not None:
        return counted
    read = read_layout_fact("desk.menu_count")
    return (read or 0) if read is not NOT_READ else menu_count(current_user)


def _counted_by_page() -> int | None:
    """The menu's count from the page's own count of the person's whole list of tasks
    (``engine.counted_waiting``: the task page, the work queue), or None: none counted, or
    a count stopped at a cap (at least ``total``) below the menu's own says too little."""
    counted = engine.waiting_counted()
    if counted is None:
        return None
    total, capped = counted
    if not capped:
        return total
    return MENU_CAP + 1 if total > MENU_CAP else None


def side_column(user) -> ColumnElement:
    """The person's side of each case: "applicant" (they or their organisation applied),
    "manager" (the manager named on it, while a manager: ``engine.is_the_manager_now``),
    else "staff"."""
    from grants.organisations.models import Membership

    own = select(Membership.organisation_id).where(Membership.user_id == user.id)
    sides = [
        (
            or_(
                Application.applicant_id == user.id,
                Application.organisation_id.in_(own),
            ),
            "applicant",
        )
    ]
    if user.has_role(Role.MANAGER):
        sides.append((Application.manager_id == user.id, "manager"))
    return case(*sides, else_="staff")


def next_steps(user, rows: list) -> dict[int, list[str]]:
    """The steps each case waits for from the person, by the route (the routes' steps as
    the app keeps them, ``engine.kept_steps``: no query): the actions of their side's roles
    whose guard holds (the row's guard columns, ``guard_columns``)."""
    from grants.workflow.models import CaseRole

    # The steps the route expects (``notifies``) by where they start (route, state), in the
    # route's order, each with the row's column that says whether its guard holds (None: no
    # guard).
    starting: dict[tuple[int, str], list[tuple[str, str | None, str]]] = {}
    for route_id in {row.route_id for row in rows}:
        for from_state, steps in engine.kept_steps(route_id).items():
            starting[route_id, from_state] = [
                (step.role, _guard_label(step.guard) if step.guard else None, step.action)
                for step in steps
                if step.notifies
            ]
    # The staff roles the person holds: a case on a caseworker's list for another reason
    # than the route (an unread reply, grants.messages) lists no board's decision as theirs.
    staff = {
        role
        for role, held in (
            (CaseRole.CASEWORKER, user.has_role(Role.CASEWORKER)),
            (CaseRole.BOARD_MEMBER, user.has_role(Role.BOARD_MEMBER)),
        )
        if held
    }
    roles = {
        "applicant": {CaseRole.APPLICANT},
        "manager": {CaseRole.MANAGER},
        "staff": staff,
    }
    steps: dict[int, list[str]] = {}
    for row in rows:
        wanted = roles[row.side]
        holds = row._mapping
        actions: list[str] = []
        for role, guard_column, action in starting.get((row.route_id, row.state), ()):
            if (
                role in wanted
                and (guard_column is None or holds[guard_column])
                and action not in actions
            ):
                actions.append(action)
        steps[row.id] = actions
    return steps
