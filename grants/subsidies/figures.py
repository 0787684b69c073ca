"""The figures a fund's rule set gives, as pages and forms show them: the rate, the host
grant, the age limit. Read from the rule set's data (``RuleSet.rules``, normalised by
``grants.subsidies.rulefile``), never typed in a template: each municipality's rules show
their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import or_, select

from grants.core import clock
from grants.extensions import db
from grants.subsidies.models import RuleSet, rule_set_for


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
    if not rate:
        # Format 2: the first amount per person per night or day, as format 1's [rate].
        for each in rules.get("rates") or []:
            if each["basis"] in ("person_night", "person_day"):
                rate = {"amount": each["amount"], "per": each["basis"].removeprefix("person_")}
                break
    host = rules.get("host_grant") or {}
    age_limit = persons.get("age_limit")
    if age_limit is not None and persons.get("age_limit_inclusive"):
        # Pages say "under N år": "til og med 25 år" is "under 26 år".
        age_limit += 1
    return Figures(
        age_limit=age_limit,
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


# -- the age limit, as forms and pages name it ----------------------------------------------


def age_limit_of(fund, day: dt.date | None = None) -> int | None:
    """The age limit of the fund's rules for a trip on ``day`` (today): participants under it
    count. None: the rules have no age limit (everyone counts), or the fund has no rules."""
    if fund is None or not getattr(fund, "computes_subsidy", False):
        return None
    rule_set = rule_set_for(fund, day or clock.today())
    return figures_of(rule_set.rules).age_limit if rule_set is not None else None


def young_count_label(age_limit: int | None, *, attended: bool = False) -> str:
    """The label of the count of children and young people, with the rules' age limit."""
    if age_limit is None:
        if attended:
            return _("Antal børn og unge, der deltog")
        return _("Antal børn og unge")
    if attended:
        return _("Antal børn og unge under %(age)d år, der deltog", age=age_limit)
    return _("Antal børn og unge under %(age)d år", age=age_limit)


def young_count(age_limit: int | None, num: int | None) -> str:
    """ "Unge under 25: 12" on a case page and in the report."""
    if age_limit is None:
        return _("Børn og unge: %(num)d", num=num or 0)
    return _("Unge under %(age)d: %(num)d", age=age_limit, num=num or 0)


def age_limit_for(application) -> int | None:
    """The age limit a case counts by: its rule set's (the version it was computed with), or
    the fund's rules on its departure date."""
    if application is None:
        return None
    if getattr(application, "rule_set", None) is not None:
        return figures_of(application.rule_set.rules).age_limit
    return age_limit_of(application.fund, application.departure_date)
