"""The desk's filters: read from the query string (GET, no CSRF token: they change nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import Select

from grants.cases.states import STATE_LABELS
from grants.core.fields import AmountField
from grants.core.forms import Form


class FilterForm(Form):
    class Meta:
        csrf = False


class OptionsSelect(Select):
    """WTForms' select, each plain option (a value and a label) written directly instead of
    through ``html_params`` (a dict sorted and escaped for each option: the search's thirty
    options were a tenth of its page). The same HTML: WTForms writes the attributes sorted
    by name, ``selected`` before ``value``."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        # The value and the label are escaped; the rest is ours.
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')  # nosec B704


class TaskFilterForm(FilterForm):
    fund = SelectField(_l("Pulje"), choices=[], default="")
    state = SelectField(_l("Status"), choices=[], default="")

    def __init__(
        self,
        *args: Any,
        funds: Iterable[tuple[str, str]] = (),
        states: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fund.choices = [("", _l("Alle puljer")), *funds]
        self.state.choices = [("", _l("Alle")), *((s, STATE_LABELS[s]) for s in states)]


class SearchForm(FilterForm):
    q = StringField(
        _l("Søg"),
        [Optional(), Length(max=200)],
        description=_l(
            "Sagsnummer, ansøger, organisation, CVR-nummer, titel, rejsemål eller ord fra "
            "ansøgningen."
        ),
    )
    fund = SelectField(_l("Pulje"), choices=[], default="", widget=OptionsSelect())
    state = SelectField(_l("Status"), choices=[], default="", widget=OptionsSelect())
    year = IntegerField(
        _l("År (indsendt)"),
        [Optional(), NumberRange(2000, 2100, _l("Skriv et år mellem 2000 og 2100."))],
    )
    amount_from = AmountField(_l("Ansøgt beløb fra"), [Optional()])
    amount_to = AmountField(_l("Ansøgt beløb til"), [Optional()])

    def __init__(self, *args: Any, funds: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund.choices = [("", _l("Alle puljer")), *funds]
        self.state.choices = [("", _l("Alle")), *STATE_LABELS.items()]

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        low, high = self.amount_from.data, self.amount_to.data
        if ok and low is not None and high is not None and high < low:
            self.amount_to.errors = [
                *self.amount_to.errors,
                _l("Beløbet “til” kan ikke være mindre end beløbet “fra”."),
            ]
            ok = False
        return ok
