"""The public filter: a year or an election period among those shown (GET, no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from grants.core.forms import Form
from grants.publication.queries import parse_period, shown_periods, shown_years


class TripFilterForm(Form):
    class Meta:
        csrf = False

    year = SelectField(_l("År"), choices=[], default="")
    period = SelectField(_l("Valgperiode"), choices=[], default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = [("", _l("Alle år"))] + [(str(y), str(y)) for y in shown_years()]
        self.period.choices = [("", _l("Alle valgperioder"))] + [
            (str(p), str(p)) for p in shown_periods()
        ]

    @property
    def year_value(self) -> int | None:
        return int(self.year.data) if self.year.data else None

    @property
    def period_value(self):
        return parse_period(self.period.data) if self.period.data else None
