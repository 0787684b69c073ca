"""The travel-grant system: an app factory and the packages of the domain."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import Integer, bindparam, event, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from config import get_config
from grants.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent

# Each domain declares its permission rules in its own module (grants.core.access is only the
# mechanism); importing these registers them.
PERMISSION_MODULES = (
    "grants.administration.permissions",
    "grants.applications.permissions",
    "grants.budgets.permissions",
    "grants.committees.permissions",
    "grants.delivery.permissions",
    "grants.desk.permissions",
    "grants.esdh.permissions",
    "grants.jobs.permissions",
    "grants.messages.permissions",
    "grants.organisations.permissions",
    "grants.payments.permissions",
    "grants.privacy.permissions",
    "grants.reports.permissions",
    "grants.subsidies.permissions",
    "grants.workflow.permissions",
)

# The side effects that subscribe to the domain's events (grants.core.events): importing a
# module connects its subscribers. The package that sends an event never imports these.
SUBSCRIBER_MODULES = (
    "grants.audit.listeners",  # the audit trail: every model's __audit__, account events
    "grants.delivery.subscribers",  # letters of a fund with Digital Post are sent by it
    "grants.esdh.subscribers",  # cases and their documents journalised in the ESDH
    "grants.notifications.subscribers",  # the e-mails of the people package's events
    "grants.workflow.journal",  # the case journal's entries for letters and budget years
    "grants.workflow.mails",  # the e-mails a step causes
    "grants.workflow.rerouting",  # the manager's step follows the employee's new manager
    "grants.messages.subscribers",  # a request for information and its answer as messages
    "grants.payments.subscribers",  # a grant not lowered below a payment sent to finance
    "grants.committees.subscribers",  # a case withdrawn from an open meeting's agenda
)


# The steps of the routes whose effect or form is a domain's above the workflow: importing a
# module registers them into grants.workflow.actions (before any route is loaded, which
# refuses an action it does not know).
ACTION_MODULES = ("grants.applications.actions", "grants.messages.actions")


def create_app(config: str | type | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("GRANTS_INSTANCE_DIR", str(ROOT / "instance")),
    )
    if isinstance(config, dict):
        app.config.from_object(get_config("testing" if config.get("TESTING") else None))
        app.config.update(config)
    elif isinstance(config, str) or config is None:
        app.config.from_object(get_config(config))
    else:
        app.config.from_object(config)
    _refuse_unsafe_production(app)
    _refuse_malformed_settings(app)
    from grants.core import clock

    clock.configure(app)
    _trust_reverse_proxy(app)
    from grants.core import static_files

    static_files.install(app)  # hashed names, gzip and brotli, a year's caching
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    # WeasyPrint and fontTools log every step of every PDF at INFO: keep the warnings only.
    for noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    _init_extensions(app)
    from grants.core.sessions import SessionInterface

    app.session_interface = SessionInterface()  # no Vary: Cookie on the public pages
    from grants.core.security import install_converters

    install_converters(app)
    _register_permission_rules()
    _register_actions()
    _connect_subscribers()
    _register_blueprints(app)
    _register_request_hooks(app)
    from grants.core import old_urls

    old_urls.register(app)  # the English addresses of e-mails and letters already sent
    _register_template_helpers(app)
    _register_commands(app)
    return app


def _refuse_unsafe_production(app: Flask) -> None:
    """Production never runs on the development secret key, with the debugger on or without
    its public address (SERVER_NAME)."""
    from config import ProductionConfig

    if not app.config.get("PRODUCTION"):
        return
    if str(app.config.get("CLOCK_TODAY") or "").strip():
        raise RuntimeError("Production runs on the real clock: unset GRANTS_TODAY (CLOCK_TODAY).")
    key = app.config.get("SECRET_KEY") or ""
    # A real key: long, and not a repeated character or the development placeholder.
    if key == ProductionConfig.DEVELOPMENT_SECRET_KEY or len(key) < 32 or len(set(key)) < 10:
        raise RuntimeError("Set SECRET_KEY to a long random value (32+ characters) in production.")
    # The municipality's login over plain http would hand the ID token to anyone on the way.
    if "oidc" in app.config.get("AUTHENTICATION_BACKENDS", ()) and not str(
        app.config.get("OIDC_ISSUER") or ""
    ).startswith("https://"):
        raise RuntimeError("OIDC_ISSUER must be an https:// address in production.")
    # `flask run --debug` sets FLASK_DEBUG after the config is read: look at it too.
    debug_env = os.environ.get("FLASK_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    if app.debug or debug_env:
        raise RuntimeError("Production does not run with FLASK_DEBUG on.")
    # Without it, links in e-mails (the sign-up's, an invitation's) are made from the
    # request's Host header: anyone could have the municipality's own e-mail link to their
    # site (host header poisoning), and a sign-up link hands them the proof of an address.
    if not str(app.config.get("SERVER_NAME") or "").strip():
        raise RuntimeError(
            "Set SERVER_NAME to the app's public address (e.g. rejsetilskud.kommune.dk) in "
            "production: links in e-mails are made from it."
        )


def _refuse_malformed_settings(app: Flask) -> None:
    """Settings written into files for other systems are checked at start-up, in every
    configuration: a wrong one would otherwise be found only by the finance system, in a
    file it refused or, worse, booked."""
    from grants.payments.batches import ORGANISATION_UNIT

    unit = app.config.get("PRISME_ORGANISATION_UNIT")
    # Set but empty in the environment is as wrong as "151" (padded, it was another number)
    # or "01510" (cut): every Prisme line's header carries it (docs/payments.md).
    if not isinstance(unit, str) or not ORGANISATION_UNIT.fullmatch(unit):
        raise RuntimeError(
            "PRISME_ORGANISATION_UNIT must be the municipality's organisation unit in the "
            f"finance system, exactly 4 digits (e.g. 0151), not {unit!r}."
        )


def _trust_reverse_proxy(app: Flask) -> None:
    """Behind PROXY_COUNT reverse proxies, take the client's address, the scheme and the host
    from their X-Forwarded-* headers: login throttling counts per client address, and links
    in e-mails need the public https address. Never set it without a proxy in front, or
    anyone could claim any address."""
    hops = app.config.get("PROXY_COUNT", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


# psycopg keeps a statement's parsing (its %(name)s placeholders turned into $1, $2...) only
# for statements of up to 4 KiB; the layout's statement (the municipality with the menu's
# task count over the person's waiting condition) is 4-6 KiB and the queue's longer, so each
# was parsed anew on every request (~0.5 ms a page); so was one of over 50 parameters. The
# kept statements (psycopg's cache holds 128) of up to 64 KiB are a few MB at most.
LONGEST_KEPT_STATEMENT = 64 * 1024
MOST_PARAMETERS_KEPT = 1000


def _keep_long_statements_parsed() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", LONGEST_KEPT_STATEMENT) < (
        LONGEST_KEPT_STATEMENT
    ):
        _queries.MAX_CACHED_STATEMENT_LENGTH = LONGEST_KEPT_STATEMENT
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", MOST_PARAMETERS_KEPT) < (
        MOST_PARAMETERS_KEPT
    ):
        _queries.MAX_CACHED_STATEMENT_PARAMS = MOST_PARAMETERS_KEPT


def _wait_for_sqlites_writer(app: Flask) -> None:
    """On SQLite, every connection waits for the one writer as long as the fund's lock does
    (BUDGET_LOCK_TIMEOUT), from its first statement on: pysqlite's own 5 s refused a write
    made before ``budgets.lock.lock_fund`` set the wait (a decision opening the year's
    budget on first use, before its letter is made) with "database is locked"."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("timeout", float(app.config["BUDGET_LOCK_TIMEOUT"]))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _no_jit_on_postgresql(app: Flask) -> None:
    """PostgreSQL compiles a statement it estimates dear (``jit_above_cost``) to machine
    code first: for the short statements of a web page that compilation is the whole cost.
    The task list's filter choices, estimated at 1.3 million though it reads a few hundred
    rows, took 1.5 s a request at the bench's 100,000 cases, all of it compiling. Off for
    the app's connections, whatever the server's default."""
    _postgresql_setting(app, "jit", "off")


def _bound_lock_waits_on_postgresql(app: Flask) -> None:
    """No statement of the app's waits for a lock longer than BUDGET_LOCK_TIMEOUT (PostgreSQL's
    ``lock_timeout`` for its connections, unless the URL's options set one): behind a
    transaction that never ends, a request gets the "try again" page
    (grants.core.views.busy_page) instead of hanging, and the workers' requests do not pile
    up behind it. The domains' locks set it again for their transaction
    (grants.core.locks.bound_lock_wait), reading the setting as it is then."""
    timeout_ms = int(float(app.config["BUDGET_LOCK_TIMEOUT"]) * 1000)
    _postgresql_setting(app, "lock_timeout", str(timeout_ms))


def _postgresql_setting(app: Flask, name: str, value: str) -> None:
    """Set ``name`` for every connection the app makes to PostgreSQL (the connection's
    ``options``), unless the configuration's own options already set it; nothing on SQLite."""
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not url.startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    given = str(connect_args.get("options") or "")
    if f"{name}=" not in given:
        connect_args["options"] = f"{given} -c {name}={value}".strip()
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_extensions(app: Flask) -> None:
    from grants import models  # noqa: F401  - every model, for Alembic and relationships

    # The login methods beyond the password register themselves (AUTHENTICATION_BACKENDS
    # switches them on); OpenID Connect's roles come from the administrator's group mapping.
    from grants.administration import group_roles  # noqa: F401
    from grants.people import oidc  # noqa: F401

    _wait_for_sqlites_writer(app)
    _no_jit_on_postgresql(app)
    _bound_lock_waits_on_postgresql(app)
    db.init_app(app)
    _keep_long_statements_parsed()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(ROOT / "grants" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "people.login"
    login_manager.login_message_category = "info"

    from grants.people.models import User

    # The person with their roles (the navigation asks for them on every page): one
    # statement, kept, so SQLAlchemy neither builds it nor works out its cache key anew on
    # every request as ``session.get(..., options=...)`` did.
    person_with_roles = (
        select(User)
        .options(joinedload(User.role_grants))
        .where(User.id == bindparam("user_id", type_=Integer))
    )

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>.<token>": a session whose token is no longer the person's (the password was
        # changed) is over.
        user_id, _, token = session_id.partition(".")
        if not (user_id.isascii() and user_id.isdigit()):
            return None
        user = (
            db.session.execute(person_with_roles, {"user_id": int(user_id)})
            .unique()
            .scalar_one_or_none()
        )
        if user is None or user.session_token != token:
            return None
        return user

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Log ind for at se siden.")


def _select_locale() -> str:
    from grants.core.models import offered_languages

    if not has_request_context():
        return "da"
    languages = offered_languages()
    # A page that takes its language from its address (the public pages: a cache keeps each
    # language under its own address) says so in g.
    chosen = g.get("url_locale")
    if chosen in languages:
        return chosen
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "da"


def _register_permission_rules() -> None:
    for name in PERMISSION_MODULES:
        importlib.import_module(name)


def _register_actions() -> None:
    for name in ACTION_MODULES:
        importlib.import_module(name)


def _connect_subscribers() -> None:
    for name in SUBSCRIBER_MODULES:
        importlib.import_module(name)


def _register_blueprints(app: Flask) -> None:
    from grants.administration.views import bp as administration
    from grants.api.admin_views import bp as api_tokens
    from grants.api.views import bp as api
    from grants.applications.steps import bp as workflow
    from grants.applications.views import bp as applications
    from grants.budgets.views import bp as budgets
    from grants.committees.views import bp as committees
    from grants.core.views import bp as core
    from grants.delivery.views import bp as delivery
    from grants.desk.views import bp as desk
    from grants.esdh.views import bp as esdh
    from grants.letters.views import bp as letters
    from grants.messages.views import bp as messages
    from grants.nemlogin.views import bp as nemlogin
    from grants.organisations.views import bp as organisations
    from grants.partners.views import bp as partners
    from grants.payments.views import bp as payments
    from grants.people.views import bp as people
    from grants.privacy.views import bp as privacy
    from grants.publication.views import bp as publication
    from grants.reports.bulk import bp as bulk
    from grants.reports.reminder_views import bp as reminders
    from grants.reports.views import bp as reports
    from grants.subsidies.views import bp as subsidies

    for blueprint in (
        core,
        people,
        nemlogin,
        organisations,
        applications,
        workflow,
        budgets,
        letters,
        subsidies,
        payments,
        publication,
        reports,
        reminders,
        bulk,
        messages,
        partners,
        committees,
        administration,
        privacy,
        desk,
        api,
        api_tokens,
        delivery,
        esdh,
    ):
        app.register_blueprint(blueprint)


@event.listens_for(Session, "after_flush")
def _remember_the_flush(_session, _context) -> None:
    """A request that flushed has written something; see ``commit_once``."""
    if has_request_context():
        g.flushed = True


def _register_request_hooks(app: Flask) -> None:
    from grants.core.commit import rows_kept_if_refused, writes_kept, writes_redone_if_refused
    from grants.jobs.runner import start_pending
    from grants.notifications.sender import send_pending_of_request

    @app.after_request
    def commit_once(response):
        """One commit per request: writes succeed together or not at all.

        Views and operations only flush; here a state-changing request that ends well is
        committed, and anything else is rolled back. The e-mails its steps queued go out
        after the commit, so a rolled-back step sends nothing.
        """
        # A refused form's draft (grants.drafts), to write again after the rollback; never
        # after a server error, nor when the request ends well (its writes are committed).
        redone = writes_redone_if_refused()
        if request.method in ("GET", "HEAD", "OPTIONS") and not writes_kept():
            if not g.get("flushed") and response.status_code < 500:
                # Nothing was written: end the read with COMMIT rather than the pool's
                # ROLLBACK, because psycopg forgets its prepared statements on every
                # rollback and each page would then be planned again (2-3 ms a query).
                db.session.commit()
            return response
        if response.status_code < 400:
            db.session.commit()
            send_pending_of_request()
            start_pending()  # jobs the request made (grants.jobs), now that they exist
        else:
            db.session.rollback()
            kept = rows_kept_if_refused()  # the audit of a refused attempt (core.commit)
            redone = redone if response.status_code < 500 else []
            if kept or redone:
                db.session.add_all(kept)
                for write in redone:
                    write()
                db.session.commit()
        return response


def _register_template_helpers(app: Flask) -> None:
    from grants.core import access, formatting, security, templating
    from grants.core.models import offered_languages
    from grants.workflow.labels import action_label, state_label

    formatting.register(app)
    templating.register(app)
    security.register(app)
    access.register(app)

    @app.context_processor
    def inject():
        from flask_babel import get_locale

        return {
            "state_label": state_label,
            "action_label": action_label,
            "current_locale": str(get_locale() or "da"),
            "offered_languages": offered_languages,
        }


def _register_commands(app: Flask) -> None:
    from grants import demo
    from grants.budgets.cli import register as register_budgets
    from grants.committees.cli import register as register_committees
    from grants.core.cli import register
    from grants.delivery.cli import register as register_delivery
    from grants.jobs.cli import register as register_jobs
    from grants.nemlogin.cli import register as register_nemlogin
    from grants.notifications.cli import register as register_mail
    from grants.people.cli import register as register_people
    from grants.privacy.cli import register as register_privacy
    from grants.profiles.cli import register as register_profiles
    from grants.reports.cli import register as register_reports
    from grants.subsidies.cli import register as register_rules
    from grants.workflow.cli import register as register_workflow

    register(app, create_app)
    register_rules(app)
    register_reports(app)
    register_profiles(app)
    register_jobs(app)
    register_delivery(app)
    register_budgets(app)
    register_committees(app)
    register_workflow(app)
    register_mail(app)
    register_nemlogin(app)
    register_people(app)
    register_privacy(app)
    demo.register(app)
