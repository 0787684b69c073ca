"""The second factor: setting it up, logging in with a code or a recovery code, codes good
once, throttling, turning it off, and administrators who must have it."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from flask import g
from sqlalchemy import func, select

from grants.audit.models import AuditEvent
from grants.core import clock
from grants.extensions import db
from grants.people import two_factor
from grants.people.models import RecoveryCode, Role, TwoFactor, User
from tests.factories import PASSWORD, TOTP_SECRET, make_user, totp_code
from tests.html import field_error, field_errors, has_error, page_text
from tests.html import page as html_page


def actions(user) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def key_on(page: str) -> str:
    return re.search(r'id="two-factor-key"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def set_up(client, user) -> tuple[str, list[str]]:
    """Set up the app as a person does: read the key, answer with its code; the recovery
    codes shown."""
    page = client.get("/konto/totrinsbekraeftelse/saet-op")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    secret = key_on(page.get_data(as_text=True))
    response = client.post(
        "/konto/totrinsbekraeftelse/saet-op", data={"code": pyotp.TOTP(secret).at(clock.now())}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(True))
    return secret, codes


def password_step(client, user, password=PASSWORD):
    g.pop("_login_user", None)
    return client.post("/log-ind", data={"email": user.email, "password": password})


def later(monkeypatch, seconds: int) -> None:
    moved = clock.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moved)


# -- setting up ----------------------------------------------------------------------------
def test_a_person_sets_up_the_app_and_then_logs_in_with_a_code(world, auth, client, monkeypatch):
    auth.login(world.employee)
    page = html_page(client.get("/konto/totrinsbekraeftelse/saet-op"))
    # The QR code, with a text alternative: an image to a screen reader, its SVG hidden.
    assert page.select("[role=img][aria-label] > svg[aria-hidden=true]")
    assert page.select("input[name=code][autocomplete=one-time-code][inputmode=numeric]")
    secret, codes = set_up(client, world.employee)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    user = db.session.get(User, world.employee.id)
    assert user.has_second_factor
    # Stored encrypted, and the recovery codes only as hashes.
    assert secret not in user.two_factor.secret_encrypted
    assert all(
        codes[i].replace("-", "") not in c.code_hash for i, c in enumerate(user.recovery_codes)
    )
    # The key is never shown again: the setup page now leads to the settings.
    assert client.get("/konto/totrinsbekraeftelse/saet-op").status_code == 302
    assert secret not in client.get("/konto/totrinsbekraeftelse").get_data(as_text=True)
    assert "people.two_factor_enabled" in actions(user)

    auth.logout()
    response = password_step(client, world.employee)
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind/kode"
    assert client.get("/ansoegninger/mine").status_code == 302  # not logged in yet
    later(monkeypatch, 30)
    response = client.post("/log-ind/kode", data={"code": pyotp.TOTP(secret).at(clock.now())})
    assert response.status_code == 302
    assert client.get("/ansoegninger/mine").status_code == 200
    assert actions(user)[-2:] == ["login.code_asked", "login.code_accepted"]


def test_a_wrong_first_code_sets_up_nothing(world, auth, client):
    auth.login(world.employee)
    client.get("/konto/totrinsbekraeftelse/saet-op")
    for code, message in [
        ("000000", "Koden passer ikke"),
        ("12345", "6 cifre"),
        ("", "Skriv koden"),
    ]:
        response = client.post("/konto/totrinsbekraeftelse/saet-op", data={"code": code})
        assert response.status_code == 422 and message in (field_error(response, "code") or "")
    db.session.expire_all()
    assert not db.session.get(User, world.employee.id).has_second_factor
    assert count(RecoveryCode) == 0


def test_setting_up_ends_the_other_sessions(world, app, auth, client):
    other = app.test_client()
    other.post("/log-ind", data={"email": world.employee.email, "password": PASSWORD})
    auth.login(world.employee)
    set_up(client, world.employee)
    g.pop("_login_user", None)
    assert client.get("/ansoegninger/mine").status_code == 200
    g.pop("_login_user", None)
    assert other.get("/ansoegninger/mine").status_code == 302


# -- logging in ----------------------------------------------------------------------------
def test_a_code_is_good_once(world, client):
    admin = world.admin
    password_step(client, admin)
    code = totp_code(admin)
    assert client.post("/log-ind/kode", data={"code": code}).status_code == 302
    client.post("/log-ud")
    password_step(client, admin)
    response = client.post("/log-ind/kode", data={"code": code})
    assert response.status_code == 422
    assert "Koden er allerede brugt" in page_text(response)
    assert client.get("/administration/").status_code == 302  # not logged in
    assert actions(admin)[-1] == "login.code_refused"
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.code_refused")
    ).one()
    assert refused.details == {"method": "totp", "reason": "replayed"}


def test_a_code_from_an_earlier_step_than_the_last_used_is_refused_too(world, client, monkeypatch):
    admin = world.admin
    password_step(client, admin)
    assert client.post("/log-ind/kode", data={"code": totp_code(admin)}).status_code == 302
    client.post("/log-ud")
    password_step(client, admin)
    earlier = pyotp.TOTP(TOTP_SECRET).at(clock.now() - dt.timedelta(seconds=30))
    assert client.post("/log-ind/kode", data={"code": earlier}).status_code == 422


def test_codes_of_the_neighbouring_steps_are_accepted_and_no_further(world, client):
    admin = world.admin
    for seconds, accepted in [(-30, True), (30, True), (-90, False), (90, False)]:
        g.pop("_login_user", None)
        client.post("/log-ud")
        password_step(client, admin)
        admin.two_factor.last_used_step = None
        db.session.commit()
        code = pyotp.TOTP(TOTP_SECRET).at(clock.now() + dt.timedelta(seconds=seconds))
        status = client.post("/log-ind/kode", data={"code": code}).status_code
        assert (status == 302) is accepted, (seconds, status)


def test_wrong_codes_are_throttled_like_wrong_passwords(world, client, monkeypatch):
    admin = world.admin
    password_step(client, admin)
    for _ in range(5):
        response = client.post("/log-ind/kode", data={"code": "000000"})
        assert response.status_code == 422 and has_error(response, "Koden er forkert")
    response = client.post("/log-ind/kode", data={"code": totp_code(admin)})
    assert response.status_code == 422
    assert "For mange forkerte forsøg" in page_text(response)
    # The password is locked out too: it is the same account.
    client.get("/")
    assert has_error(password_step(client, admin), "For mange")
    later(monkeypatch, 16 * 60)
    password_step(client, admin)
    assert client.post("/log-ind/kode", data={"code": totp_code(admin)}).status_code == 302


def test_the_code_page_needs_the_password_first_and_a_fresh_one(world, client, monkeypatch):
    response = client.post("/log-ind/kode", data={"code": totp_code(world.admin)})
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    password_step(client, world.admin)
    later(monkeypatch, 5 * 60 + 1)
    response = client.post("/log-ind/kode", data={"code": totp_code(world.admin)})
    assert response.status_code == 302 and response.headers["Location"] == "/log-ind"
    assert client.get("/administration/").status_code == 302


def test_a_wrong_password_never_reaches_the_code(world, client):
    response = password_step(client, world.admin, "forkert adgangskode")
    assert response.status_code == 422
    assert client.get("/log-ind/kode").status_code == 302


def test_a_password_change_elsewhere_ends_the_wait_for_the_code(world, client):
    password_step(client, world.admin)
    world.admin.set_password("en helt ny og lang sætning")
    db.session.commit()
    response = client.post("/log-ind/kode", data={"code": totp_code(world.admin)})
    assert response.headers["Location"] == "/log-ind"


def test_a_recovery_code_logs_in_once(world, auth, client):
    auth.login(world.employee)
    _secret, codes = set_up(client, world.employee)
    client.post("/log-ud")
    password_step(client, world.employee)
    response = client.post(
        "/log-ind/gendannelseskode", data={"code": codes[3].upper().replace("-", " ")}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "9 tilbage" in str(session.get("_flashes"))
    client.post("/log-ud")
    password_step(client, world.employee)
    response = client.post("/log-ind/gendannelseskode", data={"code": codes[3]})
    assert response.status_code == 422
    assert "forkert eller allerede brugt" in page_text(response)
    assert client.get("/ansoegninger/mine").status_code == 302


# -- changing it ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password, use_code, message",
    [
        ("forkert", True, "Adgangskoden er forkert."),
        (PASSWORD, False, "Koden er forkert."),
        ("", True, "Skriv din adgangskode."),
    ],
)
def test_turning_it_off_needs_the_password_and_a_code(
    world, auth, client, password, use_code, message
):
    auth.login(world.admin)
    code = totp_code(world.admin) if use_code else "000000"
    response = client.post(
        "/konto/totrinsbekraeftelse/slaa-fra", data={"off-password": password, "off-code": code}
    )
    assert response.status_code == 422
    shown = {
        field: error for field, error in field_errors(response).items() if field.startswith("off-")
    }
    assert any(message in error for error in shown.values()), shown
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).has_second_factor


def test_turning_it_off_with_a_recovery_code_and_an_administrator_must_set_it_up_again(
    world, auth, client
):
    auth.login(world.admin)
    codes = client.post(
        "/konto/totrinsbekraeftelse/gendannelseskoder",
        data={"codes-password": PASSWORD, "codes-code": totp_code(world.admin)},
    )
    assert codes.status_code == 200 and codes.headers["Cache-Control"] == "no-store"
    recovery = re.findall(r"<code>([a-z2-9-]{11})</code>", codes.get_data(as_text=True))
    assert len(recovery) == 10
    response = client.post(
        "/konto/totrinsbekraeftelse/slaa-fra",
        data={"off-password": PASSWORD, "off-code": recovery[0]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    admin = db.session.get(User, world.admin.id)
    assert not admin.has_second_factor and count(RecoveryCode) == 0
    assert count(TwoFactor, TwoFactor.user_id == admin.id) == 0
    assert actions(admin)[-2:] == ["people.recovery_codes_renewed", "people.two_factor_disabled"]
    # Every page but the setting up now leads to setting it up.
    for path in (
        "/administration/",
        "/ansoegninger/mine",
        "/konto/totrinsbekraeftelse",
        "/budgetter",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/konto/totrinsbekraeftelse/saet-op"
    assert client.get("/konto/totrinsbekraeftelse/saet-op").status_code == 200
    assert client.get("/tilgaengelighed").status_code == 200


def test_new_recovery_codes_replace_the_old(world, auth, client):
    auth.login(world.employee)
    _secret, old = set_up(client, world.employee)
    response = client.post(
        "/konto/totrinsbekraeftelse/gendannelseskoder",
        data={"codes-password": PASSWORD, "codes-code": old[0]},
    )
    new = re.findall(r"<code>([a-z2-9-]{11})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    db.session.expire_all()
    user = db.session.get(User, world.employee.id)
    assert two_factor.recovery_codes_left(user) == 10
    assert not two_factor.use_recovery_code(user, old[1])
    assert two_factor.use_recovery_code(user, new[1])


def test_wrong_answers_on_the_settings_page_are_throttled_and_audited(world, auth, client):
    auth.login(world.admin)
    for _ in range(5):
        client.post(
            "/konto/totrinsbekraeftelse/slaa-fra",
            data={"off-password": PASSWORD, "off-code": "000000"},
        )
    response = client.post(
        "/konto/totrinsbekraeftelse/slaa-fra",
        data={"off-password": PASSWORD, "off-code": totp_code(world.admin)},
    )
    assert response.status_code == 422 and "For mange" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).has_second_factor
    assert actions(world.admin).count("people.two_factor_change_refused") == 5


# -- who may -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/konto/totrinsbekraeftelse"),
        ("get", "/konto/totrinsbekraeftelse/saet-op"),
        ("post", "/konto/totrinsbekraeftelse/saet-op"),
        ("post", "/konto/totrinsbekraeftelse/slaa-fra"),
        ("post", "/konto/totrinsbekraeftelse/gendannelseskoder"),
    ],
)
def test_anonymous_people_are_sent_to_log_in_and_nothing_changes(world, client, method, path):
    response = getattr(client, method)(path, data={"code": "123456"})
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    assert count(TwoFactor) == 1  # the administrator's own, from the factory


def test_one_person_cannot_touch_anothers_second_factor(world, auth, client):
    """The pages are the person's own: there is no id to change, and another's codes do not
    work on one's own account."""
    auth.login(world.employee)
    response = client.post(
        "/konto/totrinsbekraeftelse/slaa-fra",
        data={"off-password": PASSWORD, "off-code": totp_code(world.admin)},
    )
    assert response.status_code == 302  # the employee has none to turn off
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).has_second_factor
    assert actions(world.admin) == ["people.account_created"]  # and nothing since


def test_an_account_given_the_administrator_role_must_set_up_a_second_factor(world, auth, client):
    caseworker = world.caseworker
    auth.login(caseworker)
    assert client.get("/ansoegninger/mine").status_code == 200
    caseworker.grant_role(Role.ADMIN)
    db.session.commit()
    g.pop("_login_user", None)
    response = client.get("/ansoegninger/mine")
    assert response.headers["Location"] == "/konto/totrinsbekraeftelse/saet-op"
    page = client.get("/konto/totrinsbekraeftelse/saet-op").get_data(as_text=True)
    assert "Som administrator skal du have totrinsbekræftelse" in page_text(page)
    set_up(client, caseworker)
    assert client.get("/ansoegninger/mine").status_code == 200


def test_a_new_administrator_without_a_second_factor_logs_in_straight_to_setting_it_up(
    world, client
):
    admin = make_user(Role.ADMIN, email="ny-admin@ballerup.dk")
    two_factor.forget(admin)
    db.session.commit()
    response = password_step(client, admin)
    assert response.status_code == 302
    assert (
        client.get("/administration/").headers["Location"] == "/konto/totrinsbekraeftelse/saet-op"
    )


def test_the_reset_command_removes_a_lost_second_factor(world, runner):
    result = runner.invoke(args=["people", "reset-two-factor", world.admin.email.upper()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(User, world.admin.id).has_second_factor
    assert actions(world.admin)[-1] == "people.two_factor_reset"
    assert runner.invoke(args=["people", "reset-two-factor", "ingen@x.dk"]).exit_code != 0


def test_a_secret_under_another_key_is_refused_not_an_error(world, app, client):
    app.config["TWO_FACTOR_KEY"] = "a key the secret was not encrypted with"
    password_step(client, world.admin)
    response = client.post("/log-ind/kode", data={"code": totp_code(world.admin)})
    assert response.status_code == 422


def test_a_code_used_meanwhile_by_another_server_is_refused(world):
    """The step is claimed in the database, not in this process's copy of the row: two
    servers given the same code at once cannot both accept it."""
    from sqlalchemy import update

    admin = world.admin
    code = totp_code(admin)
    assert admin.two_factor.last_used_step is None  # this process's copy
    step = pyotp.TOTP(TOTP_SECRET).timecode(clock.now())
    with db.engine.begin() as other_server:
        other_server.execute(update(TwoFactor).values(last_used_step=step))
    assert two_factor.check_code(admin, code) == "replayed"


def test_a_recovery_code_spent_meanwhile_by_another_server_is_refused(world, auth, client):
    from sqlalchemy import update

    auth.login(world.employee)
    _secret, codes = set_up(client, world.employee)
    user = db.session.get(User, world.employee.id)
    assert all(code.used_at is None for code in user.recovery_codes)  # this process's copy
    with db.engine.begin() as other_server:
        other_server.execute(update(RecoveryCode).values(used_at=clock.now()))
    assert not two_factor.use_recovery_code(user, codes[0])
