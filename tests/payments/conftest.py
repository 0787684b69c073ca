"""Fixtures of the payments tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.payments.models import PaymentBatch

# The payments tests' world of cases (unpaid, paid in part and in full, refused, settled above
# what was paid, a refund claimed), for every test of the folder that names it.
from tests.payments.test_payments import cases  # noqa: F401 - the fixture


@pytest.fixture
def app(app):
    """The app with the payments and publication blueprints, whether or not the app factory
    registers them yet."""
    from grants.payments.views import bp as payments
    from grants.publication.views import bp as publication

    for blueprint in (payments, publication):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app


@pytest.fixture
def two_cases(world):
    """Two granted cases of the study travel fund, whose account string is set: one for an
    association (paid to its CVR number), one for a person (by the case number)."""
    from grants.extensions import db
    from tests.factories import make_organisation
    from tests.payments.test_payments import granted

    world.fund.account_string = "5.25.10.01.04.5"
    organisation = make_organisation(world.employee, name="Forening A")
    organisation.cvr = "29189420"
    association = granted(world, amount=8000, organisation_id=organisation.id)
    person = granted(world, amount=3000)
    db.session.commit()
    return association, person


@dataclass(frozen=True)
class FinanceBatch:
    """``two_cases`` sent in a batch by the finance officer, who stays logged in."""

    batch: PaymentBatch
    day: str  # today as a confirmation file writes it (ÅÅÅÅ-MM-DD)
    association: Application
    person: Application


@pytest.fixture
def finance_locale() -> str:
    """The finance officer's language in ``finance_batch``; a test parametrizes it to change
    it (the login takes the person's language into the session)."""
    return "da"


@pytest.fixture
def finance_batch(app, client, auth, world, two_cases, finance_locale) -> FinanceBatch:
    """Logged in as the finance officer (in ``finance_locale``), with a batch of
    ``two_cases`` made: the set-up of most tests of a batch's files and confirmation."""
    from grants.core import clock
    from grants.extensions import db
    from tests.payments.test_batches import make_batch

    world.finance.locale = finance_locale
    db.session.commit()
    auth.login(world.finance)
    association, person = two_cases
    return FinanceBatch(make_batch(client, app), clock.today().isoformat(), association, person)
