"""The app's one clock: settable in development and tests (CLOCK_TODAY / GRANTS_TODAY),
refused in production, and moved by the tests' ``move_clock``."""

from __future__ import annotations

import datetime as dt

import pytest

from config import ProductionConfig
from grants import create_app
from grants.core import clock
from tests.html import notices

GOOD_KEY = "k3y-for-the-tests-only-0123456789abcdefghij"  # nosec B105


@pytest.fixture
def real_clock_after():
    yield
    clock.set_to(None)


def test_the_app_runs_at_the_day_it_is_set_to_and_time_runs_on(real_clock_after):
    create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CLOCK_TODAY": "2028-12-31"}
    )
    assert clock.today() == dt.date(2028, 12, 31)
    assert clock.now().astimezone(clock.LOCAL).hour == 7
    first = clock.now()
    assert clock.now() >= first  # it runs, it is not frozen
    assert clock.is_moved()


def test_a_moment_just_before_the_new_year(real_clock_after):
    create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CLOCK_TODAY": "2029-12-31T23:59"}
    )
    local = clock.now().astimezone(clock.LOCAL)
    assert (local.date(), local.hour, local.minute) == (dt.date(2029, 12, 31), 23, 59)


def test_without_the_setting_the_clock_is_the_real_one(real_clock_after):
    create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CLOCK_TODAY": "2030-01-01"}
    )
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not clock.is_moved()
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_the_tests_ignore_the_developers_environment(monkeypatch, real_clock_after):
    monkeypatch.setenv("GRANTS_TODAY", "2031-06-01")
    import importlib

    import config

    importlib.reload(config)
    try:
        assert config.TestingConfig.CLOCK_TODAY == ""
        assert config.DevelopmentConfig.CLOCK_TODAY == "2031-06-01"
    finally:
        monkeypatch.delenv("GRANTS_TODAY")
        importlib.reload(config)


def test_a_bad_setting_is_refused_at_start(real_clock_after):
    with pytest.raises(clock.ClockSettingError, match="CLOCK_TODAY"):
        create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "CLOCK_TODAY": "31.12.28"}
        )


@pytest.mark.parametrize("value", ["2028-01-01", "2028-01-01T09:00"])
def test_production_refuses_to_start_with_the_clock_set(value, real_clock_after):
    class Moved(ProductionConfig):
        SECRET_KEY = GOOD_KEY
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        CLOCK_TODAY = value

    with pytest.raises(RuntimeError, match="GRANTS_TODAY"):
        create_app(Moved)
    assert not clock.is_moved()


def test_move_clock_still_moves_today(app, move_clock):
    move_clock(dt.date(2029, 3, 4))
    assert clock.today() == dt.date(2029, 3, 4)


def test_a_moved_clock_is_shown_on_every_page(app, client, real_clock_after):
    import re

    assert not any("appens ur er sat til" in n for n in notices(client.get("/log-ind")))
    clock.set_to(dt.datetime(2029, 1, 5, 9, 0, tzinfo=clock.LOCAL))
    page = client.get("/log-ind").get_data(as_text=True)
    assert re.search(r"appens ur er sat til 5\. januar 2029", page)
