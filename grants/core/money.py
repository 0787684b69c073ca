"""Money: Decimal kroner in Python, whole øre (integers) in the database.

Integers keep sums exact on every database (SQLite has no decimal type).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger
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


def parse_danish_amount(text: str) -> Decimal:
    """Read an amount as a Dane types it: "1.234,50", "1234,5", "1 234", "1234.50 kr."."""
    cleaned = text.strip().lower().removesuffix("kr.").removesuffix("kr").strip()
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ValueError("empty")
    if "," in cleaned:
        # Danish form: full stops group thousands, the comma is the decimal mark.
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") == 1 and len(cleaned.split(".")[1]) == 3:
        # "1.500" is one thousand five hundred, not one and a half.
        cleaned = cleaned.replace(".", "")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not amount.is_finite():
        raise ValueError(text)
    return kroner(amount)


class Money(TypeDecorator):
    """A column of kroner stored as whole øre."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int(kroner(value) * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(ORE)
