"""The public verification form: a letter's code, typed (GET, no CSRF token, no session)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from grants.core.forms import Form
from grants.letters import verification


class VerifyForm(Form):
    class Meta:
        csrf = False

    code = StringField(
        _l("Brevets kode"),
        validators=[InputRequired(message=_l("Skriv koden fra brevet."))],
        description=_l("Koden står nederst i brevet, fx ABCDE-12345."),
    )

    def validate_code(self, field) -> None:
        if verification.normalise(field.data) is None:
            raise ValidationError(
                _l("En kode har 10 tegn, bogstaver og tal, fx ABCDE-12345. Tjek koden i brevet.")
            )
