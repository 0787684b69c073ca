"""Fixtures of the budgets' tests (quick password hashes: tests/conftest.py), and the
committee's fund and granted trips several of them book on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grants.budgets.movements import record_payment, reserve
from grants.funds import kinds
from grants.funds.models import CarryOver, Fund
from tests.factories import make_application, make_fund


def economy_committee(**overrides) -> Fund:
    """Økonomiudvalget: 65,000 kr. a year, carried over within the election period."""
    values = dict(
        code="okonomiudvalget",
        name="Økonomiudvalget",
        route="screening_decision",
        kind=kinds.COMMITTEE.code,
        budget=65000,
        carry_over=CarryOver.ELECTION_PERIOD,
    )
    return make_fund(**{**values, **overrides})


def reserved_trip(world, fund, departure: dt.date, amount, state: str):
    """A trip of ``fund`` leaving on ``departure`` (four days), in ``state``, with ``amount``
    reserved in the budget by the caseworker."""
    application = make_application(
        world.employee,
        fund,
        amount=amount,
        state=state,
        departure_date=departure,
        return_date=departure + dt.timedelta(days=3),
    )
    reserve(application, Decimal(amount), world.caseworker)
    return application


def granted_trip(world, fund, departure: dt.date, amount, paid=0):
    """A trip of ``fund`` leaving on ``departure`` (four days), granted ``amount`` by the
    caseworker and reserved in the budget; ``paid`` of it paid on 1 February."""
    application = reserved_trip(world, fund, departure, amount, "granted")
    if paid:
        record_payment(
            application, Decimal(paid), world.finance, dt.date(departure.year, 2, 1), f"B-{amount}"
        )
    return application
