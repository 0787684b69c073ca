"""Web security that must hold for every route: CSRF on every state-changing request,
production cookies and start-up checks, request size limits, file names that are never
paths."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import ProductionConfig
from grants import create_app
from grants.core.files import display_name
from tests.core.test_access_matrix import (
    EXPECTATIONS,
    build_world,
    quick_hashes,  # noqa: F401 - the fixture
    sign_in,
    url_values,
)
from tests.dbstate import table_fingerprint
from tests.html import page_text

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# The one POST without the app's CSRF token: an identity provider posting its answer back
# (SAML's POST binding) cannot carry it; the login backend binds that answer to the session
# itself (state, nonce, InResponseTo). Checked apart below: it changes nothing either.
CSRF_EXEMPT = {"people.login_return"}
# Whole blueprints without CSRF: the API (grants/api) takes no cookie and no session, only a
# bearer token in each request, so a forged cross-site request has nothing to ride on; without
# a token it is refused with 401 before anything runs.
CSRF_EXEMPT_BLUEPRINTS = {"api"}
GOOD_KEY = "k3Y-for-tests-only-7f0c9a2b4e6d8f1a3c5e7b9d"


def test_every_state_changing_request_needs_a_csrf_token(app, routes, client):
    """With CSRF on (as in production), a POST without the token is refused before the view
    runs, for anonymous and signed-in people alike, and changes nothing."""
    from flask import url_for

    people, cases = build_world()
    app.config["WTF_CSRF_ENABLED"] = True
    checked = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods & STATE_CHANGING
        if not methods:
            continue
        expect = EXPECTATIONS[rule.endpoint]
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, cases, expect))
        for person in (None, people["admin"], people["owner"]):
            sign_in(client, person)
            before = table_fingerprint()
            for method in methods:
                response = client.open(url, method=method, data={"anything": "1"})
                if rule.endpoint in CSRF_EXEMPT:  # no such login method here: not found
                    assert response.status_code in (302, 404), (method, url)
                elif rule.endpoint.split(".")[0] in CSRF_EXEMPT_BLUEPRINTS:
                    assert response.status_code == 401, (method, url, response.status_code)
                else:
                    assert response.status_code == 400, (method, url, response.status_code)
            assert table_fingerprint() == before, url
        checked.append(rule.endpoint)
    assert "workflow.decide" in checked and "people.login" in checked
    exempt_views = app.extensions["csrf"]._exempt_views  # dotted names of exempt views
    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in exempt_views
    }
    assert exempt == CSRF_EXEMPT  # a new exemption must be argued here
    exempt_blueprints = {
        getattr(bp, "name", bp) for bp in app.extensions["csrf"]._exempt_blueprints
    }
    assert exempt_blueprints == CSRF_EXEMPT_BLUEPRINTS


def test_with_the_token_the_same_post_goes_through(app, world, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/log-ind").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/log-ind",
        data={"email": world.employee.email, "password": "wrong", "csrf_token": token},
    )
    assert response.status_code == 422  # the form's own answer, not the CSRF refusal


class Production(ProductionConfig):
    SECRET_KEY = GOOD_KEY
    SERVER_NAME = "grants.test"


def production_app(database_url):
    class Configured(Production):
        SQLALCHEMY_DATABASE_URI = database_url

    return create_app(Configured)


def test_production_cookies_are_secure_httponly_and_samesite(world, database_url):
    app = production_app(database_url)
    client = app.test_client()
    # The form's token needs the session cookie, which is only sent back over HTTPS.
    page = client.get("/log-ind", base_url="https://grants.test").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/log-ind",
        base_url="https://grants.test",
        headers={"Referer": "https://grants.test/log-ind"},  # checked over HTTPS
        data={
            "email": world.employee.email,
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["WTF_CSRF_ENABLED"] is not False


@pytest.mark.parametrize(
    "key", [None, "", "short", ProductionConfig.DEVELOPMENT_SECRET_KEY, "x" * 64]
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    class Weak(ProductionConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Weak)


def test_production_refuses_to_start_with_debug_on(monkeypatch):
    class Debugging(Production):
        DEBUG = True
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(Debugging)
    monkeypatch.setenv("FLASK_DEBUG", "1")

    class Quiet(Production):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        create_app(Quiet)


def test_a_request_over_the_limit_gets_a_friendly_413_and_changes_nothing(app, world, client):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    sign_in(client, world.employee)
    before = table_fingerprint()
    big = io.BytesIO(b"%PDF-1.7\n" + b"0" * (128 * 1024))
    response = client.post(
        f"/ansoegninger/ny/{world.fund.code}",
        data={"title": "x", "programme_file": (big, "program.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "for stor" in page_text(response)
    assert table_fingerprint() == before
    assert app.config["MAX_CONTENT_LENGTH"] > 0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_file_name_is_never_a_path(name):
    shown = display_name(name)
    assert shown and "/" not in shown and "\\" not in shown
    assert not shown.startswith(".")
    assert all(ch.isprintable() for ch in shown) and len(shown) <= 200


def test_an_uploaded_name_is_not_used_as_a_path(app, tmp_path):
    from grants.core.files import check_upload

    checked = check_upload("../../../../tmp/evil.pdf", b"%PDF-1.7\n%%EOF", "programme_file")
    # The parts of a path are kept readable, joined, never a path ("." and ".." left out).
    assert checked.filename == "tmp_evil.pdf"
    assert display_name("..\\..\\windows\\system.ini") == "windows_system.ini"
    assert display_name("..") == "fil"


# -- Redirects with a target (issue 16 point 2) ---------------------------------------------
HOSTILE_TARGETS = [
    "//evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "%2F%09%2Fevil.example",
    "/\\evil.example",
    "\\\\evil.example",
    " //evil.example",
    "/\r\n/x",
    "/%0D%0A/x",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\x00/x",
    "\x01//evil.example",
]


def lands_on_this_site(location: str) -> bool:
    """What a browser makes of a Location: it removes tab and newlines and trims controls and
    spaces, reads a backslash as a slash; the result must be a path on this site."""
    from urllib.parse import unquote, urlsplit

    seen = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(0x21))))
    seen = seen.replace("\\", "/")
    parts = urlsplit(seen)
    if parts.netloc not in ("", "grants.test", "localhost") or parts.scheme not in ("", "http"):
        return False
    return not unquote(parts.path).startswith("//") and not seen.startswith("//")


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_safe_next_keeps_every_redirect_on_this_site(app, target):
    from grants.core.security import safe_next

    with app.test_request_context():
        landed = safe_next(target)
    assert landed.startswith("/") and not landed.startswith("//")
    assert lands_on_this_site(landed), (target, landed)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("/\\\t\n\r\x00 .:%@?#abcé"), max_size=12))
def test_safe_next_never_leaves_the_site_for_any_target(target):
    from grants.core.security import safe_next

    landed = safe_next(target, default="/")
    assert lands_on_this_site(landed), (target, landed)


@pytest.mark.parametrize("target", ["%2F%09%2Fevil.example", "%2F%0D%0A%2Fx", "%2F%5Cevil.example"])
def test_logging_in_with_a_hostile_next_lands_on_this_site(app, world, client, target):
    response = client.post(
        f"/log-ind?next={target}",
        data={"email": world.employee.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302, response.status_code
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\n/x", "/\\evil.example"])
def test_changing_the_language_with_a_hostile_next_stays_on_this_site(app, client, target):
    response = client.post("/sprog", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


def test_a_safe_next_is_followed(app, world, client):
    response = client.post(
        "/log-ind?next=%2Fansoegninger%2F12%3Fx%3D1",
        data={"email": world.employee.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"].endswith("/ansoegninger/12?x=1")


def test_production_refuses_the_development_secret_key(monkeypatch):
    with pytest.raises(RuntimeError):
        create_app(ProductionConfig)

    class Configured(ProductionConfig):
        SECRET_KEY = "a-long-random-production-key-0123456789"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SERVER_NAME = "rejsetilskud.kommune.dk"

    assert create_app(Configured).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("server_name", [None, "", "  "])
def test_production_refuses_to_start_without_its_public_address(server_name):
    """Links in e-mails (the sign-up's, an invitation's, "you already have an account")
    are made from the request's Host header unless SERVER_NAME says the address: anyone
    could then have the municipality's own e-mail carry a link to their site (host header
    poisoning), and the sign-up link hands them the proof of the address."""

    class Unnamed(Production):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SERVER_NAME = server_name

    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        create_app(Unnamed)


def test_links_in_e_mails_follow_the_public_address_not_the_host_header(world, database_url):
    """A sign-up asked for with a forged Host header still e-mails the app's own address."""
    from sqlalchemy import select

    from grants.extensions import db
    from grants.notifications.models import OutboxMessage

    app = production_app(database_url)
    client = app.test_client()
    page = client.get("/opret-konto", base_url="https://evil.example").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/opret-konto",
        base_url="https://evil.example",
        headers={"Referer": "https://evil.example/opret-konto"},
        data={"email": "offer@example.dk", "csrf_token": token},
    )
    assert response.status_code == 200
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == "offer@example.dk")
        ).one()
    assert "https://grants.test/opret-konto/" in body and "evil.example" not in body
