"""Limits that must hold at the moment of decision, found in review and kept closed: the
caseworker's delegated limit cannot be passed by dispensation, and "once a year" holds when
two of an organisation's cases wait at the same time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.applications import operations
from grants.budgets.models import BudgetEntry
from grants.cases.models import Application
from grants.core.errors import DomainError
from grants.extensions import db
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from tests.factories import future, make_organisation, make_youth_fund


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(BudgetEntry))


@pytest.fixture
def youth_fund(world):
    return make_youth_fund(board=[world.board_member])


def _prague():
    from grants.partners.models import PartnerCity, Relation

    city = PartnerCity(
        name="Prag 10", country="CZ", relation=Relation.TWIN_CITY, valid_from=dt.date(2014, 8, 25)
    )
    db.session.add(city)
    db.session.flush()
    return city


def _submitted_youth_case(world, fund, organisation, city, **overrides):
    application = Application(
        fund=fund,
        route=fund.route,
        state="draft",
        applicant=organisation.members[0].user,
        title="Tur",
        organisation=organisation,
        partner_city=city,
        departure_date=future(40),
        return_date=future(45),
        participants_young=12,
        participants_leaders=2,
        participants_disabled=0,
        direct_contact="Fælles koncert.",
        **overrides,
    )
    db.session.add(application)
    db.session.flush()
    operations.compute_subsidy(application)
    application.amount_applied = application.computed_amount
    application.case_number = f"T-{application.id}"
    application.state = "awaiting_decision"
    db.session.commit()
    return application


def test_a_caseworker_cannot_grant_above_the_delegated_limit_by_dispensation(world, youth_fund):
    add_rule_set((STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text(), fund=youth_fund)
    organisation = make_organisation(world.outsider)
    application = _submitted_youth_case(world, youth_fund, organisation, _prague())
    before = entries()
    with pytest.raises(DomainError) as refused:
        operations.decide(application, world.caseworker, "grant", Decimal("140000"), "", "fordi")
    db.session.rollback()
    assert "bestyrelse" in refused.value.message
    assert entries() == before
    assert db.session.get(Application, application.id).state == "awaiting_decision"


def test_once_a_year_holds_when_two_cases_wait_at_the_same_time(world, youth_fund):
    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text()
    add_rule_set(source + "\n[limits]\ngrants_per_organisation_per_year = 1\n", fund=youth_fund)
    organisation = make_organisation(world.outsider)
    city = _prague()
    first = _submitted_youth_case(world, youth_fund, organisation, city)
    second = _submitted_youth_case(world, youth_fund, organisation, city)
    assert first.amount_applied == second.amount_applied == Decimal("7000.00")
    operations.decide(first, world.caseworker, "grant", None, "")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        operations.decide(second, world.caseworker, "grant", None, "")
    db.session.rollback()
    assert refused.value.field == "dispensation_reason"
    # With a recorded reason the caseworker may still grant it.
    operations.decide(
        second,
        world.caseworker,
        "grant",
        None,
        "",
        "Særlig jubilæumsudveksling, aftalt med udvalget.",
    )
    db.session.commit()
    assert db.session.get(Application, second.id).dispensation_reason


def test_a_reconsidered_grant_does_not_count_itself_against_once_a_year(world, youth_fund):
    """Genoptagelse of the organisation's one grant this year: the case's own grant is the
    one the decision replaces, not another one. Raising a partial grant to what the rules
    give needs no dispensation."""
    source = (STANDARD_RULE_SETS / "ballerup-ungdomsrejser.toml").read_text()
    add_rule_set(source + "\n[limits]\ngrants_per_organisation_per_year = 1\n", fund=youth_fund)
    organisation = make_organisation(world.outsider)
    case = _submitted_youth_case(world, youth_fund, organisation, _prague())
    operations.decide(case, world.caseworker, "grant_part", Decimal(5000), "Kun rejsen.")
    db.session.commit()
    operations.request_reconsideration(
        case, world.outsider, "request_reconsideration", "Vi er flere med end først oplyst."
    )
    db.session.commit()

    operations.decide(case, world.caseworker, "grant", None, "")
    db.session.commit()

    case = db.session.get(Application, case.id)
    assert case.state == "granted" and case.granted_amount == case.computed_amount
    assert not case.dispensation_reason
