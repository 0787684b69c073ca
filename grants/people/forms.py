from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

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


def _without_spaces(value):
    return "".join(value.split()) if isinstance(value, str) else value


class SignupForm(Form):
    """The first step of a sign-up: only the address, which the link in the e-mail proves."""

    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Skriv din e-mailadresse.")),
            Email(_l("Skriv en gyldig e-mailadresse.")),
            Length(max=254),
        ],
        description=_l("Vi sender et link til adressen. Du vælger adgangskode, når du åbner det."),
    )


class SignupCompleteForm(Form):
    name = StringField(_l("Dit navn"), [DataRequired(_l("Skriv dit navn.")), Length(max=200)])
    password = PasswordField(
        _l("Adgangskode"),
        validators=[DataRequired(_l("Vælg en adgangskode.")), Length(max=200)],
        description=_l(
            "Mindst 12 tegn. En sætning er lettere at huske end tegn og tal, og sværere at gætte."
        ),
    )
    confirm = PasswordField(
        _l("Gentag adgangskoden"),
        validators=[
            DataRequired(_l("Gentag adgangskoden.")),
            EqualTo("password", message=_l("De to adgangskoder er ikke ens.")),
        ],
    )


class CodeForm(Form):
    """A code from the authenticator app."""

    code = StringField(
        _l("Kode fra din godkendelsesapp"),
        validators=[
            DataRequired(_l("Skriv koden fra din godkendelsesapp.")),
            Regexp(r"^[0-9]{6}$", message=_l("Koden er 6 cifre.")),
        ],
        filters=[_without_spaces],
        description=_l("De 6 cifre, som appen viser lige nu."),
    )


class RecoveryCodeForm(Form):
    code = StringField(
        _l("Gendannelseskode"),
        validators=[
            DataRequired(_l("Skriv en af dine gendannelseskoder.")),
            Length(max=40, message=_l("En gendannelseskode er 10 tegn, fx abcde-fghjk.")),
        ],
        description=_l(
            "En af de koder, du fik, da du satte totrinsbekræftelse op. Hver kode kan bruges "
            "én gang."
        ),
    )


class SecondFactorChangeForm(Form):
    """Changing the second factor needs the password and a code (or a recovery code)."""

    password = PasswordField(
        _l("Din adgangskode"),
        validators=[DataRequired(_l("Skriv din adgangskode.")), Length(max=200)],
    )
    code = StringField(
        _l("Kode fra din godkendelsesapp eller en gendannelseskode"),
        validators=[
            DataRequired(_l("Skriv koden fra din godkendelsesapp eller en gendannelseskode.")),
            Length(max=40, message=_l("En kode er 6 cifre, en gendannelseskode 10 tegn.")),
        ],
    )
