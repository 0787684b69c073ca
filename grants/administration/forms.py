"""The administrator's forms: the municipality, partner cities, funds, questions, letter
texts and people's roles. Same messages as every other form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from grants.administration.models import GroupRole
from grants.applications.forms import country_choices
from grants.core.fields import AmountField
from grants.core.forms import Form
from grants.core.input import cvr_filter, digits_filter, has_control_characters
from grants.core.money import ZERO
from grants.funds import accounts, kinds
from grants.funds.defaults import HANDLING_CODE_PATTERN, KLE_NUMBER_PATTERN
from grants.funds.models import CarryOver
from grants.partners.models import Relation
from grants.people.models import Role
from grants.questions.forms import KIND_LABELS
from grants.questions.models import QuestionKind
from grants.workflow.labels import route_label

LANGUAGES = [("da", _l("Dansk")), ("en", _l("Engelsk"))]

CARRY_OVER = [
    (CarryOver.NONE.value, _l("Ubrugte midler bortfalder ved årets udgang")),
    (CarryOver.ELECTION_PERIOD.value, _l("Ubrugte midler overføres inden for valgperioden")),
]
RELATIONS = [
    (Relation.TWIN_CITY.value, _l("Venskabsby")),
    (Relation.PARTNERSHIP.value, _l("Partnerskab")),
    (Relation.OTHER.value, _l("Andet samarbejde")),
]
ROLE_LABELS = {
    Role.EMPLOYEE: _l("Medarbejder"),
    Role.MANAGER: _l("Leder (anbefaler ansøgninger)"),
    Role.CASEWORKER: _l("Sagsbehandler"),
    Role.BOARD_MEMBER: _l("Bestyrelses- eller udvalgsmedlem"),
    Role.FINANCE: _l("Økonomimedarbejder"),
    Role.ADMIN: _l("Administrator"),
}

REQUIRED = _l("Feltet skal udfyldes.")


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class MunicipalityForm(Form):
    name = StringField(_l("Kommunens navn"), [DataRequired(REQUIRED), Length(max=200)])
    unit = StringField(_l("Enhed, der sender brevene"), [Optional(), Length(max=200)])
    letterhead = TextAreaField(
        _l("Brevhoved"),
        [Optional(), Length(max=500)],
        description=_l("En linje under kommunens navn øverst i brevene, fx centrets navn."),
    )
    address = StringField(_l("Adresse"), [Optional(), Length(max=300)])
    cvr = StringField(
        _l("CVR-nummer"),
        [Optional(), Regexp(r"^[0-9]{8}$", message=_l("Et CVR-nummer er 8 cifre."))],
        # "٣١٤١٥٩٢٦", "31 41 59 26" and "DK31415926" are the number the person meant.
        filters=[cvr_filter],
    )
    email = EmailField(
        _l("E-mail"),
        [Optional(), Email(_l("Skriv en gyldig e-mailadresse.")), Length(max=254)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    phone = StringField(_l("Telefon"), [Optional(), Length(max=40)])
    website = StringField(
        _l("Hjemmeside"),
        [
            Optional(),
            Length(max=200),
            Regexp(r"^https?://\S+$", message=_l("Skriv en adresse, der begynder med https://.")),
        ],
    )
    contact_note = TextAreaField(_l("Kontakt for offentligheden"), [Optional(), Length(max=2000)])
    postcodes = StringField(
        _l("Kommunens postnumre"),
        [
            Optional(),
            Length(max=200),
            Regexp(
                r"^\s*[0-9]{4}([\s,]+[0-9]{4})*\s*$",
                message=_l("Skriv postnumre med fire cifre, adskilt af mellemrum."),
            ),
        ],
        filters=[digits_filter],
    )
    complaint_guidance = TextAreaField(
        _l("Klagevejledning"),
        [Optional(), Length(max=5000)],
        description=_l("Står i alle afgørelser og afregninger. Tom: standardteksten."),
    )
    complaint_guidance_en = TextAreaField(
        _l("Klagevejledning på engelsk"),
        [Optional(), Length(max=5000)],
        description=_l(
            "Står i breve til modtagere, der læser engelsk. Tom: den engelske standardtekst."
        ),
    )
    refund_reg_number = StringField(
        _l("Registreringsnummer til tilbagebetalinger"),
        [Optional(), Regexp(r"^\d{4}$", message=_l("Et registreringsnummer er 4 cifre."))],
        filters=[_stripped],
        description=_l("Står i breve, der beder om penge tilbage, fx 2211."),
    )
    refund_account_number = StringField(
        _l("Kontonummer til tilbagebetalinger"),
        [Optional(), Regexp(r"^\d{1,10}$", message=_l("Et kontonummer er 1 til 10 cifre."))],
        filters=[_stripped],
    )
    refund_payment_method = TextAreaField(
        _l("Anden betalingsmåde til tilbagebetalinger"),
        [Optional(), Length(max=500)],
        description=_l(
            "Fx et indbetalingskort eller MobilePay. Står i brevet sammen med kontoen eller "
            "i stedet for den."
        ),
    )
    languages = SelectMultipleField(_l("Sprog, der tilbydes"), choices=LANGUAGES)
    logo = FileField(_l("Logo (PNG eller JPEG)"))
    # The election periods, within which the committees' unspent money is carried over.
    election_first_year = IntegerField(
        _l("Første år i en valgperiode"),
        [Optional(), NumberRange(1900, 2200, _l("Skriv et årstal, fx 2022."))],
        description=_l(
            "Et år, hvor en valgperiode begynder (de andre følger af længden), fx 2022 efter "
            "kommunalvalget i november 2021."
        ),
    )
    election_period_years = IntegerField(
        _l("Valgperiodens længde i år"),
        [Optional(), NumberRange(1, 10, _l("Skriv et antal år fra 1 til 10."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # An account is the two numbers together: one alone cannot receive a payment.
        registration = (self.refund_reg_number.data or "").strip()
        account = (self.refund_account_number.data or "").strip()
        if registration and not account and not self.refund_account_number.errors:
            self.refund_account_number.errors = [
                _l("Skriv kontonummeret til registreringsnummeret.")
            ]
            valid = False
        if account and not registration and not self.refund_reg_number.errors:
            self.refund_reg_number.errors = [_l("Skriv registreringsnummeret til kontonummeret.")]
            valid = False
        return valid

    def validate_languages(self, field) -> None:
        if not field.data:
            field.errors.append(_l("Vælg mindst ét sprog."))
            return
        if "da" not in field.data:
            field.errors.append(_l("Dansk skal altid tilbydes."))


class PartnerCityForm(Form):
    name = StringField(_l("Byens navn"), [DataRequired(REQUIRED), Length(max=200)])
    country = SelectField(_l("Land"), choices=[], validate_choice=False)
    relation = SelectField(_l("Forbindelse"), choices=RELATIONS)
    valid_from = DateField(_l("Gælder fra"), [DataRequired(_l("Skriv en gyldig dato."))])
    valid_to = DateField(_l("Gælder til (tom: stadig gældende)"), [Optional()])
    note = TextAreaField(_l("Note"), [Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def validate_country(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Vælg landet."))
        if field.data not in dict(self.country.choices):
            raise ValidationError(_l("Vælg et land fra listen."))

    def validate_valid_to(self, field) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("Slutdatoen kan ikke være før startdatoen."))


class FundForm(Form):
    code = StringField(
        _l("Kode"),
        [
            DataRequired(REQUIRED),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Brug små bogstaver a-z, tal og bindestreg."),
            ),
        ],
        description=_l("Bruges i adresser og filer; kan ikke ændres senere."),
    )
    name = StringField(_l("Navn"), [DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Beskrivelse"), [Optional(), Length(max=2000)])
    kind = SelectField(_l("Slags pulje"), choices=[])
    route_id = SelectField(
        _l("Sagens gang"),
        choices=[],
        validate_choice=False,
        description=_l(
            "Hvem anbefaler, screener og træffer afgørelse. En ændring gælder nye ansøgninger; "
            "sager, der er i gang, afsluttes på den vej, de startede på."
        ),
    )
    delegated_limit = AmountField(
        _l("Sagsbehandlerens beløbsgrænse"),
        description=_l("Sagsbehandleren afgør op til og med beløbet; over det bestyrelsen."),
    )
    yearly_budget = AmountField(
        _l("Årligt budget"),
        description=_l(
            "En ændring bogføres som en regulering af årets og næste års bevilling i "
            "budgettet; intet overskrives."
        ),
    )
    carry_over = SelectField(_l("Ubrugte midler"), choices=CARRY_OVER)
    account_string = StringField(
        _l("Kontostreng i økonomisystemet"),
        [Optional(), Length(max=accounts.LONGEST, message=_l("Højst 60 tegn."))],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("Kontoen, puljens udbetalinger bogføres på, fx 5.25.10.01.04.5."),
    )
    caseworker_email = EmailField(
        _l("Sagsbehandlernes fælles e-mail"),
        [Optional(), Email(_l("Skriv en gyldig e-mailadresse.")), Length(max=254)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l(
            "Puljens fælles postkasse. En besked fra ansøgeren på en sag, som ingen "
            "sagsbehandler har taget endnu, sendes hertil i stedet for til alle "
            "sagsbehandlere."
        ),
    )
    report_due_days = IntegerField(
        _l("Frist for rapport og regnskab (dage efter hjemkomst)"),
        [InputRequired(REQUIRED), NumberRange(1, 365, _l("Skriv et antal dage fra 1 til 365."))],
    )
    remind_days_before = IntegerField(
        _l("Påmindelse (dage før fristen)"),
        [Optional(), NumberRange(0, 60, _l("Skriv et antal dage fra 0 til 60."))],
    )
    refund_days = IntegerField(
        _l("Frist for tilbagebetaling (dage efter afregningen)"),
        [InputRequired(REQUIRED), NumberRange(1, 365, _l("Skriv et antal dage fra 1 til 365."))],
    )
    report_before_return = BooleanField(
        _l("Rapport og regnskab kan indsendes før hjemkomsten"),
        description=_l("Afregningen sker aldrig før hjemkomstdagen."),
    )
    board = SelectMultipleField(
        _l("Bestyrelsen, der afgør over beløbsgrænsen"), choices=[], validate_choice=False
    )
    digital_post = BooleanField(
        _l("Breve sendes med Digital Post"),
        description=_l(
            "Afgørelses- og afregningsbreve sendes til foreningens CVR-nummer gennem "
            "Serviceplatformen. Kan Digital Post ikke aflevere brevet, sendes det som "
            "kommunen har valgt: et sikkert link på e-mail eller print."
        ),
    )
    kle_number = StringField(
        _l("KLE-nummer"),
        [
            Optional(),
            Regexp(KLE_NUMBER_PATTERN, message=_l("Skriv KLE-nummeret som 00.00.00.")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("Emnet, sagerne journaliseres under i ESDH, fx 05.10.00."),
    )
    handling_code = StringField(
        _l("Handlingsfacet"),
        [
            Optional(),
            Regexp(
                HANDLING_CODE_PATTERN,
                message=_l("Skriv handlingsfacetten som et stort bogstav og to tal, fx G01."),
            ),
        ],
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        description=_l("Fx G01 (generelle sager)."),
    )
    publish_trips = BooleanField(_l("Rejserne offentliggøres, når regnskabet er godkendt"))
    publish_names = BooleanField(_l("Deltagernes navne offentliggøres"))
    active = BooleanField(_l("Puljen er åben for ansøgninger"), default=True)

    def __init__(self, *args, routes=(), board_members=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.code, kind.label) for kind in kinds.all_kinds()]
        self.route_id.choices = [
            (str(r.id), f"{route_label(r.name)} ({r.code} v{r.version})") for r in routes
        ]
        self.board.choices = [(str(u.id), u.name) for u in board_members]
        self.editing = editing
        if editing:
            del self.code

    def validate_account_string(self, field) -> None:
        """Written into every line of the finance system's files: grants.funds.accounts."""
        problem = accounts.problem(field.data or "")
        # A line break or another control character is said once, by grants.core.forms.
        if problem is not None and not has_control_characters(field.data):
            raise ValidationError(accounts.MESSAGES[problem])

    def validate_route_id(self, field) -> None:
        if field.data not in dict(self.route_id.choices):
            raise ValidationError(_l("Vælg en af mulighederne."))

    def validate_board(self, field) -> None:
        if set(field.data or ()) - {value for value, _label in self.board.choices}:
            raise ValidationError(_l("Vælg bestyrelsesmedlemmer fra listen."))

    def validate_delegated_limit(self, field) -> None:
        if field.errors:  # not an amount at all: said once, by the field itself
            return
        if field.data is None:
            raise ValidationError(_l("Skriv et beløb."))
        if field.data < ZERO:
            raise ValidationError(_l("Beløbet kan ikke være negativt."))

    def validate_yearly_budget(self, field) -> None:
        self.validate_delegated_limit(field)

    def validate_publish_names(self, field) -> None:
        if field.data and not self.publish_trips.data:
            raise ValidationError(_l("Navne kan kun offentliggøres, når rejserne offentliggøres."))
        if field.data and self.kind.data in kinds.codes(names_may_be_public=False):
            raise ValidationError(_l("Børn og unges navne offentliggøres aldrig."))


class QuestionForm(Form):
    label = StringField(_l("Spørgsmål"), [DataRequired(REQUIRED), Length(max=300)])
    kind = SelectField(
        _l("Slags svar"), choices=[(k.value, label) for k, label in KIND_LABELS.items()]
    )
    help_text = TextAreaField(_l("Hjælpetekst"), [Optional(), Length(max=1000)])
    choices = TextAreaField(
        _l("Muligheder (én pr. linje)"),
        [Optional(), Length(max=2000)],
        description=_l("Kun ved valg mellem muligheder."),
    )
    required = BooleanField(_l("Skal besvares"))

    def validate_choices(self, field) -> None:
        options = self.options()
        if self.kind.data == QuestionKind.CHOICE.value and len(options) < 2:
            raise ValidationError(_l("Skriv mindst to muligheder, én pr. linje."))
        if any(len(option) > 200 for option in options):
            raise ValidationError(_l("En mulighed må højst være 200 tegn."))
        # The applicant's answer is the option's text: two alike could not be told apart.
        if len({option.casefold() for option in options}) < len(options):
            raise ValidationError(_l("Skriv hver mulighed kun én gang."))

    def options(self) -> list[str]:
        return [line.strip() for line in (self.choices.data or "").splitlines() if line.strip()]


class LetterTextForm(Form):
    body = TextAreaField(_l("Tekst"), [DataRequired(REQUIRED), Length(max=5000)])


class UserRolesForm(Form):
    active = BooleanField(_l("Kan logge ind"))
    roles = SelectMultipleField(
        _l("Roller"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    # The person's own manager, who endorses their study trips: the active managers, never
    # the person themselves. A change sends the cases waiting for the manager's step on to
    # the new manager (grants.workflow.rerouting).
    manager_id = SelectField(
        _l("Leder"),
        description=_l(
            "Lederen anbefaler personens ansøgninger. Sager, der venter på lederens "
            "anbefaling, går videre til den nye leder."
        ),
        validate_choice=False,
    )

    # Who takes over when the person stops being a manager (the role taken away, the
    # account closed): the employees who have them as their manager get the successor, and
    # the cases waiting for their endorsement go to the successor (grants.workflow.rerouting).
    # Shown only for a person who is a manager or is named as one (``with_successor``).
    successor_id = SelectField(
        _l("Ny leder for personens medarbejdere"),
        description=_l(
            "Kun når personen ikke længere skal være leder (rollen fjernes, eller kontoen "
            "lukkes): den valgte bliver leder for medarbejderne, der har personen som leder, "
            "og sager, der venter på personens anbefaling, går videre til den valgte. Skal "
            "vælges, hvis sager venter på personens anbefaling."
        ),
        validate_choice=False,
    )

    def __init__(self, *args, managers=(), with_successor: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager_id.choices = [("", _l("Ingen leder"))] + [
            (str(m.id), f"{m.name} ({m.email})") for m in managers
        ]
        self._manager_ids = {str(m.id) for m in managers}
        if with_successor:
            self.successor_id.choices = [("", _l("Ingen"))] + self.manager_id.choices[1:]
        else:
            del self.successor_id

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A browser always sends the select ("" for no manager): a post without it (an
        # empty one, a script's) says nothing about the manager and changes nothing.
        if not self.manager_id.raw_data:
            self.manager_id.errors = [*self.manager_id.errors, _l("Vælg en leder fra listen.")]
            valid = False
        for field in (self.manager_id, getattr(self, "successor_id", None)):
            if field is not None and field.data and field.data not in self._manager_ids:
                field.errors = [*field.errors, _l("Vælg en leder fra listen.")]
                valid = False
        return valid


GROUP_ROLE_LABELS = {
    GroupRole.EMPLOYEE: _l("Medarbejder"),
    GroupRole.MANAGER: _l("Leder (anbefaler ansøgninger)"),
    GroupRole.CASEWORKER: _l("Sagsbehandler"),
    GroupRole.FINANCE: _l("Økonomimedarbejder"),
    GroupRole.ADMIN: _l("Administrator"),
    GroupRole.BOARD_MEMBER: _l("Medlem af en puljes bestyrelse"),
    GroupRole.COMMITTEE_MEMBER: _l("Medlem af et udvalg"),
    GroupRole.COMMITTEE_CHAIR: _l("Formand for et udvalg"),
    GroupRole.COMMITTEE_SECRETARY: _l("Sekretær for et udvalg"),
}


class GroupRoleForm(Form):
    """One line of the mapping from the identity provider's groups to roles."""

    group_name = StringField(
        _l("Gruppe hos kommunens login"),
        [DataRequired(REQUIRED), Length(max=255)],
        filters=[_stripped],
        description=_l(
            "Som gruppen står i login-svaret: i Entra ID gruppens objekt-id, i ADFS gruppens navn."
        ),
    )
    role = SelectField(
        _l("Giver rollen"),
        [DataRequired(REQUIRED)],
        choices=[(r.value, label) for r, label in GROUP_ROLE_LABELS.items()],
    )
    fund_id = SelectField(
        _l("Pulje"),
        [Optional()],
        description=_l("Kun for medlemmer af en puljes bestyrelse."),
    )
    committee_id = SelectField(
        _l("Udvalg"),
        [Optional()],
        description=_l("Kun for medlemmer, formænd og sekretærer i et udvalg."),
    )

    def __init__(self, *args, funds=(), committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fund_id.choices = [("", _l("Ingen"))] + [(str(f.id), f.name) for f in funds]
        self.committee_id.choices = [("", _l("Intet"))] + [
            (str(c.id), f"{c.name} ({c.period})") for c in committees
        ]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        role = GroupRole(self.role.data)
        ok = True
        if role.needs_fund and not self.fund_id.data:
            self.fund_id.errors.append(_l("Vælg puljen, hvis bestyrelse gruppen giver plads i."))
            ok = False
        if not role.needs_fund and self.fund_id.data:
            self.fund_id.errors.append(_l("Vælg kun en pulje for en puljes bestyrelse."))
            ok = False
        if role.needs_committee and not self.committee_id.data:
            self.committee_id.errors.append(_l("Vælg udvalget, som gruppen giver plads i."))
            ok = False
        if not role.needs_committee and self.committee_id.data:
            self.committee_id.errors.append(_l("Vælg kun et udvalg for en plads i et udvalg."))
            ok = False
        return ok
