"""Money, numbers and date-times are formatted without Babel's per-call pattern parsing
(grants.core.formatting); for every input they must read exactly as Babel would write them,
once rounded. Rounding is ours, not Babel's: half away from zero (Babel rounds half to
even), and what rounds to zero has no sign (Babel writes "-0,00 kr.", which no Danish reader
should see). The expected rounding is worked out by hand here, with integers, never with the
code under test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.core import formatting

LOCALES = st.sampled_from(["da", "en"])
AMOUNTS = st.decimals(
    min_value=Decimal("-100000000"), max_value=Decimal("100000000"), places=3
) | st.integers(min_value=-(10**9), max_value=10**9)


def rounded_by_hand(value, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half away from zero, by counting: the whole units
    and whether what is left is at least a half. Zero has no sign."""
    shifted = abs(Decimal(str(value)).scaleb(places))  # exact: no context rounding
    whole = int(shifted)  # int() truncates
    units = whole + (shifted - whole >= Decimal("0.5"))
    if units and Decimal(str(value)) < 0:
        units = -units
    return Decimal(units).scaleb(-places)


@given(AMOUNTS, LOCALES)
def test_money_reads_as_babel_writes_it(value, locale):
    expected = format_decimal(rounded_by_hand(value, 2), format="#,##0.00", locale=locale)
    assert formatting.money(value, locale) == expected + " kr."


@pytest.mark.parametrize(
    "value, locale, shown",
    [
        ("-0.001", "da", "0,00 kr."),
        ("-0.004", "en", "0.00 kr."),
        ("-0.005", "da", "-0,01 kr."),
        ("0.125", "da", "0,13 kr."),
        ("-0.125", "da", "-0,13 kr."),
        ("1234567.895", "en", "1,234,567.90 kr."),
    ],
)
def test_money_at_the_edges_of_rounding(value, locale, shown):
    assert formatting.money(Decimal(value), locale) == shown


@given(st.integers(min_value=-(10**12), max_value=10**12), LOCALES)
def test_whole_numbers_read_as_babel_writes_them(value, locale):
    assert formatting.number(value, locale) == format_decimal(value, "#,##0", locale=locale)


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    LOCALES,
)
def test_date_times_read_as_babel_writes_them(value, locale):
    pattern = "d. MMM y HH:mm" if locale == "da" else "d MMM y, HH:mm"
    # Outside a request too, a stored moment (UTC) is shown in the municipality's time.
    expected = format_datetime(
        value.replace(tzinfo=dt.UTC), pattern, tzinfo=ZoneInfo("Europe/Copenhagen"), locale=locale
    )
    assert formatting.date_time(value, locale) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), LOCALES)
def test_long_dates_read_as_babel_writes_them(value, locale):
    pattern = "d. MMMM y" if locale == "da" else "d MMMM y"
    assert formatting.long_date(value, locale) == format_date(value, pattern, locale=locale)
    assert formatting.long_date(value.isoformat(), locale) == format_date(
        value, pattern, locale=locale
    )


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


@pytest.mark.parametrize(
    "stored",
    [
        dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC),  # PostgreSQL
        dt.datetime(2026, 11, 24, 23, 30),  # SQLite: UTC without its zone
    ],
)
def test_a_moment_shown_as_a_date_is_the_day_it_was_in_copenhagen(app, stored):
    """A report deleted at 00:08 in Copenhagen (23:08 UTC) was said to be deleted the day
    before: the dates of stored moments were their UTC day."""
    with app.test_request_context():
        assert formatting.long_date(stored, "da") == "25. november 2026"
        assert formatting.short_date(stored, "en") == "25 Nov 2026"
    assert formatting.long_date(stored, "en") == "25 November 2026"  # outside a request
    assert formatting.long_date(dt.date(2026, 11, 24), "da") == "24. november 2026"


def test_danish_money_and_dates_as_a_dane_reads_them():
    assert formatting.money(Decimal("-1234.5"), "da") == "-1.234,50 kr."
    assert formatting.money(1234567, "en") == "1,234,567.00 kr."
    assert formatting.number(1000, "da") == "1.000"
    # (a stored moment: 12:05 UTC is 13:05 in Copenhagen in November)
    assert formatting.date_time(dt.datetime(2026, 11, 24, 12, 5), "da") == "24. nov. 2026 13:05"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # read-only use
@given(value=AMOUNTS, locale=LOCALES)
def test_whole_kroner_read_as_babel_writes_them(app, value, locale):
    from flask_babel import force_locale

    from grants.core.templating import whole_kroner

    expected = format_decimal(rounded_by_hand(value, 0), "#,##0", locale=locale) + " kr."
    with app.test_request_context(), force_locale(locale):
        assert whole_kroner(value) == expected
