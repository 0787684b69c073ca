"""A login lasts an idle hour, and a working day at the most (grants.people.sessions): then
the person logs in again, told why, and comes back to the page they asked for."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g

from grants.core import clock
from grants.extensions import db
from grants.people.models import User
from tests.core.test_translations import switch_language
from tests.factories import PASSWORD


@pytest.fixture
def later(monkeypatch):
    """Move the machine's real time (not the app's clock) on by ``minutes``."""
    started = clock.real_now()
    moved = {"by": dt.timedelta(0)}
    monkeypatch.setattr(clock, "real_now", lambda: started + moved["by"])

    def by(minutes: float) -> None:
        moved["by"] += dt.timedelta(minutes=minutes)

    return by


def get(client, path):
    g.pop("_login_user", None)  # as a new request would start
    return client.get(path)


def test_an_idle_hour_ends_the_login_and_says_why(world, auth, client, later):
    auth.login(world.employee)
    later(59)
    assert get(client, "/ansoegninger/mine").status_code == 200
    later(61)  # an hour and a minute after the last request
    response = get(client, "/ansoegninger/mine?side=2")
    assert response.status_code == 302
    where = urlsplit(response.headers["Location"])
    assert where.path == "/log-ind"
    assert parse_qs(where.query)["next"] == ["/ansoegninger/mine?side=2"]
    page = get(client, response.headers["Location"]).get_data(as_text=True)
    assert "Du er logget ud, fordi du ikke har brugt siden i 60 minutter." in page
    # Logged out for good: the next page asks for a login again.
    assert get(client, "/ansoegninger/mine").status_code == 302
    # Logging in again takes the person back to the page they asked for.
    answer = client.post(
        response.headers["Location"], data={"email": world.employee.email, "password": PASSWORD}
    )
    assert answer.headers["Location"] == "/ansoegninger/mine?side=2"


def test_every_request_keeps_the_login_alive_up_to_a_working_day(world, auth, client, later):
    auth.login(world.employee)
    for _ in range(23):  # 23 × 31 minutes: eleven hours and 53 minutes, never idle an hour
        later(31)
        assert get(client, "/ansoegninger/mine").status_code == 200
    later(31)  # past twelve hours since the login, however busy
    response = get(client, "/ansoegninger/mine")
    assert response.status_code == 302
    page = get(client, response.headers["Location"]).get_data(as_text=True)
    assert "fordi du har været logget ind i mere end 12 timer" in page


def test_the_reason_is_given_in_the_persons_language(world, auth, client, later):
    auth.login(world.employee)
    switch_language(client, "en")
    later(90)
    response = get(client, "/opgaver")
    page = get(client, response.headers["Location"]).get_data(as_text=True)
    assert "You have been logged out because you have not used the site for 60 minutes." in page
    assert '<html lang="en"' in page


def test_a_form_posted_after_the_login_ended_changes_nothing(world, auth, client, later):
    auth.login(world.employee)
    before = db.session.get(User, world.employee.id).password_hash
    later(61)
    new = "en lang og god sætning om rejser"
    g.pop("_login_user", None)
    response = client.post(
        "/konto/adgangskode", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/log-ind"
    assert "next" not in response.headers["Location"]  # a post is not a page to go back to
    db.session.expire_all()
    assert db.session.get(User, world.employee.id).password_hash == before


def test_the_apps_clock_does_not_end_a_login(world, auth, client, move_clock):
    """The demo and the tests move the app's date by days; a login lasts real time."""
    auth.login(world.employee)
    move_clock(clock.today() + dt.timedelta(days=40))
    assert get(client, "/ansoegninger/mine").status_code == 200


def test_a_session_from_before_starts_counting_now(world, auth, client, later):
    """A login made before the moments were kept is not thrown out, and not kept for ever."""
    auth.login(world.employee)
    with client.session_transaction() as session:
        session.pop("_since")
        session.pop("_seen")
    later(600)
    assert get(client, "/ansoegninger/mine").status_code == 200
    later(61)
    assert get(client, "/ansoegninger/mine").status_code == 302


def test_settings_set_the_times(world, app, auth, client, later):
    app.config.update(SESSION_IDLE_MINUTES=15, SESSION_MAX_HOURS=8)
    auth.login(world.employee)
    later(14)
    assert get(client, "/ansoegninger/mine").status_code == 200
    later(16)
    response = get(client, "/ansoegninger/mine")
    assert response.status_code == 302
    assert "15 minutter" in get(client, response.headers["Location"]).get_data(as_text=True)
