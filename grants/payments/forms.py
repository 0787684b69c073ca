"""The finance officer's forms: the fund filter (GET, no CSRF token: it changes nothing),
and marking paid or registering a refund (POST, with a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from grants.core import clock
from grants.core.fields import AmountField
from grants.core.forms import Form
from grants.payments.models import REASON_MAX
from grants.payments.operations import VOUCHER_MAX


class FundFilterForm(Form):
    class Meta:
        csrf = False

    fund = SelectField(_l("Pulje"), choices=[], default="")

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fund.choices = [("", _l("Alle puljer"))] + [(f.code, f.name) for f in funds]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _MoneyMovementForm(Form):
    amount = AmountField(_l("Beløb"), [InputRequired(_l("Skriv et beløb."))])
    voucher = StringField(
        _l("Bilagsnummer"),
        [
            InputRequired(_l("Skriv bilagsnummeret.")),
            Length(max=VOUCHER_MAX, message=_l("Bilagsnummeret må højst være 60 tegn.")),
        ],
        filters=[_strip],
        description=_l("Bilagsnummeret i økonomisystemet."),
    )

    def validate_amount(self, field) -> None:
        # A negative amount is refused once, by the field ("kan ikke være negativt").
        if field.data is not None and field.data <= 0 and not field.errors:
            raise ValidationError(_l("Beløbet skal være større end 0 kr."))

    @staticmethod
    def _not_in_future(field) -> None:
        if field.data is not None and field.data > clock.today():
            raise ValidationError(_l("Datoen kan ikke ligge i fremtiden."))


class PaymentForm(_MoneyMovementForm):
    paid_on = DateField(_l("Udbetalt den"), [InputRequired(_l("Skriv datoen."))])

    def validate_paid_on(self, field) -> None:
        self._not_in_future(field)


class RefundForm(_MoneyMovementForm):
    refunded_on = DateField(_l("Modtaget den"), [InputRequired(_l("Skriv datoen."))])

    def validate_refunded_on(self, field) -> None:
        self._not_in_future(field)


class ConfirmationForm(Form):
    """The finance system's confirmation of a batch: a CSV file."""

    file = FileField(
        _l("Kvitteringsfil (CSV)"),
        [FileRequired(_l("Vælg filen."))],
        description=_l("Kolonnerne batch, line, voucher og paid_on (ÅÅÅÅ-MM-DD)."),
    )


class BatchForm(Form):
    """Making a batch: a button (the CSRF token is the form)."""


class WithdrawLineForm(Form):
    """Withdrawing a line the finance system will not pay: why (journalised on the case)."""

    reason = TextAreaField(
        _l("Begrundelse"),
        [
            InputRequired(_l("Skriv, hvorfor linjen tilbagekaldes.")),
            Length(max=REASON_MAX, message=_l("Begrundelsen må højst være 500 tegn.")),
        ],
        filters=[_strip],
        description=_l(
            "Hvorfor økonomisystemet ikke udbetaler linjen, fx forkert NemKonto eller "
            "CPR-nummer. Skrives i sagens journal."
        ),
    )
