"""Holes found in review, kept closed: limits that must hold at the moment of decision,
input that must be refused rather than crash, and access that must stay narrow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.applications import operations
from grants.applications.models import Application
from grants.budgets.models import BudgetEntry
from grants.core.errors import DomainError, NotAllowed
from grants.extensions import db
from grants.funds import kinds
from grants.organisations.models import Membership
from grants.people.models import Role
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from grants.workflow import engine
from tests.applications.helpers import form_data
from tests.factories import future, make_fund, make_organisation, make_user


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(BudgetEntry))


@pytest.fixture
def youth_fund(world):
    fund = make_fund(
        code="ungdomsrejser",
        name="Ungdomsrejser",
        kind=kinds.YOUTH_TRIP.code,
        route="screening_decision",
        delegated_limit=20000,
        budget=150000,
        board=[world.board_member],
    )
    return fund


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


def test_nobody_can_be_left_to_decide(world):
    fund = make_fund(delegated_limit=1000, board=[])  # no board for amounts above 1.000 kr.
    from tests.factories import make_application

    application = make_application(world.employee, fund, amount=8000, state="screening")
    db.session.commit()
    with pytest.raises(NotAllowed):
        engine.take(application, "forward_for_decision", world.caseworker)
    db.session.rollback()
    assert db.session.get(Application, application.id).state == "screening"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount_applied": "1e400"}, "amount_applied"),
        ({"transport": "1e5"}, "transport"),
        ({"return_date": "9999-12-31"}, "return_date"),
        (
            {
                "departure_date": (dt.date.today() + dt.timedelta(days=4000)).isoformat(),
                "return_date": (dt.date.today() + dt.timedelta(days=4003)).isoformat(),
            },
            "departure_date",
        ),
    ],
)
def test_absurd_input_is_refused_not_crashed(world, client, auth, overrides, field):
    auth.login(world.employee)
    response = client.post(
        "/ansoegninger/ny/studierejsefonden",
        data=form_data(manager_id=str(world.manager.id), **overrides),
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_an_absurd_page_number_is_clamped(world, client, auth):
    auth.login(world.caseworker)
    assert client.get("/arbejdskoe?page=99999999999999999999").status_code == 200


def test_the_endorsing_manager_is_the_employees_own(world, client, auth):
    other_manager = make_user(Role.EMPLOYEE, Role.MANAGER, name="Anden Leder")
    db.session.commit()
    auth.login(world.employee)
    response = client.post(
        "/ansoegninger/ny/studierejsefonden", data=form_data(manager_id=str(other_manager.id))
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_a_forwarded_invitation_is_no_key(world, client, auth):
    from grants.organisations import operations as organisation_operations

    organisation = make_organisation(world.employee)
    with client.application.test_request_context():
        invitation = organisation_operations.invite(organisation, "ven@example.dk", world.employee)
    from grants.notifications.models import OutboxMessage

    # The token is only in the link the mail carries.
    body = db.session.scalars(select(OutboxMessage)).one().body
    token = body.split("/invitationer/")[1].split()[0]
    db.session.commit()
    auth.login(world.outsider)  # not the invited address
    response = client.post(f"/invitationer/{token}")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1
    assert invitation.accepted_at is None


def test_production_refuses_the_development_secret_key(monkeypatch):
    from config import ProductionConfig
    from grants import create_app

    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)

    class Configured(ProductionConfig):
        SECRET_KEY = "a-long-random-production-key-0123456789"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(Configured).config["SESSION_COOKIE_SECURE"] is True
