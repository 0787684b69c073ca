"""Form fields the domain needs: an amount in kroner typed the Danish way."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from grants.core.formatting import _locale, money
from grants.core.money import parse_danish_amount

MAX_AMOUNT = Decimal("10000000")


class AmountField(StringField):
    """Reads "1.234,50", "1234" or "1234,5" into Decimal kroner; shows Danish form back."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return money(self.data).removesuffix(" kr.")

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_danish_amount(valuelist[0], locale=_locale())
        except ValueError:
            self.data = None
            raise ValueError(_l("Skriv et beløb i kroner, fx 1.234,50.")) from None
        if self.data < 0:
            raise ValueError(_l("Beløbet kan ikke være negativt."))
        if self.data > MAX_AMOUNT:
            raise ValueError(_l("Beløbet er for stort."))
