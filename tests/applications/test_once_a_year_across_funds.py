"""Format 2's ``limits.grants_counted_across``: "one visit a year, to or from a partner
city" counts an organisation's grants from every fund of the kinds named, while the budget
lock is the fund's own. Two decisions on two such funds for one organisation must not both
pass the rule."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from grants.applications import operations
from grants.cases.models import Application, BudgetCategory, BudgetLine, Outcome
from grants.core.errors import DomainError
from grants.extensions import db
from grants.funds import kinds
from grants.subsidies.operations import STANDARD_RULE_SETS, add_rule_set
from tests.applications.test_decision_limits import _prague
from tests.factories import future, make_organisation, make_youth_fund

# Slagelse's scheme (one visit a year, to or from a partner city) for both kinds, without
# its condition on where the organisation is based and with an older valid_from.
SOURCE = (
    (STANDARD_RULE_SETS / "examples" / "slagelse-venskabsbybesoeg.toml")
    .read_text()
    .replace('kinds = ["trip"]', 'kinds = ["trip", "hosting"]')
    .replace("valid_from = 2026-12-06", "valid_from = 2020-01-01")
    .replace("based_in_municipality = true", "")
)


def _two_funds_one_organisation(world):
    trips = make_youth_fund(code="venskabsbyrejser", board=[world.board_member])
    hosting = make_youth_fund(
        code="venskabsbybesoeg", name="Besøg", kind=kinds.HOSTING.code, board=[world.board_member]
    )
    for fund in (trips, hosting):
        add_rule_set(SOURCE, fund=fund)
    organisation = make_organisation(world.outsider)
    city = _prague()

    def case(fund, **facts):
        application = Application(
            fund=fund,
            route=fund.route,
            state="draft",
            applicant=world.outsider,
            title="Venskabsbybesøg",
            organisation=organisation,
            partner_city=city,
            departure_date=future(100),
            return_date=future(104),
            participants_young=20,
            participants_leaders=2,
            participants_disabled=0,
            direct_contact="Fælles koncert.",
            budget_lines=[
                BudgetLine(position=0, category=BudgetCategory.TRANSPORT, amount=Decimal(10000))
            ],
            **facts,
        )
        db.session.add(application)
        db.session.flush()
        operations.compute_subsidy(application)
        assert application.computed_amount > 0, application.calculation["problems"]
        application.amount_applied = application.computed_amount
        application.case_number = f"T-{application.id}"
        application.state = "awaiting_decision"
        db.session.commit()
        return application

    return organisation, case(trips), case(hosting, host_group_size=12)


def _grants(organisation) -> int:
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.organisation_id == organisation.id,
            Application.outcome.in_([Outcome.GRANTED, Outcome.PARTLY_GRANTED]),
        )
    )


def test_the_second_fund_sees_the_first_funds_grant(world):
    organisation, trip, visit = _two_funds_one_organisation(world)
    operations.decide(trip, world.caseworker, "grant", None, "")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        operations.decide(visit, world.caseworker, "grant", None, "")
    db.session.rollback()
    assert refused.value.field == "dispensation_reason"
    assert _grants(organisation) == 1


def test_two_funds_deciding_at_once_grant_the_organisation_once(app, world, database_url):
    """One server decides the trip and holds its transaction (the fund's lock and the
    grant, not yet committed); another decides the hosting visit on the other fund
    meanwhile. The second must wait and then see the first grant, not pass the rule on the
    organisation's grants as they were before."""
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite has one writer: the second decision waits for the first anyway")
    organisation, trip, visit = _two_funds_one_organisation(world)
    visit_id = visit.id
    caseworker_id = world.caseworker.id
    outcome: dict[str, object] = {}

    operations.decide(trip, world.caseworker, "grant", None, "")  # under its fund's lock
    db.session.flush()

    def other_server():
        with app.app_context():
            from grants.people.models import User

            try:
                case = db.session.get(Application, visit_id)
                actor = db.session.get(User, caseworker_id)
                operations.decide(case, actor, "grant", None, "")
                db.session.commit()
                outcome["result"] = "granted"
            except DomainError as refused:
                db.session.rollback()
                outcome["result"] = refused
            finally:
                db.session.remove()

    thread = threading.Thread(target=other_server)
    thread.start()
    time.sleep(2)  # long enough for the other to decide, if nothing holds it back
    db.session.commit()
    thread.join(30)
    assert not thread.is_alive()

    db.session.expire_all()
    assert _grants(organisation) == 1
    assert isinstance(outcome["result"], DomainError)
