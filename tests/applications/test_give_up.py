"""A grant given up or cancelled before anything is paid releases its money to the fund."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.applications import operations
from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import record_payment
from grants.cases.models import Application
from grants.core import clock
from grants.extensions import db
from tests.confirming import take_confirmed_step
from tests.factories import make_application
from tests.html import has_error, page_text


def granted_case(world, amount=8000):
    application = make_application(
        world.employee, world.fund, amount=amount, state="awaiting_decision"
    )
    db.session.commit()
    operations.decide(application, world.caseworker, "grant", None, "")
    db.session.commit()
    return application


def test_the_applicant_gives_up_a_grant_and_the_money_goes_back(world, client, auth):
    application = granted_case(world)
    year = application.budget_year
    assert balance(world.fund.id, year).available == Decimal("92000.00")
    auth.login(world.employee)
    response = client.post(
        f"/ansoegninger/{application.id}/trin/give_up_grant", data={"comment": ""}
    )
    assert response.status_code == 422  # a reason is asked for
    assert balance(world.fund.id, year).available == Decimal("92000.00")
    response = client.post(
        f"/ansoegninger/{application.id}/trin/give_up_grant",
        data={"comment": "Konferencen er aflyst."},
    )
    # Shown first: what happens, and nothing changes until it is confirmed.
    assert response.status_code == 200
    assert "Du giver afkald på bevillingen på 8.000,00 kr." in page_text(response)
    assert db.session.get(Application, application.id).state == "granted"
    assert balance(world.fund.id, year).available == Decimal("92000.00")
    response = take_confirmed_step(
        client, application.id, "give_up_grant", "Konferencen er aflyst."
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "withdrawn"
    kinds = [
        e.kind
        for e in db.session.scalars(
            select(BudgetEntry).filter_by(application_id=application.id).order_by(BudgetEntry.id)
        )
    ]
    assert kinds == [EntryKind.RESERVATION, EntryKind.RELEASE]
    assert balance(world.fund.id, year).available == Decimal("100000.00")


def test_the_caseworker_cancels_a_grant(world, client, auth):
    application = granted_case(world)
    auth.login(world.outsider)
    assert (
        client.post(
            f"/ansoegninger/{application.id}/trin/cancel_grant", data={"comment": "x"}
        ).status_code
        == 403
    )
    auth.login(world.caseworker)
    response = take_confirmed_step(
        client, application.id, "cancel_grant", "Rejsen blev ikke til noget."
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "cancelled"
    assert balance(world.fund.id, application.budget_year).granted == 0


def test_a_paid_grant_cannot_simply_be_given_up(world, client, auth):
    application = granted_case(world)
    record_payment(application, Decimal("8000"), world.finance, clock.today(), "B-1")
    db.session.commit()
    auth.login(world.employee)
    response = take_confirmed_step(client, application.id, "give_up_grant", "Aflyst.")
    # The step is the applicant's; a rule refuses it (the error protocol: 422, not 403).
    assert response.status_code == 422
    assert has_error(response, "allerede udbetalt")
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "granted"


def test_what_becomes_of_the_money_is_said_as_it_will_be(world, client, auth, move_clock):
    """Back to the fund while its year is open; after the year's closing the money lapses, or
    moves on to next year within the election period, and the confirmation says so, in
    the person's language (it said "back to the fund" whatever became of it)."""
    from flask_babel import force_locale

    from grants.budgets.closing import close_year, where_released_money_goes
    from grants.funds.models import CarryOver
    from tests.core.test_translations import switch_language

    application = granted_case(world)
    year = application.budget_year
    auth.login(world.employee)
    step = f"/ansoegninger/{application.id}/trin/give_up_grant"
    response = client.post(step, data={"comment": "Aflyst."})
    assert "Pengene går tilbage til puljens budget." in page_text(response)

    move_clock(clock.today().replace(year=year + 1, month=1, day=5))
    close_year(year, world.finance, waiting="close")
    db.session.commit()
    auth.login(world.employee)
    response = client.post(step, data={"comment": "Aflyst."})
    assert f"Budgetåret {year} er lukket, så pengene bortfalder." in page_text(response)
    switch_language(client, "en")
    response = client.post(step, data={"comment": "Cancelled."})
    assert f"The budget year {year} is closed, so the money lapses." in page_text(response)

    world.fund.carry_over = CarryOver.ELECTION_PERIOD
    with force_locale("da"):
        moved = where_released_money_goes(world.fund, year)
    from grants.budgets.elections import election_period

    if year + 1 in election_period(year):
        assert moved == f"Budgetåret {year} er lukket, så pengene overføres til {year + 1}."
    else:
        assert moved == f"Budgetåret {year} er lukket, så pengene bortfalder."
