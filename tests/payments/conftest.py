"""Fixtures of the payments tests."""

from __future__ import annotations

import pytest

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
