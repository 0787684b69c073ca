"""Fixtures of the payments tests."""

from __future__ import annotations

import pytest


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
