"""Fixtures of the payments tests."""

from __future__ import annotations

from functools import partial

import pytest
from werkzeug.security import generate_password_hash


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


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """One round of hashing instead of scrypt: these tests are about money and openness."""
    monkeypatch.setattr(
        "grants.people.models.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )
