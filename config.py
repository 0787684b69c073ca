"""Configuration classes, read from the environment.

Pick one with GRANTS_CONFIG (development, testing, production); development is the default.
Every setting that differs between machines comes from an environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GRANTS_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants the driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Every setting the code reads is declared here with a comment
    (tests/core/test_config_declared.py holds the code to it)."""

    DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # nosec B105  # production refuses it
    # Signs the session, the sign-up links and (without TWO_FACTOR_KEY) the 2FA secrets.
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    # Production refuses the development key, a moved clock and the debugger (ProductionConfig).
    PRODUCTION = False
    # The tests (TestingConfig); create_app also reads it from a config dict it is given.
    TESTING = False
    # Encrypts the authenticator apps' secrets in the database (grants/people/two_factor.py).
    # Unset, a key is derived from SECRET_KEY; set it to keep the secrets when SECRET_KEY is
    # changed (docs/operations.md).
    TWO_FACTOR_KEY = os.environ.get("TWO_FACTOR_KEY", "")
    # The database the app runs on (SQLite in instance/ by default; PostgreSQL in production).
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'grants.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # The role that owns the tables, on PostgreSQL: the migrations, backups and restores run
    # as it, and every `flask db upgrade` grants the app's role (DATABASE_URL's user) what it
    # may do; unset, everything runs as DATABASE_URL (development). docs/deployment.md.
    DATABASE_OWNER_URL = normalise_database_url(os.environ.get("DATABASE_OWNER_URL", "")) or None

    # Languages: Danish is the default and always complete.
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = ("da", "en")

    # The static files as built by `make assets` (scripts/build_static.py): hashed names,
    # gzip and brotli, served by WhiteNoise with a year's caching (grants/core/static_files.py).
    # Empty, or no build there: Flask serves static/ under its plain names.
    STATIC_BUILD_DIR = os.environ.get("STATIC_BUILD_DIR", str(BASE_DIR / "build" / "static"))

    # Uploads: the largest request. A file may be 10 MB, one field's files 20 MB together
    # (grants/core/files.py says so beside the field); this leaves room for the form around.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 25 * 1024 * 1024))

    # E-mail. With no MAIL_SERVER the messages are written to MAIL_FOLDER as .eml files.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Rejsetilskud <rejsetilskud@ballerup.dk>")
    MAIL_FOLDER = os.environ.get("MAIL_FOLDER", str(INSTANCE_DIR / "mail"))
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))

    # Used in links in e-mails sent outside a request (cron commands).
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # The number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host
    # headers are trusted (0: none; see docs/deployment.md).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))

    # A page of the caseworker's work queue, and of an applicant's own applications.
    WORK_QUEUE_PAGE_SIZE = 20
    MY_APPLICATIONS_PAGE_SIZE = 20
    # The public list of trips abroad, and a page of the open-data feeds.
    PUBLIC_TRIPS_PAGE_SIZE = 50
    OPEN_DATA_PAGE_SIZE = 200
    # The public pages kept rendered per process, for their validator (publication.caching).
    PUBLIC_PAGES_KEPT = 256

    # Background jobs (grants.jobs): on an RQ queue in Redis when REDIS_URL is set (run
    # `rq worker --worker-class grants.worker.Worker grants`), else in a thread of the web
    # process. JOBS_MODE forces one of "thread", "rq" or "sync" (in the request, after its
    # commit: the tests).
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_MODE = os.environ.get("JOBS_MODE", "")
    # How many RQ workers share a meeting's letters (default: this machine's cores).
    JOBS_PARALLEL = int(os.environ.get("JOBS_PARALLEL", 0)) or None
    # The RQ queue the jobs go on (`rq worker grants` listens to "grants").
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "grants")
    # The config an RQ worker makes its app from (a dict for create_app); None: the worker's
    # own environment, as the web process's. The tests point workers at their database.
    JOBS_WORKER_CONFIG: dict | None = None

    # Digital Post through KOMBIT's Serviceplatformen, SF1601 (grants.delivery;
    # docs/integrations.md). Off while DIGITAL_POST_URL or the certificate is empty: a fund
    # set to Digital Post then sends its letters by the fallback below.
    DIGITAL_POST_URL = os.environ.get("DIGITAL_POST_URL", "")
    DIGITAL_POST_STS_URL = os.environ.get(
        "DIGITAL_POST_STS_URL",
        "https://n2adgangsstyring.eksterntest-stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
    )
    DIGITAL_POST_TOKEN_URL = os.environ.get("DIGITAL_POST_TOKEN_URL", "")  # "": from the URL
    DIGITAL_POST_CERTIFICATE = os.environ.get("DIGITAL_POST_CERTIFICATE", "")  # PEM with key
    DIGITAL_POST_CA_BUNDLE = os.environ.get("DIGITAL_POST_CA_BUNDLE", "")  # "": the system's
    DIGITAL_POST_SENDER_CVR = os.environ.get("DIGITAL_POST_SENDER_CVR", "")  # "": the kommune's
    DIGITAL_POST_TIMEOUT = float(os.environ.get("DIGITAL_POST_TIMEOUT", 30))
    # Tries in all, and the pauses (seconds) between them.
    DIGITAL_POST_ATTEMPTS = int(os.environ.get("DIGITAL_POST_ATTEMPTS", 3))
    DIGITAL_POST_RETRY_SECONDS = [
        float(s) for s in os.environ.get("DIGITAL_POST_RETRY_SECONDS", "60,300").split(",") if s
    ]
    # A recipient Digital Post cannot reach: "email" (a secure link that expires after
    # DIGITAL_POST_LINK_DAYS) or "print" (the secretariat's list of letters to print).
    DIGITAL_POST_FALLBACK = os.environ.get("DIGITAL_POST_FALLBACK", "email")
    DIGITAL_POST_LINK_DAYS = int(os.environ.get("DIGITAL_POST_LINK_DAYS", 30))
    # What became of a letter after Serviceplatformen took it: the Digital Post status
    # messages (PostStatusBesked) fetched from KOMBIT's Beskedfordeler (PostStatusBeskedHent;
    # grants.delivery.statuses, docs/integrations.md) by `flask delivery fetch-statuses`
    # from cron. Empty URL: off, and a letter sent stays "sent". The certificate: the
    # organisation's (DIGITAL_POST_CERTIFICATE) unless another is given. The command fetches
    # when the last fetch is at least DIGITAL_POST_STATUS_MINUTES old (the schedule).
    DIGITAL_POST_STATUS_URL = os.environ.get("DIGITAL_POST_STATUS_URL", "")
    DIGITAL_POST_STATUS_CERTIFICATE = os.environ.get("DIGITAL_POST_STATUS_CERTIFICATE", "")
    DIGITAL_POST_STATUS_MINUTES = int(os.environ.get("DIGITAL_POST_STATUS_MINUTES", 15))

    # Journalisation in the municipality's ESDH (grants.esdh; docs/integrations.md): the
    # adapter ("email": to the ESDH's journalisation mailbox; "": off) and its settings.
    ESDH_ADAPTER = os.environ.get("ESDH_ADAPTER", "")
    ESDH_MAILBOX = os.environ.get("ESDH_MAILBOX", "")
    # The subject the ESDH reads: {case_number}, {title}, {kle}, {handling_code}, {fund}.
    ESDH_SUBJECT = os.environ.get(
        "ESDH_SUBJECT", "Journalisering: sag {case_number} [KLE {kle} {handling_code}] {title}"
    )

    # Seconds a money movement waits for another holding the fund's lock before it gives up
    # with a clear refusal (grants.budgets.lock.lock_fund; docs/budgets.md); on PostgreSQL
    # the bound of every lock wait too (lock_timeout: a case's, an organisation's, any row's),
    # so a stuck transaction makes requests say "try again" instead of hang.
    BUDGET_LOCK_TIMEOUT = float(os.environ.get("BUDGET_LOCK_TIMEOUT", 30))

    # Personal data in closed cases is anonymised this many years after the case closed
    # (flask privacy purge); the accounting figures stay. See docs/operations.md.
    PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("PERSONAL_DATA_RETENTION_YEARS", 6))
    # What a person typed into an application or report form and did not save or send
    # (grants.drafts) is deleted by the purge this many days after it was last saved.
    FORM_DRAFT_KEEP_DAYS = int(os.environ.get("FORM_DRAFT_KEEP_DAYS", 90))
    # The largest draft the page's script may send (bytes of JSON): the longest form's
    # texts at their limits, in letters of two bytes, fit several times over.
    FORM_DRAFT_MAX_BYTES = int(os.environ.get("FORM_DRAFT_MAX_BYTES", 256 * 1024))

    # The app's clock (grants/core/clock.py): a day (2028-12-31) or a local moment
    # (2028-12-31T23:55) the app starts at, for the demo and for trying a year's end.
    # Development and tests only: production refuses to start with it set.
    CLOCK_TODAY = os.environ.get("GRANTS_TODAY", "")

    # The ways of logging in that are switched on, in the order the login page offers them
    # (grants/people/authentication.py, docs/authentication.md): comma-separated backend
    # names. "password" is the app's own accounts (e-mail and password).
    AUTHENTICATION_BACKENDS = tuple(
        name.strip()
        for name in os.environ.get("AUTHENTICATION_BACKENDS", "password").split(",")
        if name.strip()
    )

    # Staff log in at the municipality's identity provider by OpenID Connect (Entra ID,
    # ADFS; grants/people/oidc.py, docs/login.md) when "oidc" is in AUTHENTICATION_BACKENDS.
    # The issuer URL (its /.well-known/openid-configuration is read), the app's client id
    # and secret as registered there (the secret from the environment only).
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    # The scopes asked for; "openid" must be one.
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
    # The ID token's claim that lists the person's groups (Entra ID and ADFS: "groups"; some
    # providers say "roles"); the administrator maps groups to roles (/administration/grupper).
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    # What the login page's button says after "Log ind med" / "Log in with", per language.
    OIDC_LABEL = os.environ.get("OIDC_LABEL", "kommunens login")
    OIDC_LABEL_EN = os.environ.get("OIDC_LABEL_EN", "the municipality's login")
    # Logging out of the app logs out at the provider too (RP-initiated logout), if it
    # offers an end_session_endpoint.
    OIDC_LOGOUT = _bool("OIDC_LOGOUT", True)
    # Seconds of clock difference allowed when checking an ID token's times, and the most
    # seconds to wait for the provider.
    OIDC_LEEWAY = int(os.environ.get("OIDC_LEEWAY", 60))
    OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", 10))

    # NemLog-in (MitID, MitID Erhverv) as the login "nemlogin": the app is a SAML service
    # provider after the OIOSAML 3 profile (grants/nemlogin, docs/login.md). Paths to NemLog-in's
    # metadata (downloaded for its integration test or production environment), and to the
    # app's key and OCES3 system certificate (PEM; kept outside the repository, readable by the
    # app only). `flask nemlogin make-keys` writes a self-signed pair for development.
    NEMLOGIN_IDP_METADATA = os.environ.get("NEMLOGIN_IDP_METADATA", "")
    NEMLOGIN_SP_KEY = os.environ.get("NEMLOGIN_SP_KEY", "")
    NEMLOGIN_SP_CERT = os.environ.get("NEMLOGIN_SP_CERT", "")
    # The app's entity ID at NemLog-in; empty: the metadata's own URL (/nemlogin/metadata).
    NEMLOGIN_ENTITY_ID = os.environ.get("NEMLOGIN_ENTITY_ID", "")
    # The service's name in the metadata.
    NEMLOGIN_SERVICE_NAME = os.environ.get("NEMLOGIN_SERVICE_NAME", "Rejsetilskud")
    # The lowest NSIS assurance level a MitID login is taken at (Low, Substantial, High); the
    # routes that act for an association ask Substantial whatever this is.
    NEMLOGIN_MINIMUM_ASSURANCE = os.environ.get("NEMLOGIN_MINIMUM_ASSURANCE", "Low")
    # Seconds of clock difference with NemLog-in tolerated on an assertion's times.
    NEMLOGIN_CLOCK_SKEW = int(os.environ.get("NEMLOGIN_CLOCK_SKEW", 60))
    # xmlsec1 (Debian: apt-get install xmlsec1); empty: found on the PATH.
    NEMLOGIN_XMLSEC1 = os.environ.get("NEMLOGIN_XMLSEC1", "")
    # The NSIS level the app's own password login counts as (Low, Substantial, High); empty:
    # Substantial while NemLog-in is off, Low once it is on, so that acting for an association
    # then takes MitID (grants/people/assurance.py).
    LOCAL_LOGIN_ASSURANCE = os.environ.get("LOCAL_LOGIN_ASSURANCE", "")
    # The municipality's number in the Prisme G68/G69 posting file's header
    # ("Organisationsenhed", 4 digits, e.g. 0151 for Ballerup; docs/payments.md).
    PRISME_ORGANISATION_UNIT = os.environ.get("PRISME_ORGANISATION_UNIT", "0000")
    # The CVR register (grants/organisations/cvr.py, docs/integrations.md): Erhvervsstyrelsen's
    # system-to-system access fills in an association's name and address from its CVR number.
    # Empty URL: only the number's check digit is checked, and the association types the rest.
    CVR_REGISTER_URL = os.environ.get("CVR_REGISTER_URL", "")
    CVR_REGISTER_USER = os.environ.get("CVR_REGISTER_USER", "")
    CVR_REGISTER_PASSWORD = os.environ.get("CVR_REGISTER_PASSWORD", "")
    CVR_REGISTER_TIMEOUT = float(os.environ.get("CVR_REGISTER_TIMEOUT", 10))

    # The letters' seal (grants/letters/seal.py, docs/letters.md): every letter is sealed
    # (PAdES) with the municipality's organisation certificate, given as a PKCS#12 file or as
    # a PEM key and a PEM certificate (paths, kept outside the repository, readable by the app
    # only), with the password of the file or key. Unset: a self-signed test certificate is
    # made once in the instance folder (development and tests; a PDF reader will not trust
    # it).
    LETTER_SEAL_PKCS12 = os.environ.get("LETTER_SEAL_PKCS12", "")
    LETTER_SEAL_KEY = os.environ.get("LETTER_SEAL_KEY", "")
    LETTER_SEAL_CERT = os.environ.get("LETTER_SEAL_CERT", "")
    LETTER_SEAL_PASSWORD = os.environ.get("LETTER_SEAL_PASSWORD", "")
    # A timestamp authority (RFC 3161, over HTTP) that stamps each seal, making it PAdES B-T:
    # the time of sealing is vouched for by the authority, not only by the server's clock.
    # Empty: no timestamp (PAdES B-B). With basic authentication if the authority asks for
    # it; what happens while the authority does not answer is the municipality's choice below.
    LETTER_SEAL_TIMESTAMP_URL = os.environ.get("LETTER_SEAL_TIMESTAMP_URL", "")
    LETTER_SEAL_TIMESTAMP_USER = os.environ.get("LETTER_SEAL_TIMESTAMP_USER", "")
    LETTER_SEAL_TIMESTAMP_PASSWORD = os.environ.get("LETTER_SEAL_TIMESTAMP_PASSWORD", "")
    LETTER_SEAL_TIMESTAMP_TIMEOUT = float(os.environ.get("LETTER_SEAL_TIMESTAMP_TIMEOUT", 10))
    # When the authority does not answer: "wait" (default) refuses the step that makes the
    # letter (nothing changes; take it again later), "seal" issues the letter sealed without
    # the timestamp (PAdES B-B) and writes that in the case's journal.
    LETTER_SEAL_TIMESTAMP_WHEN_DOWN = os.environ.get("LETTER_SEAL_TIMESTAMP_WHEN_DOWN", "wait")

    # How long a login lasts (grants/people/sessions.py, docs/operations.md): it ends after
    # this many minutes without a request, and this many hours after it began whatever the
    # person does; then they log in again, told why.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 60))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", 12))

    # The session cookie's name (Flask's default): the public pages tell a request without a
    # session by its absence (grants/core/address_language.py), so they set no cookie.
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)
    # The demo journalises its cases (the youth fund has a KLE number): by e-mail, which in
    # development is written to MAIL_FOLDER, so the ESDH's mailbox is a folder to read.
    ESDH_ADAPTER = os.environ.get("ESDH_ADAPTER", "email")
    ESDH_MAILBOX = os.environ.get("ESDH_MAILBOX", "journalisering@esdh.ballerup.example")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"  # nosec B105  # the tests only
    # The test fixtures point this at a fresh database (SQLite by default, PostgreSQL with
    # TEST_DATABASE_URL) built by the migrations.
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    WTF_CSRF_ENABLED = False
    JOBS_MODE = "sync"
    MAIL_SERVER = ""
    SERVER_NAME = "grants.test"
    DIGITAL_POST_RETRY_SECONDS: list[float] = []  # the tests try again at once
    # The tests set the clock themselves (CLOCK_TODAY in the app's config, or move_clock),
    # never from the developer's environment.
    CLOCK_TODAY = ""


class ProductionConfig(Config):
    PRODUCTION = True
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    return CONFIGS[name or os.environ.get("GRANTS_CONFIG", "development")]
