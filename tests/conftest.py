"""Test fixtures. The schema is built once per run by the Alembic migrations, on SQLite by
default or on PostgreSQL when TEST_DATABASE_URL is set; each test then starts from empty
tables.

A test reads a page through ``tests/html.py``, not by searching the response's text:
``field_error(response, "amount")``, ``flashes(response)``, ``errors(response)``,
``table_rows(response, "#payments")``, ``buttons(response)``, ``links(response, "Ret")``,
``field_value(response, "title")``, ``options(response, "fund")`` and, for prose,
``page_text(response)`` (what a reader sees of the page's main part)."""

from __future__ import annotations

import email
import os
import socket
from email import policy
from functools import partial

import hypothesis
import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from werkzeug.security import generate_password_hash

from config import normalise_database_url
from grants import create_app
from grants.extensions import db
from tests import factories

PASSWORD = factories.PASSWORD

# CI runs the property tests with HYPOTHESIS_PROFILE=ci: the same examples on every run
# (a failure is reproducible) and no per-example deadline on a busy machine.
hypothesis.settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def owner_database_url(tmp_path_factory) -> str:
    """The database as its owner sees it: the migrations run as this, and the tests empty
    the tables with it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'grants.db'}"
    url = normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(owner_database_url) -> str:
    """The URL the app runs on. On PostgreSQL that is a role of its own, as in production
    (docs/deployment.md): it owns nothing and may only read and append to the audit trail and
    the ledger, so every test on PostgreSQL shows the app works with no more than that. The
    migrations run as the owner and grant the role its privileges (migrations/env.py)."""
    url = owner_database_url
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}
    if make_url(url).get_backend_name() == "postgresql":
        url = app_role_url(owner_database_url)
        config.update(SQLALCHEMY_DATABASE_URI=url, DATABASE_OWNER_URL=owner_database_url)
    app = create_app(config)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def app_role_url(owner_url: str) -> str:
    """A login role for the app, one per test database (roles belong to the whole server)."""
    owner = make_url(owner_url)
    role = f"{owner.database}_app"
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.scalar() is None:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    engine.dispose()
    return owner.set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture
def app(database_url, owner_database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATABASE_OWNER_URL": owner_database_url
            if database_url != owner_database_url
            else None,
            "MAIL_FOLDER": str(tmp_path / "mail"),
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(owner_database_url if database_url != owner_database_url else None)
        db.engine.dispose()


_owner_engines: dict[str, object] = {}


def _empty_tables(owner_url: str | None = None) -> None:
    """As the owner where the app has a role of its own: that role may not empty the
    append-only tables, nor TRUNCATE any."""
    engine = db.engine
    if owner_url:
        engine = _owner_engines.get(owner_url) or _owner_engines.setdefault(
            owner_url, create_engine(owner_url)
        )
    tables = [t for t in db.metadata.sorted_tables]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


class FreshContextClient(FlaskClient):
    """Requests in a test share the test's app context (and so its database session, which
    lets a test look at what a request did); what Flask-Babel and the app cache in `g` for
    one request is cleared before the next, as a new request would have it. Flask-Login's
    cached user is kept (clearing it makes every request re-run its session protection);
    a test about sessions ending clears it itself."""

    def open(self, *args, **kwargs):
        import flask_babel
        from flask import g

        # Flask-WTF keeps the request's CSRF token in g as well: kept, a later request
        # would be given the token of an earlier session, and every form post refused.
        for name in (
            "_municipality",
            "writes",
            "flushed",
            "outbox",
            "csrf_token",
            "url_locale",
            "same_without_session",
        ):
            g.pop(name, None)
        flask_babel.refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture(autouse=True)
def quick_password_hashes(request, monkeypatch):
    """The test people's passwords hashed with one round instead of scrypt (0.1 s to make
    and 0.1 s to check, and a test's world has seven people): half the suite's time went
    there. A test marked ``real_password_hashing`` gets the app's own hashing."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    monkeypatch.setattr(
        "grants.people.models.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def routes(app):
    from grants.workflow.loader import load_standard_routes

    loaded = load_standard_routes()
    db.session.commit()
    return loaded


@pytest.fixture
def world(app, routes):
    """A small municipality: the people of the study-trip journey and the study travel fund."""
    return factories.study_trip_world()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = PASSWORD):
        self._client.post("/log-ud")
        response = self._client.post("/log-ind", data={"email": user.email, "password": password})
        if response.status_code == 302 and response.headers["Location"].endswith("/log-ind/kode"):
            # A second factor (every administrator has one): the code the app shows now.
            code = factories.totp_code(user)
            response = self._client.post("/log-ind/kode", data={"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self._client.post("/log-ud")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# A real SMTP server on loopback that keeps what it receives.
class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def take(self) -> list[email.message.EmailMessage]:
        taken, self.messages = self.messages, []
        return taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield handler
    controller.stop()


@pytest.fixture
def move_clock(monkeypatch):
    """Move the app's clock to 07:00 in Copenhagen on a day. A report is sent once the trip
    is over, so the tests move to the return date (or later) before they send one."""

    def to(day) -> None:
        import datetime as dt

        from grants.core import clock

        moment = dt.datetime.combine(day, dt.time(7, 0), tzinfo=clock.LOCAL)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(dt.UTC))

    return to
