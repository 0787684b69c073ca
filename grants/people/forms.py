from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from grants.core.forms import Form


class LoginForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Skriv din e-mailadresse.")),
            Email(_l("Skriv en gyldig e-mailadresse, fx navn@ballerup.dk.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Adgangskode"), validators=[DataRequired(_l("Skriv din adgangskode.")), Length(max=200)]
    )
