"""Money, numbers and date-times are formatted without Babel's per-call pattern parsing
(grants.core.formatting); for every input they must read exactly as Babel would write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.core import formatting
from grants.core.money import kroner

LOCALES = st.sampled_from(["da", "en"])
AMOUNTS = st.decimals(
    min_value=Decimal("-100000000"), max_value=Decimal("100000000"), places=3
) | st.integers(min_value=-(10**9), max_value=10**9)


@given(AMOUNTS, LOCALES)
def test_money_reads_as_babel_writes_it(value, locale):
    expected = format_decimal(kroner(value), format="#,##0.00", locale=locale) + " kr."
    assert formatting.money(value, locale) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12), LOCALES)
def test_whole_numbers_read_as_babel_writes_them(value, locale):
    assert formatting.number(value, locale) == format_decimal(value, "#,##0", locale=locale)


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    LOCALES,
)
def test_date_times_read_as_babel_writes_them(value, locale):
    pattern = "d. MMM y HH:mm" if locale == "da" else "d MMM y, HH:mm"
    expected = format_datetime(value.replace(tzinfo=dt.UTC), pattern, tzinfo=dt.UTC, locale=locale)
    assert formatting.date_time(value, locale) == expected


def test_a_date_time_is_shown_in_the_municipalitys_time_zone(app):
    with app.test_request_context():
        app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Copenhagen"
        shown = formatting.date_time(dt.datetime(2026, 11, 24, 23, 30), "da")
    assert shown == format_datetime(
        dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC),
        "d. MMM y HH:mm",
        tzinfo=ZoneInfo("Europe/Copenhagen"),
        locale="da",
    )
    assert shown == "25. nov. 2026 00:30"


def test_danish_money_and_dates_as_a_dane_reads_them():
    assert formatting.money(Decimal("-1234.5"), "da") == "-1.234,50 kr."
    assert formatting.money(1234567, "en") == "1,234,567.00 kr."
    assert formatting.number(1000, "da") == "1.000"
    assert formatting.date_time(dt.datetime(2026, 11, 24, 13, 5), "da") == "24. nov. 2026 13:05"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # read-only use
@given(value=AMOUNTS, locale=LOCALES)
def test_whole_kroner_read_as_babel_writes_them(app, value, locale):
    from flask_babel import force_locale

    from grants.core.templating import whole_kroner

    expected = format_decimal(Decimal(str(value)), "#,##0", locale=locale) + " kr."
    with app.test_request_context(), force_locale(locale):
        assert whole_kroner(value) == expected
