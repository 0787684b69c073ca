"""Time to decision, the secretariat's measure: the days from submission to decision and from
report to settlement, per case (the case page), per fund and year (the budgets dashboard and
its export: registered with grants.budgets.timing), and the fund's measured median as the
applicant's expected time to a decision (the status tracker).

A figure is the median or the 90th percentile in days, worked out the same way on both
databases (grants.core.stats: PostgreSQL's ``percentile_cont``): on PostgreSQL in the query,
one row per fund and year; on SQLite from the times themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, and_, extract, func, literal, select, union_all

from grants.budgets import timing as budget_timing
from grants.cases.models import Application
from grants.cases.states import GRANTED_STATES, RECONSIDERING_STATES, State
from grants.core import clock
from grants.core.formatting import long_date
from grants.core.stats import Spread
from grants.extensions import db
from grants.reports.models import TripReport

DECISION = budget_timing.DECISION
SETTLEMENT = budget_timing.SETTLEMENT
# The expected time to a decision is the fund's median over the decisions of the last year,
# once there are this many of them.
EXPECTATION_WINDOW = dt.timedelta(days=365)
EXPECTATION_MINIMUM = 3


def days_between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds() / 86400, 0.0)


def case_times(application: Application) -> dict[str, float | None]:
    """The case's own days from submission to decision, and from report to settlement."""
    report = getattr(application, "report", None)
    return {
        DECISION: days_between(application.submitted_at, application.decided_at),
        SETTLEMENT: days_between(report.submitted_at, report.approved_at) if report else None,
    }


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=clock.LOCAL),
        dt.datetime(year + 1, 1, 1, tzinfo=clock.LOCAL),
    )


def _times(
    fund_ids: Sequence[int] | None,
    year: int | None,
    since: dt.datetime | None = None,
    kinds: Sequence[str] = (DECISION, SETTLEMENT),
) -> Select:
    """The times, one row each: (measure, fund id, started, ended)."""
    branches = []
    if DECISION in kinds:
        branches.append(
            (
                select(
                    literal(DECISION).label("measure"),
                    Application.fund_id.label("fund_id"),
                    Application.submitted_at.label("started"),
                    Application.decided_at.label("ended"),
                ).where(Application.submitted_at.is_not(None)),
                Application.decided_at,
            )
        )
    if SETTLEMENT in kinds:
        branches.append(
            (
                select(
                    literal(SETTLEMENT).label("measure"),
                    Application.fund_id.label("fund_id"),
                    TripReport.submitted_at.label("started"),
                    TripReport.approved_at.label("ended"),
                )
                .join(TripReport, TripReport.application_id == Application.id)
                .where(TripReport.submitted_at.is_not(None)),
                TripReport.approved_at,
            )
        )
    selects = []
    for query, ended in branches:
        conditions = [ended.is_not(None)]
        if fund_ids is not None:
            conditions.append(Application.fund_id.in_(list(fund_ids)))
        if year is not None:
            start, end = _year_bounds(year)
            conditions += [ended >= start, ended < end]
        if since is not None:
            conditions.append(ended >= since)
        selects.append(query.where(and_(*conditions)))
    return union_all(*selects) if len(selects) > 1 else selects[0]


@budget_timing.measured_by
def measured(
    fund_ids: Sequence[int] | None, year: int | None, since: dt.datetime | None = None
) -> budget_timing.Measures:
    """Per fund and year (of the decision, of the settlement): the spread of each measure."""
    times = _times(fund_ids, year, since).subquery()
    found: budget_timing.Measures = {}
    if db.session.get_bind().dialect.name == "postgresql":
        days = extract("epoch", times.c.ended - times.c.started) / 86400
        local_year = extract("year", func.timezone(str(clock.LOCAL), times.c.ended))
        rows = db.session.execute(
            select(
                times.c.measure,
                times.c.fund_id,
                local_year,
                func.count(),
                func.percentile_cont(0.5).within_group(days),
                func.percentile_cont(0.9).within_group(days),
            ).group_by(times.c.measure, times.c.fund_id, local_year)
        )
        for measure, fund_id, in_year, count, median, p90 in rows:
            found.setdefault((fund_id, int(in_year)), {})[measure] = Spread(
                count, max(float(median), 0.0), max(float(p90), 0.0)
            )
        return found
    values: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    for measure, fund_id, started, ended in db.session.execute(select(times)):
        ended = ended if ended.tzinfo else ended.replace(tzinfo=dt.UTC)
        started = started if started.tzinfo else started.replace(tzinfo=dt.UTC)
        days = days_between(started, ended)
        values[measure, fund_id, ended.astimezone(clock.LOCAL).year].append(days or 0.0)
    for (measure, fund_id, in_year), days_list in values.items():
        spread = Spread.of(days_list)
        if spread is not None:
            found.setdefault((fund_id, in_year), {})[measure] = spread
    return found


def fund_decision_time(fund_id: int) -> Spread | None:
    """The fund's days from submission to decision over the last year: one query."""
    since = clock.now() - EXPECTATION_WINDOW
    times = _times([fund_id], None, since, kinds=(DECISION,)).subquery()
    values = []
    for _measure, _fund, started, ended in db.session.execute(select(times)):
        values.append(days_between(started, ended) or 0.0)
    return Spread.of(values) if len(values) >= EXPECTATION_MINIMUM else None


# -- the applicant's status tracker --------------------------------------------------------

PROCESSING = (
    State.SCREENING,
    State.AWAITING_INFORMATION,
    State.AWAITING_DECISION,
    State.ON_AGENDA,
)
REPORTING = (State.REPORT_SUBMITTED, State.REPORT_RETURNED, State.REPORT_ON_AGENDA)
ENDED_AT_DECISION = (State.REFUSED, State.WITHDRAWN, State.CANCELLED)


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class Tracker:
    steps: list[Step]
    now: str  # where the case is, in plain words
    next: str  # what happens next
    expected: str  # the expected time to a decision, where there is one to say


def _next_text(application: Application) -> str:
    state = application.state
    if state == State.DRAFT:
        return _("Send ansøgningen, når den er færdig. Den er ikke sendt endnu.")
    if state == State.AWAITING_ENDORSEMENT:
        return _("Din leder skal anbefale ansøgningen. Derefter behandler sekretariatet den.")
    if state == State.AWAITING_INFORMATION:
        return _("Vi mangler oplysninger fra dig. Ret ansøgningen, og send den igen.")
    if state == State.ON_AGENDA:
        return _("Udvalget træffer afgørelse på sit møde. Du får et brev med afgørelsen.")
    if state in PROCESSING:
        return _("Vi behandler ansøgningen. Du får et brev med afgørelsen.")
    if state == State.RECONSIDERATION_ON_AGENDA:
        return _(
            "Udvalget behandler din anmodning om genoptagelse på sit møde. Du får et nyt brev "
            "med afgørelsen; indtil da gælder den afgørelse, du har."
        )
    if state in RECONSIDERING_STATES:
        return _(
            "Vi behandler din anmodning om genoptagelse. Du får et nyt brev med afgørelsen; "
            "indtil da gælder den afgørelse, du har."
        )
    if state in GRANTED_STATES:
        if application.report_due:
            return _(
                "Efter rejsen sender du rapport og regnskab, senest %(date)s.",
                date=long_date(application.report_due),
            )
        return _("Efter rejsen sender du rapport og regnskab.")
    if state == State.REPORT_RETURNED:
        return _("Ret rapport og regnskab, og send dem igen.")
    if state in REPORTING:
        return _("Vi gennemgår rapport og regnskab og gør tilskuddet endeligt op.")
    if state == State.SETTLED:
        return _("Sagen er afsluttet. Der sker ikke mere.")
    if state == State.REFUSED:
        return _("Ansøgningen er afslået. Begrundelsen står i afgørelsesbrevet.")
    if state == State.WITHDRAWN:
        return _("Ansøgningen er trukket tilbage. Der sker ikke mere.")
    return _("Bevillingen er annulleret. Der sker ikke mere.")


def _expected_text(application: Application) -> str:
    if application.outcome is not None or application.submitted_at is None:
        return ""
    if application.state in ENDED_AT_DECISION:
        return ""
    spread = fund_decision_time(application.fund_id)
    if spread is None:
        return _(
            "Vi kan endnu ikke sige, hvor lang tid det tager: puljen har for få afgjorte "
            "sager det seneste år."
        )
    days = round(spread.median)
    expected = application.submitted_at + dt.timedelta(days=spread.median)
    expected_day = expected.astimezone(clock.LOCAL).date()
    if expected_day < clock.today():
        return _(
            "Halvdelen af ansøgningerne til puljen får afgørelse inden for %(days)d dage. "
            "Din har ventet længere; vi svarer så snart, vi kan.",
            days=days,
        )
    return _(
        "Halvdelen af ansøgningerne til puljen får afgørelse inden for %(days)d dage. Vi "
        "forventer en afgørelse omkring %(date)s.",
        days=days,
        date=long_date(expected_day),
    )


def tracker(application: Application) -> Tracker:
    """Where the case is on its way, for the applicant: the steps of its route."""
    states = set(application.route.states()) if application.route else set()
    state = application.state
    steps: list[tuple[str, str]] = [("sent", _("Ansøgningen er sendt"))]
    if State.AWAITING_ENDORSEMENT in states:
        steps.append(("endorsement", _("Lederens anbefaling")))
    steps += [("processing", _("Sagsbehandling")), ("decision", _("Afgørelse"))]
    ended = state in ENDED_AT_DECISION
    if not ended and State.REPORT_SUBMITTED in states:
        steps += [("report", _("Rapport og regnskab")), ("closed", _("Sagen er afsluttet"))]
    if state == State.DRAFT:
        current = "sent"
    elif state == State.AWAITING_ENDORSEMENT:
        current = "endorsement"
    elif state in PROCESSING:
        current = "processing"
    elif ended or state in RECONSIDERING_STATES:
        current = "decision"
    elif state in GRANTED_STATES or state in REPORTING:
        current = "report"
    else:
        current = "closed"
    keys = [key for key, _label in steps]
    at = keys.index(current) if current in keys else len(keys) - 1
    finished = state == State.SETTLED or ended
    return Tracker(
        steps=[
            Step(label, done=i < at or (finished and i == at), current=i == at)
            for i, (_key, label) in enumerate(steps)
        ],
        now=_("Sagen står nu ved: %(step)s.", step=steps[at][1]),
        next=_next_text(application),
        expected=_expected_text(application),
    )
