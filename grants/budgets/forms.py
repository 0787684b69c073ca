"""The budgets' forms: the filters (GET, no CSRF token: they change nothing) and closing a
year (POST, with a CSRF token)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from grants.budgets.models import ENTRY_KIND_LABELS, EntryKind
from grants.core.fields import AmountField
from grants.core.forms import Form

if TYPE_CHECKING:
    from grants.funds.models import Fund

YEAR_RANGE = NumberRange(2000, 2100, _l("Skriv et år mellem 2000 og 2100."))


class FilterForm(Form):
    """A filter read from the query string."""

    class Meta:
        csrf = False


class YearForm(FilterForm):
    year = SelectField(_l("Budgetår"), coerce=int, choices=[])

    def __init__(self, *args: Any, years: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year.choices = [(year, str(year)) for year in years]


FIGURE_LABELS = {
    "budget": _l("Budget"),
    "allocated": _l("Heraf årets bevilling"),
    "carried_in": _l("Heraf overført fra sidste år"),
    "carried_out": _l("Overført til næste år"),
    "lapsed": _l("Bortfaldet"),
    "granted": _l("Bevilget"),
    "committed": _l("Disponeret"),
    "spent": _l("Forbrug"),
    "awaiting_refund": _l("Afventer tilbagebetaling"),
    "available": _l("Til rådighed"),
    "waiting": _l("Ansøgt, ikke afgjort"),
}


class EntryFilterForm(FilterForm):
    figure = SelectField(
        _l("Tal"),
        choices=[("", _l("Alle posteringer"))] + list(FIGURE_LABELS.items()),
        default="",
    )
    kind = SelectField(
        _l("Type"),
        choices=[("", _l("Alle typer"))] + [(k.value, ENTRY_KIND_LABELS[k]) for k in EntryKind],
        default="",
    )


class BudgetYear:
    """For a form whose hidden field ``year`` names a budget year: read as a whole number."""

    year: Field

    def year_value(self) -> int | None:
        try:
            return int(str(self.year.data))  # None reads as "None": refused below
        except (TypeError, ValueError):
            self.year.errors = list(self.year.errors) + [_l("Skriv året som et helt tal.")]
            return None


class CloseYearForm(BudgetYear, Form):
    year = HiddenField(_l("Budgetår"), [InputRequired(_l("Vælg det år, der skal lukkes."))])
    waiting = RadioField(
        _l("Ansøgninger, der venter på afgørelse"),
        [Optional()],
        choices=[
            ("move", _l("Flyt dem til næste års budget: de afgøres på det")),
            ("close", _l("Luk året alligevel: de kan da kun afslås")),
        ],
    )


class AllocationForm(BudgetYear, Form):
    """The finance officer's plan: a fund's allocation for this year or next."""

    year = HiddenField(_l("Budgetår"), [InputRequired(_l("Vælg budgetåret."))])
    fund = SelectField(_l("Pulje"), choices=[], validate_choice=False)
    amount = AmountField(
        _l("Bevilling"),
        [InputRequired(_l("Skriv et beløb."))],
        description=_l("Årets bevilling i alt. Forskellen bogføres; intet overskrives."),
    )
    note = StringField(
        _l("Begrundelse (valgfri)"),
        [Optional(), Length(max=200, message=_l("Skriv højst 200 tegn."))],
    )

    def __init__(self, *args: Any, funds: Iterable[Fund] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund.choices = [(f.code, f.name) for f in funds]

    def validate_fund(self, field: Field) -> None:
        if field.data not in dict(cast("list[tuple[str, str]]", self.fund.choices)):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Vælg en af puljerne."))


class ExportForm(FilterForm):
    fund = SelectField(_l("Pulje"), choices=[], default="")
    year = IntegerField(_l("Budgetår (valgfrit)"), [Optional(), YEAR_RANGE])
    date_from = DateField(
        _l("Fra og med (valgfrit)"),
        [Optional()],
        description=_l("Posteringer efter bogføringsdato, bevillinger efter afgørelsesdato."),
    )
    date_to = DateField(_l("Til og med (valgfrit)"), [Optional()])

    def __init__(self, *args: Any, funds: Iterable[Fund] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund.choices = [("", _l("Alle puljer"))] + [(f.code, f.name) for f in funds]

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        if self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            message = _l("Slutdatoen kan ikke ligge før startdatoen.")
            self.date_to.errors = [*self.date_to.errors, message]
            ok = False
        return ok
