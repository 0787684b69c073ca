"""Behind a reverse proxy (docs/deployment.md): with PROXY_COUNT set, the client's address
comes from X-Forwarded-For, so login throttling counts per person and not per proxy; without
it, the header is ignored, so nobody can claim another's address."""

from __future__ import annotations

from sqlalchemy import select

from grants import create_app
from grants.extensions import db
from grants.people.models import LoginAttempt


def failed_login_address(database_url, tmp_path, **config) -> str:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_FOLDER": str(tmp_path / "mail"),
            **config,
        }
    )
    with app.app_context():
        response = app.test_client().post(
            "/log-ind",
            data={"email": "nobody@example.dk", "password": "not the password"},
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        assert response.status_code == 422  # refused: wrong password
        address = db.session.scalars(select(LoginAttempt.ip).order_by(LoginAttempt.id.desc()))
        found = address.first()
        db.session.remove()
    return found


def test_the_client_address_comes_from_the_proxy_only_when_told_to_trust_it(
    app, database_url, tmp_path
):
    assert failed_login_address(database_url, tmp_path) == "10.0.0.2"
    assert failed_login_address(database_url, tmp_path, PROXY_COUNT=1) == "203.0.113.9"
