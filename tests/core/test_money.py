"""The one rule for amounts (grants.core.money.parse_danish_amount) and the one field that
applies it (grants.core.fields.AmountField). The defect behind it: "6.500" typed in the
English interface was read as 6,50 kr. and a binding letter went out for 6,50 kr."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from grants.core.fields import AmountField
from grants.core.formatting import long_date, money
from grants.core.forms import Form
from grants.core.money import (
    AmbiguousAmount,
    AmountError,
    Money,
    TooManyDecimals,
    kroner,
    parse_danish_amount,
)

UNAMBIGUOUS = [
    ("6500", "6500.00"),
    ("6500,50", "6500.50"),
    ("6500.50", "6500.50"),
    ("6.500,50", "6500.50"),
    ("6,500.50", "6500.50"),
    ("6,5", "6.50"),
    ("6.5", "6.50"),
    ("1.234.567", "1234567.00"),
    ("1,234,567", "1234567.00"),
    ("1,234.50", "1234.50"),
    ("1.234,50", "1234.50"),
    ("12.345.678,9", "12345678.90"),
    ("1 234,50 kr.", "1234.50"),
    ("kr. 1.234,50", "1234.50"),
    ("DKK 1234", "1234.00"),
    ("6.500,-", "6500.00"),
    ("0,5", "0.50"),
    ("-1.234,50", "-1234.50"),
    ("-0,00", "0.00"),
]


@pytest.mark.parametrize("typed, amount", UNAMBIGUOUS)
def test_unambiguous_amounts_are_read_the_same_way_always(typed, amount):
    assert parse_danish_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed, thousands, decimals",
    [
        ("6.500", "6500", "6.500"),
        ("6,500", "6500", "6.500"),
        ("0.001", "1", "0.001"),
        ("-0.001", "-1", "-0.001"),
        ("1.000", "1000", "1.000"),
        ("999,999", "999999", "999.999"),
        ("6.500 kr.", "6500", "6.500"),
    ],
)
def test_one_mark_and_three_digits_is_ambiguous_and_refused(typed, thousands, decimals):
    with pytest.raises(AmbiguousAmount) as refused:
        parse_danish_amount(typed)
    assert refused.value.as_thousands == Decimal(thousands)
    assert refused.value.as_decimals == Decimal(decimals)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "kr.",
        "abc",
        "1,2,3",
        "1.23.456",
        "NaN",
        "Infinity",
        "1e5",
        "6.",
        ".5",
        "+5",
        "1.234,5.6",
        "٦٥٠٠",
        "６５００",
        "1" * 16,
        "1 2",
        "--5",
        "5-",
    ],
)
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(AmountError):
        parse_danish_amount(typed)


@pytest.mark.parametrize("typed", ["1234.567", "1.234,567", "1,234.567", "6,5001", "12.345,678"])
def test_more_than_two_decimals_is_refused_not_rounded(typed):
    with pytest.raises(TooManyDecimals):
        parse_danish_amount(typed)


# -- Properties over every input ------------------------------------------------------------

MARKS = st.sampled_from([".", ","])
TYPED = st.text(alphabet="0123456789.,- ", min_size=1, max_size=14) | st.builds(
    lambda whole, mark, tail: f"{whole}{mark}{tail}",
    st.integers(0, 10**7).map(str),
    MARKS,
    st.text(alphabet="0123456789", min_size=0, max_size=4),
)


def expected_reading(typed: str) -> Decimal:
    """An independent oracle for an accepted amount: the digits, with a decimal point
    before the last one or two of them when the last mark is followed by one or two."""
    text = typed.replace(" ", "").removesuffix(",-").removesuffix(".-")
    digits = re.sub(r"[^0-9]", "", text)
    last = re.search(r"[.,]([0-9]+)$", text)
    places = len(last.group(1)) if last and len(last.group(1)) in (1, 2) else 0
    value = Decimal(digits).scaleb(-places)
    return -value if text.startswith("-") else value


@given(TYPED)
def test_whatever_is_accepted_reads_as_its_digits_say(typed):
    try:
        amount = parse_danish_amount(typed)
    except AmountError:
        return
    assert amount == expected_reading(typed)
    assert amount.as_tuple().exponent == -2


@given(TYPED)
def test_nothing_with_one_mark_and_three_digits_after_it_is_accepted(typed):
    number = typed.replace(" ", "")
    if len(re.findall(r"[.,]", number)) == 1 and re.search(r"[.,][0-9]{3}$", number):
        with pytest.raises(AmountError):
            parse_danish_amount(typed)


@given(st.integers(0, 999), MARKS, st.integers(0, 999))
def test_every_mark_with_three_digits_is_refused_with_both_readings(whole, mark, tail):
    typed = f"{whole}{mark}{tail:03d}"
    with pytest.raises(AmbiguousAmount) as refused:
        parse_danish_amount(typed)
    assert refused.value.as_thousands == whole * 1000 + tail
    assert refused.value.as_decimals == Decimal(f"{whole}.{tail:03d}")


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False))
def test_what_is_shown_in_either_language_reads_back(amount):
    for locale in ("da", "en"):
        shown = money(amount, locale=locale)
        assert parse_danish_amount(shown) == amount


# -- The field, in both languages -----------------------------------------------------------


class AmountForm(Form):
    class Meta:
        csrf = False

    amount = AmountField("Beløb")


def read(app, typed: str, locale: str):
    with app.test_request_context(), force_locale(locale):
        form = AmountForm(MultiDict({"amount": typed}))
        form.validate()
        return form.amount.data, [str(e) for e in form.amount.errors]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(typed=TYPED)
def test_whatever_the_field_accepts_reads_the_same_in_danish_and_english(app, typed):
    danish, danish_errors = read(app, typed, "da")
    english, english_errors = read(app, typed, "en")
    assert danish == english
    assert bool(danish_errors) == bool(english_errors)


def test_the_english_caseworkers_6500_is_refused_with_both_readings(app):
    amount, errors = read(app, "6.500", "en")
    assert amount is None
    assert errors == ["“6.500” can be read as 6,500.00 kr. or 6.50 kr. Write 6500 or 6.50."]
    amount, errors = read(app, "6.500", "da")
    assert amount is None
    assert errors == ["“6.500” kan læses som 6.500,00 kr. eller 6,50 kr. Skriv 6500 eller 6,50."]


def test_the_suggested_writings_are_read_as_meant(app):
    for locale in ("da", "en"):
        assert read(app, "6500", locale) == (Decimal("6500.00"), [])
        assert read(app, "6,50", locale) == (Decimal("6.50"), [])
        assert read(app, "6.50", locale) == (Decimal("6.50"), [])


def test_a_thousandth_is_ambiguous_too(app):
    # Issue 16, point 5: "0.001" used to become 1,00 kr.
    amount, errors = read(app, "0.001", "da")
    assert amount is None
    assert errors == [
        "“0.001” kan læses som 1,00 kr. eller 0,001 kr., men et beløb har højst to decimaler. "
        "Mener du 1,00 kr., så skriv 1."
    ]
    assert read(app, "-0.001", "en")[0] is None


def test_negative_and_too_large_amounts_are_refused_by_the_field(app):
    data, errors = read(app, "-5", "da")
    assert errors == ["Beløbet kan ikke være negativt."]
    data, errors = read(app, "10.000.000,01", "da")
    assert errors == ["Beløbet er for stort: det kan højst være 10.000.000,00 kr."]
    data, errors = read(app, "10.000.000,00", "da")
    assert (data, errors) == (Decimal("10000000.00"), [])


@pytest.mark.parametrize(
    "typed",
    [
        "10000001",
        "12345678901234",
        "999999999999999",
        "1000000000000000",
        "12345678901234567890",
        "1.234.567.890.123.456.789,50",
        "99999999999999999999 kr.",
    ],
)
def test_any_amount_beyond_the_maximum_is_too_large_however_many_digits(app, typed):
    # Twenty digits used to read "Skriv et beløb i kroner …" where fourteen read "for stort".
    for locale, message in [
        ("da", "Beløbet er for stort: det kan højst være 10.000.000,00 kr."),
        ("en", "The amount is too large: at most 10,000,000.00 kr."),
    ]:
        assert read(app, typed, locale)[1] == [message]
    # A negative one is refused for being negative, as any negative amount is.
    assert read(app, f"-{typed}", "da")[1] == ["Beløbet kan ikke være negativt."]


def test_an_amount_is_shown_back_in_the_readers_form(app):
    with app.test_request_context(), force_locale("en"):
        form = AmountForm(data={"amount": Decimal("6500")})
        assert form.amount._value() == "6,500.00"
        assert parse_danish_amount(form.amount._value()) == Decimal("6500")


# -- Rounding: half an øre rounds half up (away from zero), stored rounded ---------------


def test_money_and_dates_in_danish_form(app):
    assert money(Decimal("1234.5"), locale="da") == "1.234,50 kr."
    assert money(0, locale="da") == "0,00 kr."
    assert long_date(dt.date(2026, 11, 24), locale="da") == "24. november 2026"


@pytest.mark.parametrize(
    "value, shown",
    [
        ("0.125", "0,13 kr."),
        ("0.135", "0,14 kr."),
        ("0.115", "0,12 kr."),
        ("2.5", "2,50 kr."),
        ("0.124", "0,12 kr."),
        ("-0.125", "-0,13 kr."),
        ("-0.001", "0,00 kr."),
        ("-0.005", "-0,01 kr."),
        ("-0.004", "0,00 kr."),
    ],
)
def test_half_an_ore_rounds_half_up_away_from_zero(value, shown):
    assert money(Decimal(value), locale="da") == shown


def ore_by_hand(value: Decimal) -> int:
    """Round to whole øre, half away from zero, with integers only: the expectation, made
    without the code under test."""
    thousandths = int(value.scaleb(3))  # the strategies give at most three decimals
    sign = -1 if thousandths < 0 else 1
    whole, rest = divmod(abs(thousandths), 10)
    return sign * (whole + (1 if rest >= 5 else 0))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_kroner_rounds_half_up_as_counted_by_hand(value):
    assert kroner(value) == Decimal(ore_by_hand(value)).scaleb(-2)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_an_amount_stored_with_three_decimals_is_rounded_not_truncated(value):
    assert Money().process_bind_param(value, None) == ore_by_hand(value)


def test_a_stored_half_ore_is_rounded_up(app):
    assert Money().process_bind_param(Decimal("0.125"), None) == 13
    assert Money().process_bind_param(Decimal("0.999"), None) == 100
    assert Money().process_bind_param(Decimal("-0.125"), None) == -13
    assert Money().process_bind_param(0.125, None) == 13  # a float: its shortest repr


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_a_stored_amount_reads_back_as_kroner_with_two_decimals(ore):
    kroner_ = Money().process_result_value(ore, None)
    assert kroner_ == Decimal(ore).scaleb(-2)
    assert kroner_.as_tuple().exponent == -2
    assert Money().process_bind_param(kroner_, None) == ore
