"""The study-trip application form.

A draft may be saved half-filled (what is there must be valid); submitting asks for all of
it. Both run ``validate``; ``validate_for_submission`` adds the completeness checks.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from grants.cases.models import BudgetCategory
from grants.core import clock
from grants.core.fields import AmountField
from grants.core.formatting import money
from grants.core.forms import Form
from grants.core.money import ZERO

SHORT = 200
LONG = 5000
# How far ahead a trip may be applied for, and how long it may last.
LATEST_DEPARTURE_DAYS = 3 * 365
LONGEST_TRIP_DAYS = 365


def check_trip_dates(form, in_the_past, reversed_) -> None:
    """Departure from today and within three years; return after departure, within a year.
    A case already sent keeps the departure it was sent with though that day has passed
    (``kept_departure``): its applicant still answers a request for information."""
    today = clock.today()
    departure, return_ = form.departure_date.data, form.return_date.data
    if departure and departure < today and departure != form.kept_departure:
        form.departure_date.errors.append(in_the_past)
    elif departure and (departure - today).days > LATEST_DEPARTURE_DAYS:
        form.departure_date.errors.append(_l("Der kan højst søges tre år frem."))
    if departure and return_:
        if return_ < departure:
            form.return_date.errors.append(reversed_)
        elif (return_ - departure).days > LONGEST_TRIP_DAYS:
            form.return_date.errors.append(_l("En rejse kan højst vare et år."))


BUDGET_CATEGORIES = [
    (BudgetCategory.TRANSPORT, _l("Transport")),
    (BudgetCategory.ACCOMMODATION, _l("Ophold (hotel o.l.)")),
    (BudgetCategory.FEES, _l("Kursus- eller konferencegebyr")),
    (BudgetCategory.MEALS, _l("Forplejning")),
    (BudgetCategory.PER_DIEM, _l("Diæter")),
    (BudgetCategory.OTHER, _l("Andet")),
]

NOTE_LABELS = {
    BudgetCategory.TRANSPORT: _l("Uddybning af transport"),
    BudgetCategory.ACCOMMODATION: _l("Uddybning af ophold"),
    BudgetCategory.FEES: _l("Uddybning af gebyr"),
    BudgetCategory.MEALS: _l("Uddybning af forplejning"),
    BudgetCategory.PER_DIEM: _l("Uddybning af diæter"),
    BudgetCategory.OTHER: _l("Uddybning af andet"),
}


def budget_line(category: BudgetCategory) -> tuple[AmountField, StringField]:
    """The amount and the note of one budget category, as a form declares them:
    ``transport, transport_note = budget_line(BudgetCategory.TRANSPORT)``."""
    label = dict(BUDGET_CATEGORIES)[category]
    return AmountField(label), StringField(NOTE_LABELS[category], [Optional(), Length(max=300)])


class BudgetLines:
    """For a form that declares a budget_line for each category: the lines and their sum."""

    def budget_fields(self):
        for category, _label in BUDGET_CATEGORIES:
            yield category, self[category.value], self[f"{category.value}_note"]

    def budget_total(self) -> Decimal:
        return sum((f.data or ZERO for _c, f, _n in self.budget_fields()), ZERO)

    def budget_lines_unreadable(self) -> bool:
        """Whether a line holds text that is no amount (from a draft, or a refused form):
        the total shown beside the lines leaves it out and says so."""
        return any(
            f.data is None and (f.raw_data or [""])[0].strip() for _c, f, _n in self.budget_fields()
        )

    def budget_lines_refused(self) -> bool:
        """Whether a line was refused (an ambiguous "6.500", a word): the total is then not
        known, and no limit is worked out from it (the line's own error says what to fix)."""
        return any(f.errors for _c, f, _n in self.budget_fields())

    def check_other_funding(self) -> None:
        """Other funding can never be more than the whole budget."""
        total = self.budget_total()
        if self.budget_lines_refused():
            return
        if self.other_funding.data and total and self.other_funding.data > total:
            self.other_funding.errors.append(_l("Anden finansiering er større end budgettet."))

    def missing_on_submit(self, required: dict) -> bool:
        """Put each required field's message beside it when it is empty (or only spaces);
        False if any was."""
        ok = True
        for name, message in required.items():
            field = self[name]
            data = field.data
            if (data in (None, "") or (isinstance(data, str) and not data.strip())) and not (
                field.errors
            ):
                field.errors.append(message)
                ok = False
        return ok


REQUIRED_ON_SUBMIT = {
    "title": _l("Skriv en titel på rejsen."),
    "purpose": _l("Beskriv formålet med rejsen."),
    "destination_city": _l("Skriv hvilken by I rejser til."),
    "destination_country": _l("Vælg landet."),
    "departure_date": _l("Skriv afrejsedatoen."),
    "return_date": _l("Skriv hjemkomstdatoen."),
    "programme": _l("Beskriv programmet for rejsen."),
    "travellers": _l("Skriv hvem der rejser."),
    "traveller_count": _l("Skriv hvor mange der rejser."),
    "amount_applied": _l("Skriv det beløb, du søger om."),
    "expected_benefit": _l("Beskriv hvad kommunens service får ud af rejsen."),
    "knowledge_sharing": _l("Beskriv hvordan I deler den viden, I får med hjem."),
}


def country_choices() -> list[tuple[str, str]]:
    """Countries by ISO code, named in the reader's language, sorted by name."""
    from babel import Locale

    locale = Locale.parse(str(get_locale() or "da"))
    not_countries = {"DK", "ZZ", "EU", "UN", "EZ", "QO"}  # home, and groupings of countries
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in not_countries
    }
    return [("", _l("Vælg land"))] + sorted(names.items(), key=lambda item: item[1])


class ReplyToCaseworker:
    """The applicant's reply to a request for information, sent with the resubmission and
    kept in the journal. Shown and required only when the case waits for information
    (``needs_reply``, set by the view)."""

    # Worded for whoever asked (the caseworker, or the fund's board on an official trip):
    # the notice above the form names them (applications/_information_requested.html).
    reply = TextAreaField(
        _l("Dit svar"),
        [Optional(), Length(max=LONG)],
        description=_l(
            "Svar på spørgsmålet i anmodningen ovenfor, og skriv kort, hvad du har rettet "
            "eller vedhæftet. Ændringerne i ansøgningen bliver også skrevet i sagens forløb."
        ),
    )
    needs_reply = False
    # The departure of a case already sent (set by the view): it may stay though passed.
    kept_departure: date | None = None
    # One key per new-application form shown (grants.applications.views.handle_form).
    form_key = HiddenField(default=lambda: secrets.token_hex(16))

    def reply_given(self) -> bool:
        if self.needs_reply and not (self.reply.data or "").strip() and not self.reply.errors:
            self.reply.errors.append(_l("Skriv dit svar."))
            return False
        return True


class ApplicationForm(ReplyToCaseworker, BudgetLines, Form):
    title = StringField(_l("Titel på rejsen"), [Optional(), Length(max=SHORT)])
    purpose = TextAreaField(_l("Formål"), [Optional(), Length(max=LONG)])
    destination_city = StringField(_l("By"), [Optional(), Length(max=120)])
    destination_country = SelectField(_l("Land"), choices=[], validate_choice=False)
    departure_date = DateField(_l("Afrejse"), [Optional()])
    return_date = DateField(_l("Hjemkomst"), [Optional()])
    programme = TextAreaField(_l("Program"), [Optional(), Length(max=10000)])
    programme_file = FileField(_l("Program som fil (valgfrit)"))
    appendices = MultipleFileField(_l("Andre bilag (valgfrit)"))
    travellers = TextAreaField(_l("Hvem rejser?"), [Optional(), Length(max=2000)])
    traveller_count = IntegerField(
        _l("Antal rejsende"), [Optional(), NumberRange(1, 200, _l("Skriv et antal fra 1 til 200."))]
    )
    manager_id = SelectField(
        _l("Din leder, som skal anbefale ansøgningen"), choices=[], validate_choice=False
    )

    transport, transport_note = budget_line(BudgetCategory.TRANSPORT)
    accommodation, accommodation_note = budget_line(BudgetCategory.ACCOMMODATION)
    fees, fees_note = budget_line(BudgetCategory.FEES)
    meals, meals_note = budget_line(BudgetCategory.MEALS)
    per_diem, per_diem_note = budget_line(BudgetCategory.PER_DIEM)
    other, other_note = budget_line(BudgetCategory.OTHER)

    other_funding = AmountField(_l("Anden finansiering"))
    other_funding_source = TextAreaField(_l("Hvem betaler resten?"), [Optional(), Length(max=2000)])
    amount_applied = AmountField(_l("Ansøgt beløb"))
    expected_benefit = TextAreaField(
        _l("Forventet udbytte for kommunens service"), [Optional(), Length(max=LONG)]
    )
    knowledge_sharing = TextAreaField(
        _l("Videndeling efter rejsen"), [Optional(), Length(max=LONG)]
    )

    def __init__(self, *args, managers=(), needs_manager: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_manager = needs_manager
        self.destination_country.choices = country_choices()
        self.manager_id.choices = [("", _l("Vælg leder"))] + [
            (str(m.id), f"{m.name} ({m.title})" if m.title else m.name) for m in managers
        ]
        self._manager_ids = {str(m.id) for m in managers}

    # -- budget lines ------------------------------------------------------------------
    # -- validation ----------------------------------------------------------------------
    def check_dates(self) -> None:
        check_trip_dates(
            self,
            _l("Afrejsedatoen er overskredet. Vælg en dato fra i dag."),
            _l("Hjemkomst kan ikke være før afrejse."),
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.check_dates()
        if self.destination_country.data and self.destination_country.data not in dict(
            self.destination_country.choices
        ):
            self.destination_country.errors.append(_l("Vælg et land fra listen."))
        if self.manager_id.data and self.manager_id.data not in self._manager_ids:
            self.manager_id.errors.append(_l("Vælg en leder fra listen."))
        if self.amount_applied.data is not None and not self.amount_applied.errors:
            if self.amount_applied.data <= 0:
                self.amount_applied.errors.append(_l("Beløbet skal være større end 0 kr."))
            elif not self.budget_lines_refused() and not self.other_funding.errors:
                total = self.budget_total()
                covered = total - (self.other_funding.data or ZERO)
                if total and self.amount_applied.data > covered:
                    self.amount_applied.errors.append(
                        _l(
                            "Du kan højst søge om %(limit)s: budgettets samlede udgifter "
                            "minus anden finansiering.",
                            limit=money(max(covered, ZERO)),
                        )
                    )
        self.check_other_funding()
        return ok and not self.errors

    def validate_for_submission(self) -> bool:
        ok = self.validate()
        ok = self.missing_on_submit(REQUIRED_ON_SUBMIT) and ok
        if self.needs_manager and not self.manager_id.data and not self.manager_id.errors:
            self.manager_id.errors.append(_l("Vælg den leder, der skal anbefale ansøgningen."))
            ok = False
        if self.budget_total() <= 0 and not self.budget_lines_refused():
            self.transport.errors.append(_l("Skriv mindst én udgift i budgettet."))
            ok = False
        return self.reply_given() and ok

    def validate_draft(self) -> bool:
        ok = self.validate()
        if not (self.title.data or "").strip() and not self.title.errors:
            self.title.errors.append(_l("Giv kladden en titel, så du kan finde den igen."))
            ok = False
        return ok


class DecisionForm(Form):
    action = SelectField(
        _l("Afgørelse"),
        choices=[
            ("grant", _l("Bevil fuldt ud")),
            ("grant_part", _l("Bevil delvist")),
            ("refuse", _l("Giv afslag")),
        ],
    )
    amount = AmountField(_l("Bevilget beløb ved delvis bevilling"))
    dispensation_reason = TextAreaField(
        _l("Begrundelse for dispensation"),
        [Optional(), Length(max=LONG)],
        description=_l("Kun hvis der bevilges mere, end reglerne giver."),
    )
    reasons = TextAreaField(
        _l("Begrundelse"),
        [Optional(), Length(max=LONG)],
        description=_l(
            "Skal udfyldes ved delvis bevilling og afslag. Nævn de regler, der er "
            "anvendt, og de hensyn og fakta, der er lagt vægt på."
        ),
    )


# -- Youth travel, hosting and the pupils' exchange ----------------------------------------

YOUTH_REQUIRED_ON_SUBMIT = {
    "title": _l("Skriv en kort titel, fx “Orkestertur til Prag”."),
    "organisation_id": _l("Vælg hvilken organisation, der søger."),
    "partner_city_id": _l("Vælg venskabs- eller partnerbyen."),
    "departure_date": _l("Skriv startdatoen."),
    "return_date": _l("Skriv slutdatoen."),
    "purpose": _l("Beskriv formålet med besøget."),
    "direct_contact": _l(
        "Beskriv hvordan de unge fra begge byer mødes og er sammen. Besøget skal give direkte "
        "kontakt mellem de unge."
    ),
    "programme": _l("Beskriv programmet for besøget."),
}


def parse_birth_years(text: str) -> list[int]:
    """ "2008, 2009 2010" -> [2008, 2009, 2010]; raises ValueError on anything else."""
    years = []
    for part in text.replace(";", ",").replace("\n", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) != 4:
            raise ValueError(part)
        years.append(int(part))
    return years


def checked_birth_years(field) -> list[int] | None:
    """The birth years typed in ``field``, or None: nothing typed, or an error put on the
    field (not four-digit years, or a year before 1900 or after this one). A value the
    control-character policy already refused is not parsed (and quoted) again."""
    if field.errors or not (field.data or "").strip():
        return None
    try:
        years = parse_birth_years(field.data)
    except ValueError as bad:
        field.errors.append(
            _l(
                "“%(value)s” er ikke et årstal. Skriv fødselsår med fire cifre, adskilt af komma.",
                value=str(bad),
            )
        )
        return None
    if any(y < 1900 or y > clock.today().year for y in years):
        field.errors.append(_l("Et fødselsår ligger uden for det mulige."))
        return None
    return years


class YouthApplicationForm(ReplyToCaseworker, BudgetLines, Form):
    """Youth trips to a partner city, hosting a group from one, and the Wuxi exchange.
    Counts only: no names of children or young people are asked for."""

    organisation_id = SelectField(_l("Ansøgende organisation"), choices=[], validate_choice=False)
    title = StringField(_l("Titel"), [Optional(), Length(max=SHORT)])
    partner_city_id = SelectField(
        _l("Venskabs- eller partnerby"), choices=[], validate_choice=False
    )
    departure_date = DateField(_l("Første dag"), [Optional()])
    return_date = DateField(_l("Sidste dag"), [Optional()])
    participants_young = IntegerField(
        # The rules' age limit goes into the label where the form is made (young_count_label).
        _l("Antal børn og unge under aldersgrænsen"),
        [Optional(), NumberRange(0, 1000, _l("Skriv et antal fra 0 til 1.000."))],
    )
    birth_years = StringField(
        _l("Eller: deltagernes fødselsår"),
        [Optional(), Length(max=5000)],
        description=_l(
            "Fx 2008, 2009, 2009. Bruges i stedet for antallet ovenfor, så "
            "alderen på rejsedagen kan regnes ud. Ingen navne."
        ),
    )
    participants_leaders = IntegerField(
        _l("Antal ledere"),
        [Optional(), NumberRange(0, 1000, _l("Skriv et antal fra 0 til 1.000."))],
    )
    participants_disabled = IntegerField(
        _l("Antal deltagere med handicap (uanset alder)"),
        [Optional(), NumberRange(0, 1000, _l("Skriv et antal fra 0 til 1.000."))],
        description=_l("Tæl dem ikke med blandt de unge ovenfor."),
    )
    host_group_size = IntegerField(
        _l("Antal personer i gruppen, I er værter for"),
        [Optional(), NumberRange(0, 1000, _l("Skriv et antal fra 0 til 1.000."))],
    )
    purpose = TextAreaField(_l("Formål"), [Optional(), Length(max=LONG)])
    direct_contact = TextAreaField(
        _l("Direkte kontakt mellem de unge"), [Optional(), Length(max=LONG)]
    )
    programme = TextAreaField(_l("Program"), [Optional(), Length(max=10000)])
    programme_file = FileField(_l("Program som fil (valgfrit)"))
    appendices = MultipleFileField(_l("Andre bilag (valgfrit)"))

    transport, transport_note = budget_line(BudgetCategory.TRANSPORT)
    accommodation, accommodation_note = budget_line(BudgetCategory.ACCOMMODATION)
    fees, fees_note = budget_line(BudgetCategory.FEES)
    meals, meals_note = budget_line(BudgetCategory.MEALS)
    per_diem, per_diem_note = budget_line(BudgetCategory.PER_DIEM)
    other, other_note = budget_line(BudgetCategory.OTHER)
    other_funding = AmountField(_l("Anden finansiering"))
    other_funding_source = TextAreaField(_l("Hvem betaler resten?"), [Optional(), Length(max=2000)])
    dispensation_request = TextAreaField(
        _l("Søger I om dispensation fra reglerne?"),
        [Optional(), Length(max=LONG)],
        description=_l(
            "Kun hvis reglerne ikke giver tilskud til jeres besøg, og I mener, "
            "der er særlige grunde. Skriv hvilke."
        ),
    )

    needs_manager = False

    def __init__(self, *args, organisations=(), cities=(), hosting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.hosting = hosting
        self.organisation_id.choices = [("", _l("Vælg organisation"))] + [
            (str(o.id), o.name) for o in organisations
        ]
        self.partner_city_id.choices = [("", _l("Vælg by"))] + [(str(c.id), c.name) for c in cities]
        self._organisation_ids = {str(o.id) for o in organisations}
        self._city_ids = {str(c.id) for c in cities}
        self.parsed_birth_years: list[int] | None = None

    def check_dates(self) -> None:
        check_trip_dates(
            self,
            _l("Datoen er overskredet. Vælg en dato fra i dag."),
            _l("Sidste dag kan ikke være før første dag."),
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.organisation_id.data and self.organisation_id.data not in self._organisation_ids:
            self.organisation_id.errors.append(_l("Vælg en organisation fra listen."))
        if self.partner_city_id.data and self.partner_city_id.data not in self._city_ids:
            self.partner_city_id.errors.append(_l("Vælg en by fra listen."))
        self.check_dates()
        self.parsed_birth_years = checked_birth_years(self.birth_years)
        self.check_other_funding()
        return ok and not self.errors

    def validate_for_submission(self) -> bool:
        ok = self.validate()
        ok = self.missing_on_submit(YOUTH_REQUIRED_ON_SUBMIT) and ok
        if self.hosting:
            if not self.host_group_size.data and not self.host_group_size.errors:
                self.host_group_size.errors.append(_l("Skriv hvor mange personer gruppen er."))
                ok = False
        elif (
            not self.participants_young.data
            and not self.parsed_birth_years
            and not self.participants_disabled.data
            and not self.participants_young.errors
        ):
            self.participants_young.errors.append(
                _l("Skriv hvor mange børn og unge der deltager, eller deres fødselsår.")
            )
            ok = False
        return self.reply_given() and ok

    def validate_draft(self) -> bool:
        return ApplicationForm.validate_draft(self)


class ReconsiderationForm(Form):
    """The applicant's request for a decision to be reconsidered (genoptagelse)."""

    reasons = TextAreaField(
        _l("Hvorfor skal afgørelsen genoptages?"),
        validators=[
            InputRequired(message=_l("Skriv, hvorfor afgørelsen skal genoptages.")),
            Length(max=LONG),
        ],
        description=_l(
            "Skriv, hvad der er nyt, eller hvad du mener er forkert i afgørelsen. "
            "Afgørelsen gælder, indtil der er truffet en ny."
        ),
    )
    documents = MultipleFileField(
        _l("Bilag (valgfrit)"),
        description=_l(
            "PDF, Word, OpenDocument eller billede (PNG, JPEG), højst 10 MB. Du kan vælge "
            "flere filer."
        ),
    )


class ComplaintForm(Form):
    """A complaint about the decision, forwarded to the complaints body."""

    body = StringField(
        _l("Klageinstans"),
        validators=[Length(max=200)],
        description=_l("Den klageinstans, afgørelsesbrevet nævner."),
    )
    forwarded_on = DateField(_l("Sendt videre den"), [Optional()])
    note = TextAreaField(_l("Bemærkning (valgfri)"), [Optional(), Length(max=LONG)])


class ComplaintOutcomeForm(Form):
    """The complaints body's outcome of a complaint."""

    outcome = RadioField(_l("Klageinstansens afgørelse"), choices=[], validate_choice=False)
    outcome_on = DateField(_l("Afgjort den"), [Optional()])
    outcome_note = TextAreaField(_l("Bemærkning (valgfri)"), [Optional(), Length(max=LONG)])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = list(choices)
