"""Money: Decimal kroner in Python, whole øre (integers) in the database.

Integers keep sums exact on every database (SQLite has no decimal type).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger, Dialect
from sqlalchemy.types import TypeDecorator

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


def kroner(value: object) -> Decimal:
    """Any number-like value as kroner with two decimals."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = Decimal(str(value))
        except InvalidOperation as exc:  # pragma: no cover - guarded by callers
            raise ValueError(f"not an amount: {value!r}") from exc
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


class AmountError(ValueError):
    """What was typed is not an amount in kroner (see ``parse_danish_amount``)."""

    def __init__(self, typed: str) -> None:
        super().__init__(typed)
        self.typed = typed


class TooManyDecimals(AmountError):
    """An amount with more than two decimals: kroner have øre, nothing smaller."""


class TooLarge(AmountError):
    """An amount of more than ``MAX_DIGITS`` digits of whole kroner: an amount, but beyond
    any the app keeps. Refused like one over the caller's own maximum (``negative``: with a
    minus, refused like any negative amount where those are refused)."""

    def __init__(self, typed: str, negative: bool) -> None:
        super().__init__(typed)
        self.negative = negative


class AmbiguousAmount(AmountError):
    """One mark followed by exactly three digits ("6.500", "6,500", "0.001"): it reads as
    thousands grouped (``as_thousands``, 6500) or as decimals (``as_decimals``, 6.500), and
    which was meant cannot be known. ``as_decimals`` keeps all three decimals."""

    def __init__(self, typed: str, as_thousands: Decimal, as_decimals: Decimal) -> None:
        super().__init__(typed)
        self.as_thousands = as_thousands
        self.as_decimals = as_decimals


# What may surround the number: "kr.", "kr", "DKK" before or after, and ",-" (whole kroner).
_CURRENCY = re.compile(r"^(?:(?:dkk|kr\.?) *)?(.*?)(?: *(?:dkk|kr\.?))?$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
# Spaces may group thousands ("1 234 567,50"), nothing else.
_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")
MAX_DIGITS = 15


def parse_danish_amount(text: str) -> Decimal:
    """Read an amount in kroner as a person types it. One rule, whatever the interface
    language, because the money is Danish kroner in either:

    - digits only: whole kroner ("6500");
    - both "." and "," typed: the last one is the decimal mark, the other groups thousands
      ("6.500,50" and "6,500.50" are both 6500.50);
    - one kind of mark typed more than once: it groups thousands ("1.234.567", "1,234,567");
    - one mark typed once, followed by one or two digits: the decimal mark ("6,5", "6.50");
    - one mark typed once, followed by exactly three digits ("6.500", "6,500", "0.001"):
      **ambiguous** (thousands in Danish, decimals in English): refused with
      ``AmbiguousAmount``, which carries both readings; it is never guessed;
    - anything else is refused (``AmountError``): a group of other than three digits, more
      than two decimals (``TooManyDecimals``), letters, digits of other scripts; more than
      15 digits of whole kroner is refused as ``TooLarge``.

    Spaces are ignored, "kr.", "kr" or "DKK" may stand before or after, ",-" after whole
    kroner ("6.500,-"), and a leading "-" makes it negative. The result has two decimals and
    is never negative zero. Whether an amount may be negative, or how large, is the caller's
    to say (``grants.core.fields.AmountField``).
    """
    typed = text.strip()
    cleaned = re.sub(" +", " ", typed.lower().translate(_SPACES))
    match = _CURRENCY.match(cleaned)
    cleaned = match.group(1) if match else cleaned
    negative = cleaned.startswith("-")
    number = cleaned[1:].lstrip() if negative else cleaned
    if " " in number:
        if not _SPACE_GROUPED.fullmatch(number.removesuffix(",-").removesuffix(".-")):
            raise AmountError(typed)
        number = number.replace(" ", "")
    whole_kroner = number.endswith((",-", ".-"))
    if whole_kroner:
        number = number[:-2]
    if not number or not re.fullmatch(r"[0-9.,]+", number) or not number[0].isdigit():
        raise AmountError(typed)
    try:
        amount = _read(typed, number, whole_kroner)
    except AmbiguousAmount as ambiguous:
        if negative:
            raise AmbiguousAmount(typed, -ambiguous.as_thousands, -ambiguous.as_decimals) from None
        raise
    if amount >= 10**MAX_DIGITS:
        raise TooLarge(typed, negative)
    amount = -amount if negative else amount
    # -0.00 is 0.00: nobody means, or should read, "minus nothing".
    return amount.quantize(ORE) + ZERO


def _read(typed: str, number: str, whole_kroner: bool) -> Decimal:
    """The number (digits and marks, no sign) under the rule of ``parse_danish_amount``."""
    marks = [c for c in number if c in ".,"]
    if not marks:
        return Decimal(number)
    if number[-1] in ".,":
        raise AmountError(typed)
    if whole_kroner or len(set(marks)) == 1 and len(marks) > 1:
        # Only thousands groups: "1.234.567", "6.500,-".
        if not _GROUPED.fullmatch(number) or len(set(marks)) > 1:
            raise AmountError(typed)
        return Decimal(re.sub("[.,]", "", number))
    if len(set(marks)) == 2:
        decimal_mark = number[max(number.rfind("."), number.rfind(","))]
        whole, decimals = number.rsplit(decimal_mark, 1)
        if decimal_mark in whole or not _GROUPED.fullmatch(whole):
            raise AmountError(typed)
        return _with_decimals(typed, re.sub("[.,]", "", whole), decimals)
    # One mark, once.
    whole, decimals = re.split("[.,]", number)
    if len(decimals) == 3:
        if len(whole) <= 3:
            raise AmbiguousAmount(typed, Decimal(whole + decimals), Decimal(f"{whole}.{decimals}"))
        raise TooManyDecimals(typed)
    return _with_decimals(typed, whole, decimals)


def _with_decimals(typed: str, whole: str, decimals: str) -> Decimal:
    if len(decimals) > 2:
        raise TooManyDecimals(typed)
    return Decimal(f"{whole}.{decimals}")


class Money(TypeDecorator):
    """A column of kroner stored as whole øre."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(kroner(value) * 100)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # Øre to kroner with two decimals: scaleb is exact and ~5 times quicker than a
        # division and a quantize (a page of the open data reads 2,000 amounts).
        return Decimal(int(value)).scaleb(-2)
