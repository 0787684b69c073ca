"""The figures a fund's rule set gives, as pages and forms show them: the rate, the host
grant, the age limit. Read from the rule set's data (``RuleSet.rules``, normalised by
``grants.subsidies.rulefile``), never typed in a template: each municipality's rules show
their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select

from grants.core import clock
from grants.extensions import db
from grants.subsidies.models import RuleSet


@dataclass(frozen=True)
class Figures:
    """What a rule set says in numbers; None where the rules say nothing."""

    age_limit: int | None = None
    rate: Decimal | None = None
    rate_per: str | None = None  # "night" or "day"
    host_grant: Decimal | None = None
    host_min_group: int | None = None
    host_min_days: int | None = None


def figures_of(rules: dict | None) -> Figures:
    if not rules:
        return Figures()
    persons = rules.get("persons") or {}
    rate = rules.get("rate") or {}
    host = rules.get("host_grant") or {}
    return Figures(
        age_limit=persons.get("age_limit"),
        rate=Decimal(str(rate["amount"])) if rate.get("amount") is not None else None,
        rate_per=rate.get("per"),
        host_grant=Decimal(str(host["amount"])) if host.get("amount") is not None else None,
        host_min_group=host.get("min_group_size"),
        host_min_days=host.get("min_days"),
    )


def current_rule_sets(fund_ids, day: dt.date | None = None) -> dict[int, RuleSet]:
    """The rule set valid on ``day`` (today) of each fund, in one query: the newest version."""
    ids = list(fund_ids)
    if not ids:
        return {}
    day = day or clock.today()
    rows = db.session.scalars(
        select(RuleSet)
        .where(
            RuleSet.fund_id.in_(ids),
            RuleSet.valid_from <= day,
            or_(RuleSet.valid_to.is_(None), RuleSet.valid_to >= day),
        )
        .order_by(RuleSet.fund_id, RuleSet.version)
    )
    # Ordered by version: the newest of each fund is the last one written.
    return {rule_set.fund_id: rule_set for rule_set in rows}


def current_figures(fund_ids, day: dt.date | None = None) -> dict[int, Figures]:
    return {
        fund_id: figures_of(rule_set.rules)
        for fund_id, rule_set in current_rule_sets(fund_ids, day).items()
    }
