"""An amount in kroner in words, as a decider reads it before a binding decision goes out:
"seks tusind fem hundrede kroner", "six thousand five hundred kroner".

Our own small functions: num2words' Danish writes "en millioner" and "sekstusinde og
femhundrede", which no Danish letter would. Danish follows Retskrivningsordbogen: numbers
as separate words ("seks tusind fem hundrede"), "og" before the last tens and units of a
group ("et hundrede og tre", "to tusind og en"), "et" before hundrede and tusind and "en"
before million and milliard, and "en" for one krone or øre (both are common gender).
English is British: "one hundred and three", "twenty-one".
"""

from __future__ import annotations

from decimal import Decimal

from grants.core.money import kroner

_DA_UNITS = [
    "nul",
    "en",
    "to",
    "tre",
    "fire",
    "fem",
    "seks",
    "syv",
    "otte",
    "ni",
    "ti",
    "elleve",
    "tolv",
    "tretten",
    "fjorten",
    "femten",
    "seksten",
    "sytten",
    "atten",
    "nitten",
]
_DA_TENS = {
    2: "tyve",
    3: "tredive",
    4: "fyrre",
    5: "halvtreds",
    6: "tres",
    7: "halvfjerds",
    8: "firs",
    9: "halvfems",
}
_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = {
    2: "twenty",
    3: "thirty",
    4: "forty",
    5: "fifty",
    6: "sixty",
    7: "seventy",
    8: "eighty",
    9: "ninety",
}


def _da_below_100(n: int) -> str:
    if n < 20:
        return _DA_UNITS[n]
    tens, units = divmod(n, 10)
    return _DA_TENS[tens] if not units else f"{_DA_UNITS[units]}og{_DA_TENS[tens]}"


def _da_below_1000(n: int) -> list[str]:
    """1..999 as words; "og" before the tens and units after hundreds."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words += ["et" if hundreds == 1 else _DA_UNITS[hundreds], "hundrede"]
    if rest:
        if hundreds:
            words.append("og")
        words.append(_da_below_100(rest))
    return words


_DA_SCALES = [
    (10**9, "milliard", "milliarder"),
    (10**6, "million", "millioner"),
]


def danish_number(n: int) -> str:
    """A whole number in Danish words, counting something of common gender (en krone)."""
    if n == 0:
        return "nul"
    words: list[str] = []
    for size, one, many in _DA_SCALES:
        count, n = divmod(n, size)
        if count:
            words += ["en", one] if count == 1 else [*_da_below_1000(count), many]
    thousands, rest = divmod(n, 1000)
    if thousands:
        words += ["et", "tusind"] if thousands == 1 else [*_da_below_1000(thousands), "tusind"]
    if rest:
        if words and rest < 100:
            words.append("og")  # "to tusind og tre", "en million og en"
        words += _da_below_1000(rest)
    return " ".join(words)


def _en_below_1000(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words += [_EN_UNITS[hundreds], "hundred"]
    if rest:
        if hundreds:
            words.append("and")
        if rest < 20:
            words.append(_EN_UNITS[rest])
        else:
            tens, units = divmod(rest, 10)
            words.append(_EN_TENS[tens] + (f"-{_EN_UNITS[units]}" if units else ""))
    return words


def english_number(n: int) -> str:
    if n == 0:
        return "zero"
    words: list[str] = []
    for size, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        count, n = divmod(n, size)
        if count:
            words += [*_en_below_1000(count), name]
    if n:
        if words and n < 100:
            words.append("and")  # "two thousand and three"
        words += _en_below_1000(n)
    return " ".join(words)


def amount_in_words(amount: Decimal | int, locale: str) -> str:
    """ "6.500,50 kr." → "seks tusind fem hundrede kroner og halvtreds øre" (Danish), "six
    thousand five hundred kroner and fifty øre" (English). Negative amounts say "minus"."""
    value = kroner(amount)
    sign, value = ("minus " if value < 0 else ""), abs(value)
    whole = int(value)
    ore = int((value - whole) * 100)
    if locale.startswith("da"):
        number, unit = danish_number, ("krone", "kroner")
        joint, ore_word = "og", "øre"
    else:
        number, unit = english_number, ("krone", "kroner")
        joint, ore_word = "and", "øre"
    text = f"{number(whole)} {unit[0] if whole == 1 else unit[1]}"
    if ore:
        text = f"{text} {joint} {number(ore)} {ore_word}" if whole else f"{number(ore)} {ore_word}"
    return sign + text
