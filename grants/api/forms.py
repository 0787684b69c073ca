"""The administrator's form for issuing an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from grants.api.models import SCOPE_PAYMENTS, SCOPE_READ
from grants.core.forms import Form

SCOPE_LABELS = {
    SCOPE_READ: _l("Kun læse"),
    SCOPE_PAYMENTS: _l("Læse og registrere udbetalinger"),
}


class TokenForm(Form):
    name = StringField(
        _l("Navn"),
        [InputRequired(_l("Skriv et navn.")), Length(max=100, message=_l("Højst 100 tegn."))],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("Hvilket system nøglen er til, fx økonomisystemet."),
    )
    scope = SelectField(_l("Omfang"), choices=list(SCOPE_LABELS.items()), default=SCOPE_READ)
    owner = SelectField(
        _l("Ejer"),
        coerce=int,
        choices=[],
        description=_l("Nøglen må det samme som denne person, og ikke mere."),
    )
    expires_on = DateField(_l("Udløber den"), [InputRequired(_l("Skriv datoen."))])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = [(p.id, p.name) for p in people]
