from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

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


class PasswordChangeForm(Form):
    current = PasswordField(
        _l("Nuværende adgangskode"),
        validators=[DataRequired(_l("Skriv din nuværende adgangskode.")), Length(max=200)],
    )
    password = PasswordField(
        _l("Ny adgangskode"),
        validators=[DataRequired(_l("Vælg en ny adgangskode.")), Length(max=200)],
        description=_l("Mindst 12 tegn. En sætning er lettere at huske end tegn og tal."),
    )
    confirm = PasswordField(
        _l("Gentag den nye adgangskode"),
        validators=[
            DataRequired(_l("Gentag den nye adgangskode.")),
            EqualTo("password", message=_l("De to adgangskoder er ikke ens.")),
        ],
    )
