"""Which trips are public, and what of them is.

``published_trips_query`` is the one definition of "published": the public pages, the trip
page, the report download and the open-data feeds all start from it. A trip is published
when

* its fund publishes its trips (``Fund.publish_trips``),
* its report and accounts are approved (the case is "settled"),
* it is over: its return date (granted, and reported where the report gives one) is today
  or before; nothing still to come is published as if it had happened, and
* it began within the last five years (this year and the four before it), and not after
  today.

* a trip of a kind published after the committee's approval (``Kind.published``, e.g. a
  committee's own trip) also needs the committee's approval of the report in a meeting (an
  issued "report approval" agenda item, grants.committees).

Later rules are added to ``published_conditions``, and every page and feed follows.

What a trip shows (``PublishedTrip``) is decided here too, once: participants' names only
when the fund publishes names and its kind allows names (``Kind.names_may_be_public``: never
for children and young people); otherwise the count only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, lazyload

from grants.budgets.elections import ElectionPeriod, election_period
from grants.cases.models import Application, BudgetCategory, YouthSubsidy
from grants.cases.states import State
from grants.core import clock
from grants.core.models import Municipality
from grants.core.money import ZERO, kroner
from grants.core.pagination import Page, listing, paginate
from grants.extensions import db
from grants.funds import kinds
from grants.funds.models import Fund
from grants.letters.models import Letter
from grants.partners.models import PartnerCity
from grants.reports.models import AccountLine, TripReport

PUBLISHED_STATE = State.SETTLED
REPORT_LETTER_KIND = "report"
# The years shown: this year and the four before it.
YEARS_SHOWN = 5
# The categories of the accounts, in the order they are shown.
CATEGORIES = (
    BudgetCategory.TRANSPORT,
    BudgetCategory.ACCOMMODATION,
    BudgetCategory.FEES,
    BudgetCategory.MEALS,
    BudgetCategory.PER_DIEM,
    BudgetCategory.OTHER,
)


def trip_start():
    """The day the trip began: as reported, else as applied for (kept on the report, whose
    index gives the public list its order)."""
    return TripReport.trip_start


def trip_end():
    return func.coalesce(TripReport.actual_return, Application.return_date)


def shown_years(today: dt.date | None = None) -> list[int]:
    """The years whose trips are shown, newest first."""
    year = (today or clock.today()).year
    return [year - n for n in range(YEARS_SHOWN)]


@dataclass(frozen=True)
class ShownPeriod:
    """What the public list covers: trips that began from 1 January of ``first_year`` and
    were over by ``until`` (today), so ``first_year``-``last_year`` are the years of the
    trips it can show."""

    first_year: int
    last_year: int
    until: dt.date


def shown_period(today: dt.date | None = None) -> ShownPeriod:
    today = today or clock.today()
    years = shown_years(today)
    return ShownPeriod(first_year=years[-1], last_year=years[0], until=today)


def shown_periods(today: dt.date | None = None) -> list[ElectionPeriod]:
    """The election periods that overlap the years shown, newest first."""
    periods: list[ElectionPeriod] = []
    rhythm = Municipality.election_rhythm()
    for year in shown_years(today):
        period = election_period(year, rhythm)
        if period not in periods:
            periods.append(period)
    return periods


def parse_period(text: str) -> ElectionPeriod | None:
    """ "2022-2025" as an election period, or None if it is not one."""
    try:
        first, last = (int(part) for part in text.strip().split("-"))
    except (AttributeError, ValueError):
        return None
    period = election_period(first)
    return period if (period.first, period.last) == (first, last) else None


def published_conditions(today: dt.date | None = None) -> list:
    """The conditions every published trip meets. Extend here, not in the views."""
    from grants.committees.models import AgendaItem, AgendaKind, Decision, IssueStatus

    today = today or clock.today()
    first_year = min(shown_years(today))
    # A committee's own trip: its report approved by the committee in a meeting.
    approved_by_committee = (
        select(AgendaItem.id)
        .where(
            AgendaItem.application_id == Application.id,
            AgendaItem.kind == AgendaKind.REPORT_APPROVAL,
            AgendaItem.decision == Decision.APPROVE_REPORT,
            AgendaItem.issue_status == IssueStatus.ISSUED,
        )
        .exists()
    )
    return [
        Fund.publish_trips.is_(True),
        Application.state == PUBLISHED_STATE,
        trip_start() >= dt.date(first_year, 1, 1),
        trip_start() <= today,
        # Over: never a trip still to come, or one still under way.
        Application.return_date <= today,
        or_(TripReport.actual_return.is_(None), TripReport.actual_return <= today),
        or_(
            Fund.kind.not_in(kinds.codes(published=kinds.Published.COMMITTEE_APPROVED)),
            approved_by_committee,
        ),
    ]


def published_trips_query(
    *,
    year: int | None = None,
    period: ElectionPeriod | None = None,
    trip_id: int | None = None,
    today: dt.date | None = None,
) -> Select:
    """The published trips, newest first, as rows of (Application, TripReport, Fund,
    PartnerCity or None, the id of the approved report's letter or None, and when that
    letter was deleted with the case's personal data or None).

    ``year``: trips that began in that year. ``period``: trips that began in that election
    period. ``trip_id``: one trip (its application's id). Filters combine.
    """
    start = trip_start()
    query = (
        select(Application, TripReport, Fund, PartnerCity, Letter.id, Letter.erased_at)
        .select_from(Application)
        .join(TripReport, TripReport.application_id == Application.id)
        .join(Fund, Fund.id == Application.fund_id)
        .outerjoin(YouthSubsidy, YouthSubsidy.application_id == Application.id)
        .outerjoin(PartnerCity, PartnerCity.id == YouthSubsidy.partner_city_id)
        .outerjoin(
            Letter,
            and_(Letter.application_id == Application.id, Letter.kind == REPORT_LETTER_KIND),
        )
        .where(*published_conditions(today))
        # The fund comes in its own column; the applicant is never needed here; the youth
        # subsidy's counts come with the join above.
        .options(
            lazyload(Application.fund),
            lazyload(Application.applicant),
            contains_eager(Application.youth_subsidy),
        )
        .order_by(start.desc(), TripReport.application_id.desc())
    )
    query = query.where(*_date_filters(year, period))
    if trip_id is not None:
        query = query.where(Application.id == trip_id)
    return query


def _date_filters(year: int | None, period: ElectionPeriod | None) -> list:
    start = trip_start()
    filters = []
    if year is not None:
        filters += [start >= dt.date(year, 1, 1), start <= dt.date(year, 12, 31)]
    if period is not None:
        filters += [start >= dt.date(period.first, 1, 1), start <= dt.date(period.last, 12, 31)]
    return filters


def shows_names(fund: Fund) -> bool:
    """Names only where the fund publishes them, and never for children and young people."""
    return bool(fund.publish_names) and fund.spec.names_may_be_public


@dataclass(frozen=True)
class PublishedTrip:
    """What the public sees of one trip: nothing else leaves this module."""

    id: int
    fund_code: str
    fund_name: str
    title: str
    purpose: str
    destination_city: str
    country_code: str
    partner_city: str
    departure_date: dt.date | None
    return_date: dt.date | None
    participant_count: int | None
    participant_names: tuple[str, ...] | None  # None: names are not published
    costs: dict[BudgetCategory, Decimal] = field(default_factory=dict)
    report_letter_id: int | None = None
    # The report's PDF deleted with the case's personal data: when (no link then).
    report_erased_at: dt.datetime | None = None
    # The answers to the kind's public questions (Kind.questions), as (label, answer).
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def destination(self) -> str:
        return self.partner_city or self.destination_city

    @property
    def year(self) -> int | None:
        return self.departure_date.year if self.departure_date else None

    @property
    def duration_days(self) -> int | None:
        """Days away, the day of departure and the day of return both counted."""
        if self.departure_date and self.return_date:
            return (self.return_date - self.departure_date).days + 1
        return None

    @property
    def total(self) -> Decimal:
        return sum(self.costs.values(), ZERO)

    @property
    def cost_per_participant(self) -> Decimal | None:
        if not self.participant_count:
            return None
        return kroner(self.total / self.participant_count)


def _participant_count(application: Application, report: TripReport) -> int | None:
    if report.participant_count is not None:
        return report.participant_count
    counted = (report.actual_young, report.actual_leaders, report.actual_disabled)
    if any(n is not None for n in counted):
        return sum(n or 0 for n in counted)
    applied = (
        application.participants_young,
        application.participants_leaders,
        application.participants_disabled,
    )
    if any(n is not None for n in applied):
        return sum(n or 0 for n in applied)
    return application.traveller_count


def _names(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _costs_by_report(report_ids: list[int]) -> dict[int, dict[BudgetCategory, Decimal]]:
    """The accounts of these reports summed by category, in one query."""
    costs: dict[int, dict[BudgetCategory, Decimal]] = {
        report_id: dict.fromkeys(CATEGORIES, ZERO) for report_id in report_ids
    }
    if not report_ids:
        return costs
    rows = db.session.execute(
        select(AccountLine.report_id, AccountLine.category, func.sum(AccountLine.amount))
        .where(AccountLine.report_id.in_(report_ids))
        .group_by(AccountLine.report_id, AccountLine.category)
    )
    for report_id, category, total in rows:
        # SUM over the Money column comes back converted (see budgets.ledger.as_kroner).
        amount = kroner(total) if isinstance(total, Decimal) else kroner(Decimal(total) / 100)
        costs[report_id][BudgetCategory(category)] += amount
    return costs


def published_trips(
    *,
    year: int | None = None,
    period: ElectionPeriod | None = None,
    trip_id: int | None = None,
    today: dt.date | None = None,
) -> list[PublishedTrip]:
    """The published trips as the public sees them, in two queries whatever their number."""
    rows = db.session.execute(
        published_trips_query(year=year, period=period, trip_id=trip_id, today=today)
    ).all()
    return _as_published(rows)


def published_trips_page(
    *,
    per_page: int,
    page: int | None = None,
    year: int | None = None,
    period: ElectionPeriod | None = None,
    today: dt.date | None = None,
    count: bool = True,
) -> Page:
    """One page of the published trips, newest first: read in the order of the report's
    trip-start index, so a page costs the same at any number of trips; the total is counted
    as grants.core.pagination does, or not at all (``count=False``: the feeds)."""
    query = published_trips_query(year=year, period=period, today=today)
    counted = (
        select(TripReport.id)
        .join(Application, Application.id == TripReport.application_id)
        .join(Fund, Fund.id == Application.fund_id)
        .where(*published_conditions(today), *_date_filters(year, period))
    )
    found = paginate(
        listing(query, counted, count=count), page=page, per_page=per_page, scalars=False
    )
    return replace(found, items=_as_published(found.items))


def _as_published(rows) -> list[PublishedTrip]:
    costs = _costs_by_report([row[1].id for row in rows])
    trips = []
    for application, report, fund, partner, letter_id, erased_at in rows:
        trips.append(
            PublishedTrip(
                id=application.id,
                fund_code=fund.code,
                fund_name=fund.name,
                title=application.title,
                purpose=application.purpose,
                destination_city=application.destination_city,
                country_code=(partner.country if partner else application.destination_country)
                or "",
                partner_city=partner.name if partner else "",
                departure_date=report.actual_departure or application.departure_date,
                return_date=report.actual_return or application.return_date,
                participant_count=_participant_count(application, report),
                participant_names=_names(report.participant_names) if shows_names(fund) else None,
                costs=costs[report.id],
                report_letter_id=None if erased_at else letter_id,
                report_erased_at=erased_at,
                facts=_public_facts(fund, application),
            )
        )
    return trips


def _public_facts(fund: Fund, application: Application) -> tuple[tuple[str, str], ...]:
    answers = application.answers or {}
    return tuple(
        (kinds.in_reader_language(q["label"]), kinds.in_reader_language(str(answers[q["key"]])))
        for q in fund.spec.public_questions
        if answers.get(q["key"]) not in (None, "")
    )


def published_trip(trip_id: int, today: dt.date | None = None) -> PublishedTrip | None:
    trips = published_trips(trip_id=trip_id, today=today)
    return trips[0] if trips else None


def published_report_letter(letter_id: int, today: dt.date | None = None) -> Letter | None:
    """The approved report's letter of a published trip, or None for any other letter."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.kind != REPORT_LETTER_KIND:
        return None
    trip = published_trip(letter.application_id, today)
    # A deleted report keeps its address: it says that it was deleted, and when.
    if trip is None or (letter.erased_at is None and trip.report_letter_id != letter.id):
        return None
    return letter


@dataclass(frozen=True)
class PublicationVersion:
    """What the public pages are made from, as a validator: ``key`` changes whenever
    anything they show may have changed; ``changed`` is when that last happened (a time
    the pages may give as their Last-Modified)."""

    key: str
    changed: dt.datetime
    settled: bool = True


# A change is stamped when its transaction flushes, but others see it when it commits: a
# transaction that flushed first may commit after one that flushed later, and its change
# would hide behind the later stamp. So for this long after the latest stamp (longer than a
# request may run: gunicorn's timeout, docs/deployment.md) the version also changes every
# ``SETTLING_STEP``; after it, everything stamped before has committed or never will.
SETTLING = dt.timedelta(seconds=120)
SETTLING_STEP = 10


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives the stored UTC time back without its zone.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def publication_version(now: dt.datetime | None = None) -> PublicationVersion:
    """The public pages' validator in one query of index-read maxima, the same at any number
    of applications: the latest change of an application and of a trip report (their fields,
    the state that publishes a trip), of an agenda item (a committee's approval of a report),
    and the latest event of the audit trail, which every step of a case (its journal entry),
    every letter and every change of a fund, a partner city or the municipality's profile
    appends to. And today: a trip is published once it is over, and the pages say up to
    which day they show."""
    from grants.audit.models import AuditEvent
    from grants.committees.models import AgendaItem

    now = now or clock.now()
    today = now.astimezone(clock.LOCAL).date()
    row = db.session.execute(
        select(
            select(func.max(Application.updated_at)).scalar_subquery(),
            select(func.max(TripReport.updated_at)).scalar_subquery(),
            select(func.max(AgendaItem.updated_at)).scalar_subquery(),
            select(func.max(AuditEvent.id)).scalar_subquery(),
            select(func.max(AuditEvent.at)).scalar_subquery(),
        )
    ).one()
    *stamps, event_id, event_at = row
    moments = [_aware(m) for m in (*stamps, event_at)]
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=clock.LOCAL)
    latest = max([midnight, *(m for m in moments if m is not None)])
    parts = [today.isoformat(), *(m.isoformat() if m else "-" for m in moments), str(event_id)]
    if now < latest + SETTLING:
        step = int(now.timestamp()) // SETTLING_STEP * SETTLING_STEP
        parts.append(f"settling:{step}")
        return PublicationVersion("|".join(parts), latest, settled=False)
    return PublicationVersion("|".join(parts), latest + SETTLING)
