"""Test fixtures. The schema is built once per run by the Alembic migrations, on SQLite by
default or on PostgreSQL when TEST_DATABASE_URL is set; each test then starts from empty
tables.

A test reads a page through ``tests/html.py``, not by searching the response's text:
``field_error(response, "amount")``, ``flashes(response)``, ``errors(response)``,
``table_rows(response, "#payments")``, ``buttons(response)``, ``links(response, "Ret")``,
``field_value(response, "title")``, ``options(response, "fund")`` and, for prose,
``page_text(response)`` (what a reader sees of the page's main part); also ``headings``,
``definitions`` (a <dl>), ``badges`` (status tags), ``notices`` (a page's own alert boxes),
``table_records`` / ``table_after`` (a table's rows by column, the table under a heading),
``field_label`` / ``field_hint`` and ``form_actions``. ``scripts/raw_page_searches.py``
counts what still searches the raw text."""

from __future__ import annotations

import copy
import email
import os
import socket
import sqlite3
from email import policy
from functools import partial

import hypothesis
import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from config import normalise_database_url
from grants import create_app
from grants.extensions import db
from tests import factories, snapshots

PASSWORD = factories.PASSWORD

# CI runs the property tests with HYPOTHESIS_PROFILE=ci: the same examples on every run
# (a failure is reproducible) and no per-example deadline on a busy machine.
hypothesis.settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _on_postgresql() -> bool:
    url = os.environ.get("TEST_DATABASE_URL") or ""
    return bool(url) and make_url(normalise_database_url(url)).get_backend_name() == "postgresql"


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL, only the tests that use a database run: one that never asks for it
    (directly or through ``app``, ``client``, ``world`` …) runs the same on either, so the
    SQLite run (``make test``) covers it, and CI does not spend its minutes on it twice. So
    does one marked ``once``: it uses a database to get there, but what it checks is not the
    database's (the words of every kind of letter, read from their PDFs)."""
    if not _on_postgresql():
        return
    kept, once = [], []
    for item in items:
        uses_database = "owner_database_url" in getattr(item, "fixturenames", ())
        said_once = item.get_closest_marker("once") is not None
        (kept if uses_database and not said_once else once).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = kept


@pytest.fixture(scope="session")
def owner_database_url(tmp_path_factory) -> str:
    """The database as its owner sees it: the migrations run as this, and the tests empty
    the tables with it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'grants.db'}"
    url = _worker_database(normalise_database_url(url))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        # A commit need not wait for the disk here (a test database outlives no crash):
        # each test commits a dozen times, and waiting took a good part of the run. For every
        # session that connects after this, the app's role's too.
        database = conn.dialect.identifier_preparer.quote(make_url(url).database)
        conn.execute(text(f"ALTER DATABASE {database} SET synchronous_commit = off"))
    engine.dispose()
    return url


def _worker_database(url: str) -> str:
    """With pytest-xdist (``make test`` runs two workers, PYTEST_WORKERS), each worker has a
    database of its own beside the one named: ``test`` is ``test_gw0``, ``test_gw1`` ...,
    made on first use (by the owner, who may create databases: CI's and a developer's
    ``postgres``). Without xdist, the database named."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).scalar()
        if found is None:
            quote = conn.dialect.identifier_preparer.quote
            conn.execute(text(f"CREATE DATABASE {quote(own.database)}"))
    engine.dispose()
    return own.render_as_string(hide_password=False)


@event.listens_for(Engine, "connect")
def _no_waiting_for_the_disk(dbapi_connection, _record) -> None:
    """SQLite test databases commit without fsync: each test commits a dozen times, and on
    a busy disk waiting for it took a good part of the run. A test database outlives no
    crash, and locking and transactions are as before."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


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


def _new_app(database_url: str, owner_database_url: str):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATABASE_OWNER_URL": owner_database_url
            if database_url != owner_database_url
            else None,
        }
    )


def _setup_of(app) -> tuple:
    """What a test could add to an app beyond its config: routes, blueprints, hooks, CLI
    commands, template globals, CSRF exemptions, middleware, a view replaced. A test that changed any of it
    leaves the app to itself; the next test gets a new one."""

    def hooks(spec: dict) -> tuple:
        return tuple(sorted((str(key), len(funcs)) for key, funcs in spec.items()))

    csrf = app.extensions.get("csrf")
    return (
        tuple(sorted(app.blueprints)),
        # (a view replaced in place counts too: its function is another object)
        tuple(sorted((name, id(view)) for name, view in app.view_functions.items())),
        tuple(sorted(rule.rule for rule in app.url_map.iter_rules())),
        tuple(sorted(app.cli.commands)),
        hooks(app.before_request_funcs),
        hooks(app.after_request_funcs),
        hooks(app.teardown_request_funcs),
        hooks(app.template_context_processors),
        hooks(app.url_value_preprocessors),
        hooks(app.url_default_functions),
        tuple(
            sorted(
                (str(scope), str(code), len(handlers))
                for scope, codes in app.error_handler_spec.items()
                for code, handlers in codes.items()
                if handlers
            )
        ),
        tuple(sorted(app.jinja_env.globals)),
        tuple(sorted(app.jinja_env.filters)),
        tuple(sorted(app.jinja_env.tests)),
        len(getattr(csrf, "_exempt_views", ())),
        len(getattr(csrf, "_exempt_blueprints", ())),
        id(app.__dict__.get("wsgi_app")),
        id(app.url_map),
        id(app.jinja_env),
    )


class _OneApp:
    """One app for a whole test run instead of one a test: making it (920 URL rules) cost
    0.1 s a test, and each new app compiled every template it rendered and every SQL
    statement it ran afresh (Jinja's and SQLAlchemy's caches belong to the app's template
    environment and engine), which together doubled the suite's time.

    Each test still starts from the app as created: its config as made, its extensions as
    made (the per-app caches a test filled, e.g. the OIDC client, are dropped), the clock as
    the config sets it, a new app context (so a new `g` and database session), and empty
    tables. A test that added to the app's setup (a route, a blueprint, a hook; see
    ``_setup_of``) has the app discarded after it."""

    def __init__(self, database_url: str, owner_database_url: str) -> None:
        self._urls = (database_url, owner_database_url)
        self._app = None

    def get(self):
        if self._app is None:
            app = _new_app(*self._urls)
            self._config = copy.deepcopy(dict(app.config))
            self._extensions = dict(app.extensions)
            self._setup = _setup_of(app)
            self._app = app
        app = self._app
        app.config.clear()
        app.config.update(copy.deepcopy(self._config))
        for name in set(app.extensions) - set(self._extensions):
            del app.extensions[name]
        app.extensions.update(self._extensions)
        from grants.core import clock

        clock.configure(app)
        # As a new app: not yet served, so a test may still add a route to it.
        app._got_first_request = False
        return app

    def done_with(self, app) -> None:
        if _setup_of(app) != self._setup:
            self._app = None


@pytest.fixture(scope="session")
def _one_app(database_url, owner_database_url) -> _OneApp:
    return _OneApp(database_url, owner_database_url)


@pytest.fixture
def app(_one_app, database_url, owner_database_url, tmp_path):
    app = _one_app.get()
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(owner_database_url if database_url != owner_database_url else None)
        db.engine.dispose()
    _one_app.done_with(app)


_owner_engines: dict[str, object] = {}


def _owner_engine(owner_url: str | None):
    if not owner_url:
        return None
    return _owner_engines.get(owner_url) or _owner_engines.setdefault(
        owner_url, create_engine(owner_url)
    )


def _empty_tables(owner_url: str | None = None) -> None:
    """As the owner where the app has a role of its own: that role may not empty the
    append-only tables.

    DELETE rather than TRUNCATE on PostgreSQL too: truncating fifty tables made fifty new files
    on disk and took up to 1.9 s a test on a busy machine; deleting the few rows a test wrote
    takes milliseconds. There as the owner with triggers off (the append-only guards; the
    foreign keys the order keeps anyway), and every sequence back at its start, as TRUNCATE ...
    RESTART IDENTITY left them. All of it in one script sent at once: a statement a table, each
    its own round trip, took 0.05 s a test on PostgreSQL and 0.01 s on SQLite."""
    engine = _owner_engine(owner_url) or db.engine
    quote = engine.dialect.identifier_preparer.quote
    deletes = [f"DELETE FROM {quote(t.name)};" for t in reversed(db.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        script = " ".join(
            [
                "SET LOCAL session_replication_role = replica;",
                *deletes,
                "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
                " JOIN pg_class c ON c.oid = s.seqrelid"
                " WHERE c.relnamespace = 'public'::regnamespace;",
            ]
        )
        with engine.begin() as conn:
            conn.exec_driver_sql(script)
    else:
        with engine.connect() as conn:
            # (executescript commits what is open first, then runs the script as written)
            conn.connection.dbapi_connection.executescript(
                " ".join(["BEGIN;", *deletes, "COMMIT;"])
            )
    snapshots.known(snapshots.EMPTY)


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
            "_layout_facts",
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


def _route_files_key() -> tuple:
    from grants.workflow.loader import STANDARD_ROUTES

    return tuple(
        (path.name, path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(STANDARD_ROUTES.glob("*.toml"))
    )


@pytest.fixture
def routes(app, owner_database_url, database_url):
    """The standard routes, loaded (built once a run, then put back: tests/snapshots.py)."""
    from grants.workflow.engine import forget_steps
    from grants.workflow.loader import load_standard_routes
    from grants.workflow.models import Route

    def build():
        loaded = load_standard_routes()
        db.session.commit()
        return loaded

    def put_back(ids: dict[str, int]) -> dict:
        db.session.expire_all()
        forget_steps()
        return {code: db.session.get(Route, route_id) for code, route_id in ids.items()}

    return snapshots.built_or_restored(
        "routes",
        (_route_files_key(), snapshots.config_key(app)),
        build,
        lambda loaded: {code: route.id for code, route in loaded.items()},
        put_back,
        _owner_engine(owner_database_url if database_url != owner_database_url else None),
    )


@pytest.fixture
def snapshot(app, owner_database_url, database_url):
    """``snapshot(name, build)``: what ``build()`` makes in the database (committed) and
    returns, built the first time and put back after (tests/snapshots.py). For the fixtures
    many tests ask for; ``name`` says which ``build`` it is."""
    engine = _owner_engine(owner_database_url if database_url != owner_database_url else None)

    def made(name: str, build):
        return snapshots.fixture(name, build, engine, (snapshots.config_key(app),))

    return made


@pytest.fixture
def world(app, routes, snapshot):
    """A small municipality: the people of the study-trip journey and the study travel fund."""
    return snapshot("world", factories.study_trip_world)


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


@pytest.fixture
def pdfs_made(monkeypatch) -> dict:
    """The letters WeasyPrint renders during the test, counted, with a hook run just before
    each (``tests.locking.watch_pdfs``)."""
    from tests.locking import watch_pdfs

    return watch_pdfs(monkeypatch)
