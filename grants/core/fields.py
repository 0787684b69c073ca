"""Form fields the domain needs: an amount in kroner, read by the one rule for amounts
(``grants.core.money.parse_danish_amount``) whatever the interface language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from wtforms import StringField

from grants.core.formatting import _locale, grouped, money
from grants.core.input import ascii_digits
from grants.core.money import AmbiguousAmount, TooLarge, TooManyDecimals, parse_danish_amount

MAX_AMOUNT = Decimal("10000000")


def amount_problem(error: ValueError) -> str:
    """What to tell the person about an amount the rule refused, in their language.

    An ambiguous amount is shown with both readings and how to write each one so that it
    cannot be misread: «“6.500” kan læses som 6.500,00 kr. eller 6,50 kr. Skriv 6500 eller
    6,50.» The readings are formatted for the reader, like every amount on the page."""
    if isinstance(error, AmbiguousAmount):
        locale = _locale()
        thousands, decimals = error.as_thousands, error.as_decimals
        as_decimals = f"{grouped(decimals, 3, locale)} kr."
        if decimals == decimals.quantize(Decimal("0.01")):
            readings = _(
                "“%(typed)s” kan læses som %(thousands)s eller %(decimals)s",
                typed=error.typed,
                thousands=money(thousands),
                decimals=money(decimals),
            )
            # 6,50 and 6.50 both read the same under the rule (one mark, two digits); below
            # 1000 (at most three digits before the mark) there are no thousands to group.
            how = _(
                "Skriv %(write_thousands)s eller %(write_decimals)s.",
                write_thousands=str(int(thousands)),
                write_decimals=grouped(decimals, 2, locale),
            )
            return f"{end_sentence(readings)} {how}"
        return _(
            "“%(typed)s” kan læses som %(thousands)s eller %(decimals)s, men et beløb har "
            "højst to decimaler. Mener du %(thousands)s, så skriv %(write_thousands)s.",
            typed=error.typed,
            thousands=money(thousands),
            decimals=as_decimals,
            write_thousands=str(int(thousands)),
        )
    if isinstance(error, TooManyDecimals):
        return _("Et beløb har højst to decimaler (øre), fx 1.234,50.")
    if isinstance(error, TooLarge):
        # However many digits: the same words as an amount just over the maximum.
        return _negative() if error.negative else _too_large()
    return _("Skriv et beløb i kroner, fx 1.234,50.")


def _negative() -> str:
    return _("Beløbet kan ikke være negativt.")


def _too_large() -> str:
    return _("Beløbet er for stort: det kan højst være %(limit)s", limit=money(MAX_AMOUNT))


def end_sentence(text: str) -> str:
    """End a sentence with a full stop, unless it ends in one already ("… 6,50 kr."): an
    amount's "kr." is never followed by a second full stop."""
    return text if text.endswith(".") else f"{text}."


def read_amount(text: str) -> Decimal:
    """``parse_danish_amount``, refusing with the message to show next to the field."""
    try:
        # Digits of other scripts are the digits they are ("٦٥٠٠" is 6500), as in every
        # field of digits (grants.core.input); the rule then reads the ASCII text.
        return parse_danish_amount(ascii_digits(text))
    except ValueError as error:
        raise ValueError(amount_problem(error)) from None


class AmountField(StringField):
    """An amount in kroner: "6500", "6.500,50", "6,5"; an ambiguous "6.500" is refused with
    both readings. Shown back in the reader's form ("6.500,00" / "6,500.00")."""

    # An amount, where WTForms' StringField holds the text typed.
    data: Decimal | None  # type: ignore[assignment]

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return money(self.data).removesuffix(" kr.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = read_amount(valuelist[0])
        except ValueError:
            self.data = None
            raise
        if self.data < 0:
            raise ValueError(_negative())
        if self.data > MAX_AMOUNT:
            raise ValueError(_too_large())
