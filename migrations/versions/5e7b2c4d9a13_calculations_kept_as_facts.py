"""a case's subsidy calculation is kept as facts, not as text in the language it was made in

Application.calculation and TripReport.recalculation held the working as text ("12 unge +
2 ledere = 14 personer × 5 nætter × 100,00 kr. = 7.000,00 kr."), written in the language
of whoever saved it: an English reader saw Danish. They now keep the trip's facts, the
rule-set version and the amounts (grants.subsidies.result.Calculation.facts), and the
working is written for each reader (grants.subsidies.calculation.shown).

This migration works each kept calculation out again from the case's own facts and its
rule-set version, the organisation's other grants as the rules saw them, and keeps the
facts where the amounts come out exactly as kept. A calculation that does not (the engine
or the case changed since) is left as it was, text and all, and is shown as it is.
No schema change; downgrading leaves the facts (they are shown all the same).

Revision ID: 5e7b2c4d9a13
Revises: 7b2f4c1d9e30
Create Date: 2026-12-06 01:30:00

"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "5e7b2c4d9a13"
down_revision = "7b2f4c1d9e30"
branch_labels = None
depends_on = None

TRIP_KINDS = {"youth_trip": "trip", "hosting": "hosting", "pupil_exchange": "exchange"}
CATEGORIES = ("transport", "accommodation", "fees", "meals", "other")
LOCAL = ZoneInfo("Europe/Copenhagen")


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _day(value):
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else value
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL).date()


def _kroner(ore) -> Decimal:
    return Decimal(int(ore or 0)).scaleb(-2)


def upgrade():
    from grants.subsidies.engine import compute
    from grants.subsidies.facts import City, OrganisationFacts, Trip

    conn = op.get_bind()
    rules = {
        row.id: _json(row.rules)
        for row in conn.execute(sa.text("SELECT id, rules FROM rule_set"))
    }
    postcodes = set()
    for row in conn.execute(sa.text("SELECT postcodes FROM municipality ORDER BY id LIMIT 1")):
        postcodes = set((row.postcodes or "").replace(",", " ").split())

    def city(city_id):
        if city_id is None:
            return ()
        row = conn.execute(
            sa.text(
                "SELECT name, country, relation, valid_from, valid_to FROM partner_city "
                "WHERE id = :id"
            ),
            {"id": city_id},
        ).first()
        if row is None:
            return ()
        return (
            City(
                name=row.name,
                country=row.country or "",
                relation=str(row.relation),
                valid_from=_day(row.valid_from),
                valid_to=_day(row.valid_to),
            ),
        )

    def organisation(case, year, before=None):
        if case.organisation_id is None or year is None:
            return None
        row = conn.execute(
            sa.text("SELECT postcode FROM organisation WHERE id = :id"),
            {"id": case.organisation_id},
        ).first()
        query = (
            "SELECT count(*) AS n, coalesce(sum(granted_amount), 0) AS amount "
            "FROM application WHERE fund_id = :fund AND organisation_id = :org "
            "AND id != :id AND outcome IN ('granted', 'partly_granted') "
            "AND departure_date >= :first AND departure_date <= :last"
        )
        values = {
            "fund": case.fund_id,
            "org": case.organisation_id,
            "id": case.id,
            "first": dt.date(year, 1, 1),
            "last": dt.date(year, 12, 31),
        }
        if before is not None:
            query += " AND decided_at < :before"
            values["before"] = before
        seen = conn.execute(sa.text(query), values).first()
        return OrganisationFacts(
            based_in_municipality=(row.postcode in postcodes) if row and postcodes else None,
            grants_this_year=int(seen.n or 0),
            granted_amount_this_year=_kroner(seen.amount),
        )

    def same(kept, calculation) -> bool:
        return [(line.get("code", ""), str(line["amount"])) for line in kept["lines"]] == [
            (line.code, str(line.amount)) for line in calculation.lines
        ] and str(kept["total"]) == str(calculation.total)

    def facts(kept, calculation):
        new = calculation.facts()
        new["rule_set"] = kept.get("rule_set")
        return new

    cases = conn.execute(
        sa.text(
            "SELECT a.id, a.fund_id, f.kind, a.organisation_id, a.partner_city_id, "
            "a.departure_date, a.return_date, a.participants_young, a.participants_leaders, "
            "a.participants_disabled, a.birth_years, a.host_group_size, a.direct_contact, "
            "a.submitted_at, a.rule_set_id, a.calculation FROM application a "
            "JOIN fund f ON f.id = a.fund_id WHERE a.calculation IS NOT NULL"
        )
    ).all()
    by_id = {case.id: case for case in cases}
    for case in cases:
        kept = _json(case.calculation)
        if not kept or kept.get("format") or case.rule_set_id not in rules:
            continue
        costs = {category: Decimal(0) for category in CATEGORIES}
        for line in conn.execute(
            sa.text("SELECT category, amount FROM budget_line WHERE application_id = :id"),
            {"id": case.id},
        ):
            costs[str(line.category)] += _kroner(line.amount)
        departure = _day(case.departure_date)
        years = _json(case.birth_years)
        trip = Trip(
            kind=TRIP_KINDS.get(str(case.kind), "trip"),
            departure=departure,
            return_=_day(case.return_date),
            participants_under_limit=case.participants_young or 0,
            birth_years=tuple(years) if years else None,
            leaders=case.participants_leaders or 0,
            disabled_participants=case.participants_disabled or 0,
            partner_cities=city(case.partner_city_id),
            costs=costs,
            organisation=organisation(
                case, departure.year if departure else None, before=case.submitted_at
            ),
            applied_on=_day(case.submitted_at),
            direct_contact=case.direct_contact or "",
            host_group_size=case.host_group_size or 0,
        )
        calculation = compute(rules[case.rule_set_id], trip)
        if same(kept, calculation):
            conn.execute(
                sa.text("UPDATE application SET calculation = :c WHERE id = :id").bindparams(
                    sa.bindparam("c", type_=sa.JSON)
                ),
                {"c": facts(kept, calculation), "id": case.id},
            )

    reports = conn.execute(
        sa.text(
            "SELECT id, application_id, actual_departure, actual_return, actual_young, "
            "actual_leaders, actual_disabled, actual_birth_years, actual_host_group_size, "
            "recalculation FROM trip_report WHERE recalculation IS NOT NULL"
        )
    ).all()
    for report in reports:
        kept = _json(report.recalculation)
        case = by_id.get(report.application_id)
        if not kept or kept.get("format") or case is None or case.rule_set_id not in rules:
            continue
        costs = {category: Decimal(0) for category in CATEGORIES}
        for line in conn.execute(
            sa.text("SELECT category, amount FROM account_line WHERE report_id = :id"),
            {"id": report.id},
        ):
            costs[str(line.category)] += _kroner(line.amount)
        departure = _day(report.actual_departure) or _day(case.departure_date)
        years = _json(report.actual_birth_years)
        trip = Trip(
            kind=TRIP_KINDS.get(str(case.kind), "trip"),
            departure=departure,
            return_=_day(report.actual_return) or _day(case.return_date),
            participants_under_limit=report.actual_young or 0,
            birth_years=tuple(years) if years else None,
            leaders=report.actual_leaders or 0,
            disabled_participants=report.actual_disabled or 0,
            partner_cities=city(case.partner_city_id),
            costs=costs,
            organisation=organisation(case, departure.year if departure else None),
            applied_on=_day(case.submitted_at),
            direct_contact=case.direct_contact or "",
            host_group_size=report.actual_host_group_size or 0,
        )
        calculation = compute(rules[case.rule_set_id], trip)
        if same(kept, calculation):
            conn.execute(
                sa.text("UPDATE trip_report SET recalculation = :c WHERE id = :id").bindparams(
                    sa.bindparam("c", type_=sa.JSON)
                ),
                {"c": facts(kept, calculation), "id": report.id},
            )


def downgrade():
    # The facts are shown as well as the text was; nothing to undo.
    pass
