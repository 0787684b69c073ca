"""Amounts in words (grants.core.words): the forms a Danish letter writer checks, and for
every number a reading back by an independent parser of the words."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.core.words import amount_in_words, danish_number, english_number


@pytest.mark.parametrize(
    "amount, danish, english",
    [
        ("0", "nul kroner", "zero kroner"),
        ("1", "en krone", "one krone"),
        ("0.01", "en øre", "one øre"),
        ("0.50", "halvtreds øre", "fifty øre"),
        ("21", "enogtyve kroner", "twenty-one kroner"),
        ("100", "et hundrede kroner", "one hundred kroner"),
        ("101", "et hundrede og en kroner", "one hundred and one kroner"),
        ("1000", "et tusind kroner", "one thousand kroner"),
        ("1001", "et tusind og en kroner", "one thousand and one kroner"),
        ("2003", "to tusind og tre kroner", "two thousand and three kroner"),
        ("6500", "seks tusind fem hundrede kroner", "six thousand five hundred kroner"),
        (
            "6500.50",
            "seks tusind fem hundrede kroner og halvtreds øre",
            "six thousand five hundred kroner and fifty øre",
        ),
        ("7075", "syv tusind og femoghalvfjerds kroner", "seven thousand and seventy-five kroner"),
        ("1000000", "en million kroner", "one million kroner"),
        ("2000000", "to millioner kroner", "two million kroner"),
        (
            "1234567",
            "en million to hundrede og fireogtredive tusind fem hundrede og syvogtres kroner",
            "one million two hundred and thirty-four thousand five hundred and sixty-seven kroner",
        ),
    ],
)
def test_amounts_in_words(amount, danish, english):
    assert amount_in_words(Decimal(amount), "da") == danish
    assert amount_in_words(Decimal(amount), "en") == english


DA_WORDS = {
    "nul": 0, "en": 1, "et": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7,
    "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
    "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19, "tyve": 20,
    "tredive": 30, "fyrre": 40, "halvtreds": 50, "tres": 60, "halvfjerds": 70, "firs": 80,
    "halvfems": 90,
}  # fmt: skip
DA_SCALES = {"hundrede": 100, "tusind": 1000, "million": 10**6, "millioner": 10**6,
             "milliard": 10**9, "milliarder": 10**9}  # fmt: skip


def read_danish(text: str) -> int:
    """Words back to a number, independently of the code under test."""
    total, group = 0, 0
    for word in text.split():
        if word == "og":
            continue
        if word in DA_SCALES:
            scale = DA_SCALES[word]
            if scale == 100:
                group = group * 100
            else:
                total += group * scale
                group = 0
        elif word in DA_WORDS:
            group += DA_WORDS[word]
        else:  # "treogtyve": units og tens
            units, tens = word.split("og")
            group += DA_WORDS[units] + DA_WORDS[tens]
    return total + group


@given(st.integers(min_value=0, max_value=10**11))
def test_danish_words_read_back_as_the_number(n):
    words = danish_number(n)
    assert read_danish(words) == n
    assert "  " not in words
    if 10**6 <= n % 10**9 < 2 * 10**6:
        assert "en million" in words and "en millioner" not in words


@given(st.integers(min_value=0, max_value=10**11))
def test_english_words_are_plain_and_whole(n):
    words = english_number(n)
    assert words.replace("-", " ").replace(" ", "").isalpha()
    assert (n == 0) == (words == "zero")
