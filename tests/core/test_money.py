import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.core.formatting import long_date, money
from grants.core.money import parse_danish_amount


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("1.234,50", "1234.50"),
        ("1234,5", "1234.50"),
        ("1234", "1234.00"),
        ("1.500", "1500.00"),
        ("1 234,50 kr.", "1234.50"),
        ("12.345.678,9", "12345678.90"),
        ("0,5", "0.50"),
        ("1234.5", "1234.50"),
    ],
)
def test_amounts_are_read_as_a_dane_types_them(typed, amount):
    assert parse_danish_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["", "kr.", "abc", "1,2,3", "NaN", "Infinity"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(ValueError):
        parse_danish_amount(typed)


def test_money_and_dates_in_danish_form(app):
    assert money(Decimal("1234.5"), locale="da") == "1.234,50 kr."
    assert money(0, locale="da") == "0,00 kr."
    assert long_date(dt.date(2026, 11, 24), locale="da") == "24. november 2026"


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False))
def test_what_is_shown_reads_back_as_the_same_amount(amount):
    shown = money(amount, locale="da")
    assert parse_danish_amount(shown) == amount


@pytest.mark.parametrize(
    "typed, locale, amount",
    [
        ("1,234.50", "en", "1234.50"),
        ("1234.5", "en", "1234.50"),
        ("1,234", "en", "1234.00"),
        ("1,234.50", "da", "1234.50"),
        ("1.234,50", "en", "1234.50"),
        ("1,5", "en", "1.50"),
    ],
)
def test_amounts_typed_the_english_way(typed, locale, amount):
    assert parse_danish_amount(typed, locale=locale) == Decimal(amount)


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False))
def test_what_is_shown_in_english_reads_back(amount):
    from babel.numbers import format_decimal

    shown = format_decimal(amount, format="#,##0.00", locale="en")
    assert parse_danish_amount(shown, locale="en") == amount


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_a_stored_amount_reads_back_as_kroner_with_two_decimals(ore):
    from grants.core.money import ORE, Money

    kroner = Money().process_result_value(ore, None)
    assert kroner == (Decimal(ore) / 100).quantize(ORE)
    assert kroner.as_tuple().exponent == -2
    assert Money().process_bind_param(kroner, None) == ore
