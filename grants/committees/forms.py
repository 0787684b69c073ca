from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from grants.cases.states import State
from grants.committees.labels import (
    DECISION_LABELS,
    KIND_LABELS,
    QUORUM_LABELS,
    ROLE_LABELS,
    WITHOUT_QUORUM_LABELS,
)
from grants.core.fields import AmountField
from grants.core.forms import Form

LONG = 5000


class CommitteeForm(Form):
    name = StringField(_l("Udvalgets navn"), [DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Slags udvalg"), choices=[(k.value, label) for k, label in KIND_LABELS.items()]
    )
    fund_id = SelectField(_l("Udvalgets pulje"), coerce=str)
    period_first = IntegerField(
        _l("Valgperioden begynder (år)"), [InputRequired(), NumberRange(min=2000, max=2100)]
    )
    period_last = IntegerField(
        _l("Valgperioden slutter (år)"), [InputRequired(), NumberRange(min=2000, max=2100)]
    )

    quorum_rule = SelectField(
        _l("Beslutningsdygtigt når"),
        choices=[(k.value, label) for k, label in QUORUM_LABELS.items()],
        default="at_least_half",
        description=_l(
            "til stede og ikke inhabile i punktet (kommunestyrelsesloven § 11, stk. 2, og § 20)"
        ),
    )
    without_quorum = SelectField(
        _l("Uden beslutningsdygtighed"),
        choices=[(k.value, label) for k, label in WITHOUT_QUORUM_LABELS.items()],
        default="postpone",
        description=_l("Som udvalgets forretningsorden siger"),
    )

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fund_id.choices = [("", _l("Vælg en pulje"))] + [(str(f.id), f.name) for f in funds]

    def validate_fund_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg udvalgets pulje."))


class NextPeriodForm(Form):
    """The committee set up for the next election period: the period the page offered, so a
    stale page or a forged post sets up nothing."""

    period = StringField(_l("Valgperiode"), [DataRequired()])

    def __init__(self, *args, expected: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_period(self, field):
        if field.data != self.expected:
            raise ValidationError(
                _(
                    "Udvalget kan kun nedsættes for den næste valgperiode, %(period)s.",
                    period=self.expected,
                )
            )


class RulesForm(Form):
    """A committee's rules of procedure on its quorum."""

    quorum_rule = CommitteeForm.quorum_rule
    without_quorum = CommitteeForm.without_quorum


class MemberForm(Form):
    user_id = SelectField(_l("Person"), coerce=str)
    role = SelectField(_l("Rolle"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    valid_from = DateField(_l("Medlem fra"), [InputRequired()])
    valid_to = DateField(_l("Medlem til"), [Optional()])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("Vælg en person"))] + [
            (str(p.id), f"{p.name} ({p.email})") for p in people
        ]

    def validate_user_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg en person."))


class MeetingForm(Form):
    date = DateField(_l("Dato"), [InputRequired()])
    time = TimeField(_l("Klokkeslæt"), [InputRequired()])
    place = StringField(_l("Sted"), [DataRequired(), Length(max=200)])


class MoveMeetingForm(MeetingForm):
    """A meeting not yet held moved to another day (or time, or place)."""


class CancelMeetingForm(Form):
    reason = TextAreaField(
        _l("Hvorfor aflyses mødet?"),
        [DataRequired(message=_l("Skriv hvorfor mødet aflyses.")), Length(max=LONG)],
        description=_l(
            "Sagerne på dagsordenen tages af den og kan sættes på et andet møde. Har "
            "udvalget fået dagsordenen, får medlemmerne besked."
        ),
    )


def _case_choice(application) -> str:
    if application.state == State.RECONSIDERATION:
        return _(
            "%(case)s %(title)s (genoptagelse)",
            case=application.case_number,
            title=application.title,
        )
    return f"{application.case_number} {application.title}"


class AgendaForm(Form):
    application_id = SelectField(_l("Sag"), coerce=str)
    recommendation = TextAreaField(
        _l("Sagsbehandlerens indstilling"), [DataRequired(), Length(max=LONG)]
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.application_id.choices = [("", _l("Vælg en sag"))] + [
            (str(c.id), _case_choice(c)) for c, _kind in cases
        ]

    def validate_application_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg en sag."))


class AttendanceForm(Form):
    present = SelectMultipleField(_l("Til stede"), coerce=str, validate_choice=False)

    def validate_present(self, field):
        known = {value for value, _label in field.choices or []}
        if any(value not in known for value in field.data or []):
            raise ValidationError(_l("Kun udvalgets medlemmer kan være til stede."))


class DeclarationForm(Form):
    reason = TextAreaField(_l("Hvorfor kan du være inhabil?"), [DataRequired(), Length(max=LONG)])


class RulingForm(Form):
    disqualified = RadioField(
        _l("Udvalgets afgørelse"),
        choices=[("yes", _l("Inhabil")), ("no", _l("Ikke inhabil"))],
        validators=[InputRequired(message=_l("Vælg en af mulighederne."))],
    )


class RecordDecisionForm(Form):
    decision = SelectField(_l("Udvalgets beslutning"))
    amount = AmountField(_l("Bevilget beløb ved delvis bevilling"))
    reasons = TextAreaField(_l("Begrundelse"), [Optional(), Length(max=LONG)])

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [(d.value, DECISION_LABELS[d]) for d in decisions]


class SubstituteForm(Form):
    user_id = SelectField(_l("Stedfortræder"), coerce=str)
    for_user_id = SelectField(_l("I stedet for"), coerce=str)

    def __init__(self, *args, people=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("Vælg en person"))] + [
            (str(p.id), f"{p.name} ({p.email})") for p in people
        ]
        self.for_user_id.choices = [("", _l("Vælg et medlem"))] + [
            (str(p.id), p.name) for p in members
        ]

    def validate_user_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg en person."))

    def validate_for_user_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg et medlem."))


class UrgencyForm(Form):
    """The chair records that an item added late cannot wait: decided despite an objection."""

    reason = TextAreaField(
        _l("Hvorfor kan sagen ikke vente til næste møde?"),
        [DataRequired(message=_l("Skriv hvorfor sagen ikke kan vente.")), Length(max=LONG)],
    )


class DepartureForm(Form):
    """A member present who leaves the meeting before it ends."""

    user_id = SelectField(_l("Medlem, der forlader mødet"), coerce=str)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("Vælg et medlem"))] + [(str(p.id), p.name) for p in members]

    def validate_user_id(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg et medlem."))


class ActionForm(Form):
    """A button (CSRF only)."""
